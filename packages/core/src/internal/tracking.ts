import type * as Fiber from "effect/Fiber"
import { type Enclosing, enclosingOf } from "./currentTask.ts"
import type { GroupImpl } from "./group.ts"
import { groupOf, TaskHandle } from "./handle.ts"

// Which task or group a fiber runs under (for `reportProgress`, to place a group opened
// inside a task under it, and to tell a spawn from inside a group from one from outside).
// Every task's fiber and every group body carries what it runs under in its context
// (`CurrentEnclosing`), from its first step: every fiber it forks inherits it, whenever
// and however it was forked. (Until issue 21 this was switched on by the first snapshot
// or progress report of the process, and a fiber forked before that, such as the racing
// fiber of an `Effect.timeout`, could not be found.)

/** The task of `enclosing`: itself, or for a group body, the task the group was opened in. */
export const taskOfEnclosing = (enclosing: Enclosing | undefined): TaskHandle<any, any> | undefined => {
  let node = enclosing
  while (node !== undefined && !(node instanceof TaskHandle)) node = node.enclosing
  return node
}

/** The task `fiber` runs on behalf of, if any: its own, or the one its group body was opened in. */
export const taskOf = (fiber: Fiber.Fiber<unknown, unknown>): TaskHandle<any, any> | undefined =>
  taskOfEnclosing(enclosingOf(fiber))

/**
 * Whether code under `enclosing` is inside `group`: one of its tasks, its body, or
 * anything running under them (a fiber they forked, a group they opened and its tasks).
 * The code that opened the group (made it with `make`) is not inside.
 */
export const isWithin = (group: GroupImpl, enclosing: Enclosing | undefined): boolean => {
  let node = enclosing
  while (node !== undefined) {
    if (node instanceof TaskHandle) {
      const owner = groupOf(node)
      if (owner === group) return true
      node = owner
    } else {
      if (node === group) return true
      node = node.enclosing
    }
  }
  return false
}
