import * as Duration from "effect/Duration"
import type { StuckTask } from "../TaskGroup.ts"
import { durationOptionFrom } from "./validation.ts"

// Stuck cancellations (DESIGN §3, §4 guarantee 7): the kernel watches them (one timer
// per group, made when one of its tasks is first asked to stop) and reports each once
// through the runtime's `warn`; core logs it at Warning level (or calls `onStuckUnsafe`).

/** `stuckAfter` when the option is not given: 10 seconds. */
export const defaultStuckAfter = 10_000

/** A checked `stuckAfter`, in milliseconds: `undefined` for never (`"Infinity"`), or the message of its problem. */
export const stuckAfterFrom = (where: string, stuckAfter: unknown): number | undefined | string => {
  if (stuckAfter === undefined) return defaultStuckAfter
  const duration = durationOptionFrom(
    where,
    "stuckAfter",
    stuckAfter,
    '"10 seconds" or 10000 millis, "Infinity" for never'
  )
  return typeof duration === "object" ? Duration.toMillis(duration) : duration
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`

/** The message core logs (at Warning level) for a stuck task. */
export const stuckMessage = (stuck: StuckTask): string =>
  `TaskGroup "${stuck.group}": task "${stuck.task}" was asked to stop ${seconds(stuck.ignoredFor)} ago and has not ` +
  "ended; the group waits for it. Its fiber is uninterruptible (Effect.uninterruptible, a finalizer, the acquire of " +
  "acquireRelease) or awaits something that ignores interruption (Effect.promise without its AbortSignal, a " +
  "callback without a canceller): pass the signal on (Effect.tryPromise((signal) => fetch(url, { signal }))), make " +
  "that step interruptible, or give it a timeout. (Reported once, after the group's stuckAfter.)"
