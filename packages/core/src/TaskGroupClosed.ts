/**
 * The defect raised when a task is spawned into a group that has already ended.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import { defaultGroupName } from "./internal/settings.ts"

/**
 * A task was spawned into a {@link TaskGroup.TaskGroup} that has ended.
 *
 * **Details**
 *
 * A group ends once its body and every task in it have ended. Spawning into it after
 * that is a bug in the program (the task could never be waited for), so `spawn`,
 * `soonify` and `start` die with this error instead of handing back a task that never
 * runs. Effect's `FiberSet.run` silently returns an interrupted fiber in that case;
 * soonify refuses loudly.
 *
 * **Gotchas**
 *
 * A group that is still shutting down (after a failure, or while it is interrupted)
 * is not ended yet: spawning into it gives a handle that ends interrupted, not this
 * error.
 *
 * **Example**
 *
 * ```ts
 * import { Cause, Effect, Exit } from "effect"
 * import { TaskGroup, TaskGroupClosed } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const group = yield* TaskGroup.run((group) => Effect.succeed(group))
 *   const exit = yield* Effect.exit(group.spawn(Effect.succeed(1)))
 *   // the defect is a TaskGroupClosed naming the group and the task
 *   return Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof TaskGroupClosed
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskGroupClosed extends Data.TaggedError("TaskGroupClosed")<{
  /** The name of the group that had ended. */
  readonly group: string
  /** The name of the task that was refused. */
  readonly task: string
}> {
  override get message(): string {
    const group = this.group === defaultGroupName ? "a task group without a name" : `task group "${this.group}"`
    return (
      `Cannot spawn task "${this.task}" into ${group}: the group has ended ` +
      "(its body and all its tasks are done). Spawn tasks while the group's body or one of " +
      "its tasks is still running, or open a new group."
    )
  }
}

/**
 * Tells whether a value is a {@link TaskGroupClosed}.
 *
 * **Example**
 *
 * ```ts
 * import { TaskGroupClosed, isTaskGroupClosed } from "@soonify/core"
 *
 * isTaskGroupClosed(new TaskGroupClosed({ group: "g", task: "t" })) // => true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isTaskGroupClosed = (u: unknown): u is TaskGroupClosed =>
  Predicate.isTagged(u, "TaskGroupClosed") && u instanceof TaskGroupClosed
