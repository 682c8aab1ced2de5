import type { SnapshotParent } from "@soonify/kernel"
import * as Fiber from "effect/Fiber"
import { TaskHandle } from "./handle.ts"
import { taskOf } from "./tracking.ts"

// The task that code outside Effect runs on behalf of, for a group opened there without
// a fiber to say so (`TaskGroup.makeUnsafe`, which @soonify/interop's groups are made
// with), so that snapshots (and `soonify pstree`) show one tree across the packages:
// - Promise code run by a core task (`Effect.promise(() => taskGroup(...))`) while its
//   fiber runs: that fiber's task.
// - Promise code of a @soonify/interop task (`Effect.runPromise(TaskGroup.run(...))`
//   inside `tg.spawn`): interop's ambient context (an AsyncLocalStorage, which Effect's
//   fibers carry on Node) knows the task. interop puts the function that tells it on
//   `globalThis` under a registered symbol, as core does not import interop.
// Asked only when a group opens outside any core task: nothing per task.

const key = Symbol.for("soonify.ambientTask")

/**
 * Tells interop which core task the running fiber belongs to, for the group a
 * `taskGroup(...)` called there opens in a fiber of its own.
 */
Object.defineProperty(globalThis, Symbol.for("soonify.fiberTask"), {
  value: (): TaskHandle<any, any> | undefined => {
    const fiber = Fiber.getCurrent()
    return fiber === undefined ? undefined : taskOf(fiber)
  },
  configurable: true,
  writable: true
})

/** Whether `u` is a task a group can be placed under: a core task's handle, or a task of the kernel (interop's). */
const isParent = (u: unknown): u is SnapshotParent =>
  u instanceof TaskHandle || (typeof u === "object" && u !== null && typeof (u as SnapshotParent).ready === "boolean")

/** The task the running code belongs to, if its fiber or interop says there is one. */
export const ambientTask = (): SnapshotParent | undefined => {
  const fiber = Fiber.getCurrent()
  const ofFiber = fiber === undefined ? undefined : taskOf(fiber)
  if (ofFiber !== undefined) return ofFiber
  const find = (globalThis as { [key]?: unknown })[key]
  if (typeof find !== "function") return undefined
  const task: unknown = find()
  return isParent(task) ? task : undefined
}
