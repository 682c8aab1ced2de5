/**
 * The defect raised when a task is spawned into a group that has ended, or from outside
 * into a group that is shutting down.
 *
 * @since 0.1.0
 */
import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import { defaultGroupName } from "./internal/settings.ts"
import { isTaskGroupTimeout } from "./TaskGroupTimeout.ts"

/**
 * A task was spawned into a {@link TaskGroup.TaskGroup} that is no longer open: it has
 * ended, or it is shutting down and the spawn came from outside it.
 *
 * **Details**
 *
 * - A group ends once its body and every task in it have ended. Spawning into it after
 *   that is a bug in the program (the task could never be waited for), so `spawn`,
 *   `soonify` and `start` die with this error instead of handing back a task that never
 *   runs. Effect's `FiberSet.run` silently returns an interrupted fiber in that case;
 *   soonify refuses loudly.
 * - A group shutting down (after a failure in `failFast` mode, a `timeout`, a `cancel`,
 *   or an interruption) refuses spawns from outside it the same way: a request handler
 *   spawning into an app-lifetime group that failed learns it, with what failed. From
 *   inside (the group's body, one of its tasks, or anything running under them: the
 *   code the shutdown is cancelling anyway) a spawn still gives a handle that ends
 *   interrupted. The fiber that made a `make` group is not inside it.
 * - `cause` is what closed the group: the Cause it fails with (its failures so far,
 *   after its cancellation if it was cancelled, a `TaskGroupTimeout` if it timed out), or
 *   the interruption that shut it down; absent for a group that ended without shutting
 *   down. `ended` tells the two cases apart. The message says what closed it.
 *
 * **Example**
 *
 * ```ts
 * import { Cause, Effect, Exit } from "effect"
 * import { TaskGroup, TaskGroupClosed } from "@soonify/core"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     const group = yield* TaskGroup.make<string>()
 *     yield* group.spawn(Effect.fail("one job failed"))
 *     yield* Effect.yieldNow // the task fails: the failFast group shuts down
 *     // spawning from outside (the fiber that made the group) dies with the cause
 *     const exit = yield* Effect.exit(group.spawn(Effect.succeed("later")))
 *     yield* Effect.exit(TaskGroup.join(group))
 *     const error = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
 *     return error instanceof TaskGroupClosed ? Cause.squash(error.cause!) : "spawned"
 *   })
 * )
 * await Effect.runPromise(program) // => "one job failed"
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskGroupClosed extends Data.TaggedError("TaskGroupClosed")<{
  /** The name of the group that was closed. */
  readonly group: string
  /** The name of the task that was refused. */
  readonly task: string
  /** Whether the group had ended (else it was shutting down, and the spawn came from outside it). */
  readonly ended: boolean
  /** What closed the group: the Cause it fails with, or the interruption that shut it down. */
  readonly cause?: Cause.Cause<unknown> | undefined
}> {
  override get message(): string {
    const closedBy = this.cause === undefined ? undefined : describeCause(this.cause)
    const group = this.group === defaultGroupName ? "a task group without a name" : `task group "${this.group}"`
    const prefix = `Cannot spawn task "${this.task}" into ${group}: `
    if (this.ended) {
      return (
        prefix +
        `the group has ended${closedBy === undefined ? "" : ` after ${closedBy}`} (its body and all its tasks ` +
        "are done). Spawn tasks while the group's body or one of its tasks is still running, or open a new group."
      )
    }
    return (
      prefix +
      `the group is shutting down after ${closedBy ?? "it was interrupted"}, and this spawn comes from outside it ` +
      "(not from its body or one of its tasks), where a task that never runs would go unnoticed. Handle what " +
      "closed the group (this error's cause), or spawn into a group that is open."
    )
  }
}

/** What closed a group, for a message: a timeout, a failure (and how many more), or an interruption. */
const describeCause = (cause: Cause.Cause<unknown>): string => {
  const errors: Array<unknown> = []
  for (const reason of cause.reasons) {
    if (reason._tag === "Fail") errors.push(reason.error)
    else if (reason._tag === "Die") errors.push(reason.defect)
  }
  if (errors.length === 0) return "it was cancelled or interrupted"
  const timeout = errors.find(isTaskGroupTimeout)
  if (timeout !== undefined) return `it timed out after ${Duration.format(timeout.timeout)}`
  const first = errors[0]
  const what = first instanceof Error ? `${first.name}: ${first.message}` : String(first)
  return `a failure (${what}${errors.length > 1 ? `, and ${errors.length - 1} more` : ""})`
}

/**
 * Tells whether a value is a {@link TaskGroupClosed}.
 *
 * **Example**
 *
 * ```ts
 * import { TaskGroupClosed, isTaskGroupClosed } from "@soonify/core"
 *
 * isTaskGroupClosed(new TaskGroupClosed({ group: "g", task: "t", ended: true })) // => true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isTaskGroupClosed = (u: unknown): u is TaskGroupClosed =>
  Predicate.isTagged(u, "TaskGroupClosed") && u instanceof TaskGroupClosed
