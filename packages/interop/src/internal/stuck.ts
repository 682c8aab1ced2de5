// Stuck cancellations (DESIGN §3), as Promise code hears of them: the kernel watches the
// tasks asked to stop (no timer until one is) and calls the runtime's `warn` for each one
// still running `stuckAfter` later, once.
import type { StuckTask } from "@soonify/kernel"

interface Globals {
  readonly process?: { readonly emitWarning?: (message: string, type: string) => void } | undefined
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** The warning's message: the task, its group, how long, and how to pass the signal on. */
export const stuckMessage = (stuck: StuckTask): string =>
  `Task "${stuck.task}" of task group "${stuck.group}" was cancelled ${seconds(stuck.ignoredFor)} ago and has ` +
  "not settled: it ignores its AbortSignal, and the group waits for it. Pass the signal on to what it awaits: " +
  "fetch(url, { signal: taskSignal() }) in a soonify'd function (taskSignal() is the running task's signal), " +
  "or the signal tg.spawn gives its function. (Reported once, after the group's stuckAfter.)"

/**
 * Reports a stuck task: `process.emitWarning(message, "SoonifyStuckTaskWarning")` (Node
 * prints it on stderr; `process.on("warning")` sees it), `console.warn` where there is no `process`.
 */
export const reportStuck = (stuck: StuckTask): void => {
  const message = stuckMessage(stuck)
  const emitWarning = (globalThis as Globals).process?.emitWarning
  if (typeof emitWarning === "function")
    emitWarning.call((globalThis as Globals).process, message, "SoonifyStuckTaskWarning")
  else console.warn(`SoonifyStuckTaskWarning: ${message}`)
}
