import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Scope from "effect/Scope"
import type { TaskGroup } from "../TaskGroup.ts"
import { freshStackIfDeep } from "./callDepth.ts"
import { GroupImpl } from "./group.ts"
import { defaultGroupName, type GroupOptionsInput, settingsFrom } from "./settings.ts"
import { timeoutFrom } from "./timeout.ts"
import { asBodyEffect, describe, illegalArgument } from "./validation.ts"

// The three owners of a group (see `Ownership`): how each one opens it and lets it end.

/** The group behind a `TaskGroup` argument; throws an `IllegalArgumentError` for anything else. */
export const groupArgument = (where: string, group: unknown): GroupImpl => {
  if (group instanceof GroupImpl) return group
  throw illegalArgument(`${where}: expected a TaskGroup, received ${describe(group)}`)
}

/**
 * `TaskGroup.run`: the body owns the group; the run waits for the group, then gives its
 * outcome. `where` is the function the messages name: `TaskGroup.gather` runs its
 * effects in a group of this kind.
 */
export const run = <A, E, R>(
  body: (group: GroupImpl) => Effect.Effect<A, E, R>,
  options?: GroupOptionsInput,
  where: "TaskGroup.run" | "TaskGroup.gather" | "TaskGroup.map" | "SoonValue.asCompleted" = "TaskGroup.run"
): Effect.Effect<A, E, R> => {
  const settings = settingsFrom(where, options)
  if (typeof settings === "string") return Effect.die(illegalArgument(settings))
  const timeout = timeoutFrom(where, options)
  if (typeof timeout === "string") return Effect.die(illegalArgument(timeout))
  if (typeof body !== "function") {
    return Effect.die(illegalArgument(`${where}: body must be a function of the group, received ${describe(body)}`))
  }
  const program = Effect.uninterruptibleMask((restore) =>
    Effect.withFiber((parent) => {
      const group = new GroupImpl(settings, "body", parent, timeout, where)
      // The body starts at once (on a deep stack, soon: see callDepth.ts).
      group.startBody(Effect.suspend(() => asBodyEffect(body(group))))
      // Interrupting the wait interrupts everything and waits again, uninterruptibly.
      return Effect.flatMap(Effect.exit(restore(group.awaitEnded)), (waited) => {
        if (waited._tag === "Success") return freshStackIfDeep(group.outcome())
        return freshStackIfDeep(
          Effect.suspend(() => {
            group.shutdown()
            return Effect.flatMap(group.awaitEnded, () => Effect.failCause(group.after(waited.cause)))
          })
        )
      })
    })
  ) as Effect.Effect<A, E, R>
  // Its span (with a tracer installed) is the group's own: see spans.ts.
  return program
}

/**
 * What closing a scoped group's scope does to its tasks: `"wait"` for them when it closes
 * with success (`TaskGroup.make`), `"interrupt"` them however it closes (`TaskGroup.layer`,
 * as `FiberSet` does: an app's lifetime is over).
 */
export type Release = "wait" | "interrupt"

/**
 * The finalizer of a scoped group: waits for the tasks (after interrupting them if the
 * scope failed, or always with `"interrupt"`), then raises as defects the failures nobody
 * observed (joined, handed to a refused spawner, or read from the failed task's handle).
 * The scope's close is uninterruptible, but not its wait: interrupting whoever closes the
 * scope interrupts the tasks and waits for them to end, then the interruption goes on (as
 * `run` does).
 */
const closeScoped = (group: GroupImpl, exit: Exit.Exit<unknown, unknown>, release: Release): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (exit._tag === "Failure" || release === "interrupt") group.shutdown()
    group.endOwner()
    return Effect.flatMap(Effect.exit(Effect.interruptible(group.awaitEnded)), (waited) => {
      if (waited._tag === "Failure") group.shutdown()
      return Effect.flatMap(group.awaitEnded, () => {
        const unreported = group.unreported()
        const cause = waited._tag === "Success" ? unreported : Cause.combine(waited.cause, unreported ?? Cause.empty)
        return cause === undefined ? Effect.void : Effect.failCause(cause)
      })
    })
  })

/** `TaskGroup.make` (and `TaskGroup.layer`, which releases with `"interrupt"`): the enclosing scope owns the group. */
export const make = (
  options?: GroupOptionsInput,
  where: "TaskGroup.make" | "TaskGroup.layer" = "TaskGroup.make",
  release: Release = "wait"
): Effect.Effect<TaskGroup<any, any>, never, Scope.Scope> => {
  const settings = settingsFrom(where, options)
  if (typeof settings === "string") return Effect.die(illegalArgument(settings))
  const timeout = timeoutFrom(where, options)
  if (typeof timeout === "string") return Effect.die(illegalArgument(timeout))
  return Effect.acquireRelease(
    Effect.withFiber((fiber) => {
      const group = new GroupImpl(settings, "scope", fiber, timeout, where)
      return Effect.succeed(group)
    }),
    (group, exit) => closeScoped(group, exit, release)
  )
}

/** `TaskGroup.makeUnsafe`: nobody owns the group; only `join` lets it end. */
export const makeUnsafe = (options?: GroupOptionsInput): TaskGroup => {
  const settings = settingsFrom("TaskGroup.makeUnsafe", options)
  if (typeof settings === "string") throw illegalArgument(settings)
  const timeout = timeoutFrom("TaskGroup.makeUnsafe", options)
  if (typeof timeout === "string") throw illegalArgument(timeout)
  return new GroupImpl(settings, "none", undefined, timeout, "TaskGroup.makeUnsafe")
}

/** `TaskGroup.join`: ends the owner's part, waits for the tasks, gives the outcome. */
export const join = (group: TaskGroup<any, any>): Effect.Effect<void, unknown> =>
  Effect.suspend(() => {
    const impl = groupArgument("TaskGroup.join", group)
    // Ending the owner's part from inside a body would let the group end (and `run`
    // return) while the body still runs.
    if (impl.ownership === "body") {
      return Effect.die(
        illegalArgument(
          `TaskGroup.join: ${impl.name === defaultGroupName ? "this group" : `group "${impl.name}"`} belongs to ` +
            "a TaskGroup.run block, which waits for " +
            "its tasks when its body returns; join is for groups made with TaskGroup.make or makeUnsafe. " +
            "To wait for one task inside the block, use `yield* soon.await`."
        )
      )
    }
    impl.endOwner()
    return Effect.flatMap(impl.awaitEnded, () => {
      impl.markReported()
      return Effect.asVoid(impl.outcome())
    })
  })

/**
 * `TaskGroup.cancel`: cancels the group, then waits for it to end; from inside the group
 * it only yields, so that the shutdown reaches the caller: waiting would wait for itself.
 */
export const cancel = (group: TaskGroup<any, any>): Effect.Effect<void> =>
  Effect.withFiber((fiber) => {
    const impl = groupArgument("TaskGroup.cancel", group)
    impl.cancelUnsafe(fiber.id)
    return impl.isFrom(fiber) ? Effect.yieldNow : impl.awaitEnded
  })
