/**
 * The error of a task whose own `timeout` ran out.
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"

/**
 * The `timeout` of one task (a `spawn`, `soonify` or `start` option) ran out.
 *
 * **Details**
 *
 * - When the time is up the task is interrupted; once it has ended, it fails with this
 *   error. It is in the task's error type (and so in its group's) only when the
 *   `timeout` option is given.
 * - It is a failure of that task like any other: in `failFast` mode it cancels the
 *   group; in `settle` mode it stays in the task's handle.
 * - With `retry`, each attempt has the timeout, and a timed-out attempt is retried
 *   when the policy allows (the policy sees this error, and is typed so).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = TaskGroup.run((group) => group.spawn(Effect.never, { name: "slow", timeout: "10 millis" })).pipe(
 *   Effect.catchTag("TaskTimeout", (error) => Effect.succeed(error.task))
 * ) // => "slow"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class TaskTimeout extends Data.TaggedError("TaskTimeout")<{
  /** The name of the task whose time ran out. */
  readonly task: string
  /** The name of its group. */
  readonly group: string
  /** The `timeout` that ran out. */
  readonly timeout: Duration.Duration
}> {
  override get message(): string {
    return (
      `Task "${this.task}" of task group "${this.group}" timed out after ${Duration.format(this.timeout)}: it was ` +
      "interrupted and has ended. Give it a longer `timeout`, or a `retry` policy to try again."
    )
  }
}

/**
 * Tells whether a value is a {@link TaskTimeout}.
 *
 * **Example**
 *
 * ```ts
 * import { Duration } from "effect"
 * import { TaskTimeout, isTaskTimeout } from "@soonify/core"
 *
 * isTaskTimeout(new TaskTimeout({ task: "t", group: "g", timeout: Duration.seconds(1) })) // => true
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isTaskTimeout = (u: unknown): u is TaskTimeout =>
  Predicate.isTagged(u, "TaskTimeout") && u instanceof TaskTimeout
