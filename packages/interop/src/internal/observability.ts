// Snapshots and progress for Promise code: core keeps the tree (groups, their tasks, the
// groups opened inside them) and the progress; interop only says, through the ambient
// context, which task the running code belongs to.
import { TaskGroup as CoreTaskGroup } from "@soonify/core"
import { type CoreTaskHandle, enclosing } from "./ambient.ts"
import { describe } from "./validation.ts"

/**
 * The core task of the fiber running now, if any (Promise code run by a core task): core
 * tells it through `globalThis` (see core's internal/ambientTask.ts).
 */
export const fiberTask = (): CoreTaskHandle | undefined => {
  const find = (globalThis as { [key: symbol]: unknown })[Symbol.for("soonify.fiberTask")]
  return typeof find === "function" ? (find() as CoreTaskHandle | undefined) : undefined
}

/** Places a new core group under the task the running code belongs to, if any; gives that task. */
export const placeInEnclosingTask = (
  core: CoreTaskGroup.TaskGroup,
  opener: CoreTaskHandle | undefined = undefined
): CoreTaskHandle | undefined => {
  const task = enclosing()?.task ?? opener
  if (task !== undefined) CoreTaskGroup.placeUnderUnsafe(core, task)
  return task
}

const checkCount = (what: string, n: unknown, optional: "optional" | "required"): void => {
  if (n === undefined && optional === "optional") return
  if (typeof n !== "number") {
    throw new TypeError(`reportProgress: "${what}" must be a number, received ${describe(n)}`)
  }
  if (!(n >= 0) || n === Infinity) {
    throw new RangeError(`reportProgress: "${what}" must be a finite number ≥ 0, received ${describe(n)}`)
  }
}

/**
 * `reportProgress(done, total?)`: for the task the running code belongs to (for a group
 * body, or a gather or asCompleted function, the task that opened the group or the
 * gather); `false` where there is none.
 */
export const reportProgress = (done: number, total?: number): boolean => {
  checkCount("done", done, "required")
  checkCount("total", total, "optional")
  const task = enclosing()?.task
  if (task === undefined) return false
  CoreTaskGroup.reportProgressUnsafe(task, done, total)
  return true
}
