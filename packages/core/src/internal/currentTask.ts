import * as Context from "effect/Context"
import type * as Fiber from "effect/Fiber"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"

/**
 * What code runs under: the innermost task (its handle) or group body (its group).
 * From it, `TaskHandle.group` and `GroupImpl.enclosing` lead outwards, group by group,
 * to the root (see tracking.ts).
 *
 * @internal
 */
export type Enclosing = TaskHandle<any, any> | GroupImpl

/**
 * The task or group body a fiber runs under: set in the context of each task's fiber
 * and of each group's body, and so inherited by every fiber they fork (`forkChild`, and
 * the racing fibers of `Effect.timeout`, which are not children) and by the groups they
 * open. How `reportProgress` finds its task, how a group opened inside a task finds its
 * place in snapshots, and how a spawn tells whether it comes from inside a group.
 * One context entry per task: `Context.add` is a constant-time overlay.
 *
 * @internal
 */
export const CurrentEnclosing: Context.Reference<Enclosing | undefined> = Context.Reference("@soonify/core/Enclosing", {
  defaultValue: (): Enclosing | undefined => undefined
})

/** The context code runs with under `enclosing`: `context`, plus `enclosing`. */
export const within = (context: Context.Context<never>, enclosing: Enclosing): Context.Context<never> =>
  Context.addUnsafe(context, CurrentEnclosing.key, enclosing)

/** The task or group body `fiber` runs under, if any. */
export const enclosingOf = (fiber: Fiber.Fiber<unknown, unknown>): Enclosing | undefined =>
  Context.get(fiber.context, CurrentEnclosing)

/**
 * Who spawns a task: a fiber (inside the group or not, see `GroupImpl.isFrom`), code with
 * no fiber (`undefined`: from outside, unless one of the group's fibers runs its first
 * steps on the stack), or `fromDriver`: a driver of tasks run outside Effect (such as
 * `@soonify/interop`), which tells callers from outside apart itself
 * (`TaskGroup.closedErrorUnsafe`).
 *
 * @internal
 */
export type Spawner = Fiber.Fiber<unknown, unknown> | undefined | typeof fromDriver

/** @internal */
export const fromDriver: unique symbol = Symbol("@soonify/core/fromDriver")
