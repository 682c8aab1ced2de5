import * as Context from "effect/Context"
import type * as Fiber from "effect/Fiber"
import type { TaskHandle } from "./handle.ts"

/**
 * The task a fiber runs on behalf of: set in the context of each task's fiber (and so
 * inherited by the fibers it forks, and by the body of a group it opens). How a group
 * opened inside a task finds its place in snapshots, and how `reportProgress` finds its
 * handle. One context entry per task: `Context.add` is a constant-time overlay.
 *
 * @internal
 */
export const CurrentTask: Context.Reference<TaskHandle<any, any> | undefined> = Context.Reference(
  "@soonify/core/CurrentTask",
  { defaultValue: (): TaskHandle<any, any> | undefined => undefined }
)

/** The context a task's fiber runs with: the spawner's, plus the task itself. */
export const taskContext = (context: Context.Context<never>, handle: TaskHandle<any, any>): Context.Context<never> =>
  Context.add(context, CurrentTask, handle)

/** The task `fiber` runs on behalf of, if any. */
export const currentTaskOf = (fiber: Fiber.Fiber<unknown, unknown>): TaskHandle<any, any> | undefined =>
  Context.get(fiber.context, CurrentTask)
