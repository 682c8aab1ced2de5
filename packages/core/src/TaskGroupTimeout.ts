/**
 * The error of a group or a gather whose `timeout` ran out.
 *
 * @since 0.2.0
 */
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import { timeoutMessage } from "./internal/timeoutMessage.ts"

/**
 * The `timeout` of a {@link TaskGroup.TaskGroup} (or of `TaskGroup.gather`) ran out.
 *
 * **Details**
 *
 * - `TaskGroup.run(body, { timeout })`, `TaskGroup.make({ timeout })` and
 *   `TaskGroup.gather(effects, { timeout })` interrupt the body and every task still
 *   running when the time is up, wait until they have ended, then fail with this error
 *   (in the error channel: it is added to `E` only when `timeout` is given).
 * - `TaskGroup.gather(effects, { timeout, returnExceptions: true })` does not fail: the
 *   slots that finished keep their `Exit`, and every slot still running at the deadline
 *   holds an `Exit` failing with this error.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = TaskGroup.run((group) => group.spawn(Effect.never), { name: "slow", timeout: "10 millis" }).pipe(
 *   Effect.catchTag("TaskGroupTimeout", (error) => Effect.succeed(error.group))
 * ) // => "slow"
 * ```
 *
 * @since 0.2.0
 * @category errors
 */
export class TaskGroupTimeout extends Data.TaggedError("TaskGroupTimeout")<{
  /** The name of the group (or gather) whose time ran out. */
  readonly group: string
  /** The `timeout` that ran out. */
  readonly timeout: Duration.Duration
}> {
  /**
   * Says where the time ran out: the group by its name (or, unnamed, by the function
   * that made it: `TaskGroup.run`, `make`, `makeUnsafe`), `TaskGroup.gather`, or, in a
   * gather's late slot, that this effect was interrupted at the deadline.
   */
  override get message(): string {
    return timeoutMessage(this, this.group, this.timeout)
  }
}

/**
 * Tells whether a value is a {@link TaskGroupTimeout}.
 *
 * **Example**
 *
 * ```ts
 * import { Duration } from "effect"
 * import { TaskGroupTimeout, isTaskGroupTimeout } from "@soonify/core"
 *
 * isTaskGroupTimeout(new TaskGroupTimeout({ group: "g", timeout: Duration.seconds(1) })) // => true
 * ```
 *
 * @since 0.2.0
 * @category guards
 */
export const isTaskGroupTimeout = (u: unknown): u is TaskGroupTimeout =>
  Predicate.isTagged(u, "TaskGroupTimeout") && u instanceof TaskGroupTimeout
