// A cooperative worker function: it takes an AbortSignal first, and stops when it is aborted.
import { setTimeout } from "node:timers/promises"

/** Sleeps `ms` on the worker, unless its call is cancelled first. */
export const sleep = async (signal: AbortSignal, ms: number): Promise<string> => {
  await setTimeout(ms, undefined, { signal })
  return `slept ${ms} ms`
}
