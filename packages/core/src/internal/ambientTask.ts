import { TaskHandle } from "./handle.ts"

// The task that Promise code runs on behalf of, for a core group opened there (an
// `Effect.runPromise(TaskGroup.run(...))` inside a @soonify/interop task): its fiber
// carries no core task, but interop's ambient context (an AsyncLocalStorage, which
// Effect's fibers carry on Node) knows the task. interop puts the function that tells
// it on `globalThis` under a registered symbol, so that core, which does not import
// interop, places such a group under that task in snapshots (`soonify pstree` shows one
// tree). Asked only when a group opens outside any core task: nothing per task.

const key = Symbol.for("soonify.ambientTask")

/** The core task the running Promise code belongs to, if interop says there is one. */
export const ambientTask = (): TaskHandle<any, any> | undefined => {
  const find = (globalThis as { [key]?: unknown })[key]
  if (typeof find !== "function") return undefined
  const task: unknown = find()
  return task instanceof TaskHandle ? task : undefined
}
