// Progress for Promise code, and the bridge to core's fibers: the kernel keeps the tree
// (groups, their tasks, the groups opened inside them) and the progress; interop only
// says, through the ambient context, which task the running code belongs to.
import { reportProgress as record, type SnapshotParent, type Task } from "@soonify/kernel"
import { enclosing } from "#ambient"
import { describe } from "./validation.ts"

/**
 * The core task of the fiber running now, if any (Promise code run by a core task): core
 * tells it through `globalThis` (`Symbol.for("soonify.fiberTask")`), as interop does not
 * import core. Snapshots show an interop group opened there under that task.
 */
export const fiberTask = (): SnapshotParent | undefined => {
  const find = (globalThis as { [key: symbol]: unknown })[Symbol.for("soonify.fiberTask")]
  return typeof find === "function" ? (find() as SnapshotParent | undefined) : undefined
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
  const task: Task<any> | undefined = enclosing()?.task
  if (task === undefined) return false
  record(task, done, total)
  return true
}
