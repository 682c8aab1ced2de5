import { progressProblem, reportProgress as recordProgress } from "@soonify/kernel"
import * as Effect from "effect/Effect"
import { taskOf } from "./tracking.ts"
import { illegalArgument } from "./validation.ts"

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
    recordProgress(task, done, total)
    return Effect.void
  })
