import * as Effect from "effect/Effect"
import type { Progress } from "../SoonValue.ts"
import { taskOf } from "./tracking.ts"
import type { HandleBase } from "./handle.ts"
import { describe, illegalArgument } from "./validation.ts"

/** Returns the problem with a progress report, or `undefined`: `done` and `total` are numbers ≥ 0. */
export const progressProblem = (where: string, done: unknown, total: unknown): string | undefined => {
  if (typeof done !== "number" || !(done >= 0) || done === Infinity) {
    return `${where}: "done" must be a finite number ≥ 0, received ${describe(done)}`
  }
  if (total !== undefined && (typeof total !== "number" || !(total >= 0) || total === Infinity)) {
    return `${where}: "total" must be a finite number ≥ 0 or undefined, received ${describe(total)}`
  }
  return undefined
}

/** Records a report in the handle, as a new plain object (snapshots taken before keep theirs). */
export const record = (handle: HandleBase<any, any>, done: number, total: number | undefined): void => {
  const progress: Progress = total === undefined ? { done } : { done, total }
  handle.progress = progress
}

/** `TaskGroup.reportProgress`: from a task's fiber (or a fiber it forked, or a group body inside it). */
export const reportProgress = (done: number, total?: number): Effect.Effect<void> =>
  Effect.withFiber((fiber) => {
    const problem = progressProblem("TaskGroup.reportProgress", done, total)
    if (problem !== undefined) return Effect.die(illegalArgument(problem))
    const task = taskOf(fiber)
    if (task === undefined) {
      return Effect.die(
        illegalArgument(
          "TaskGroup.reportProgress: the calling fiber is not a task of a task group; " +
            "report progress from inside a task (spawn, soonify or start)"
        )
      )
    }
    record(task, done, total)
    return Effect.void
  })
