import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import type { StuckTask } from "../TaskGroup.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { durationOptionFrom } from "./validation.ts"

// Stuck cancellations (DESIGN §3, §4 guarantee 7): a task whose cancellation was asked
// for and that has not ended `stuckAfter` later is reported once. Nothing here runs for a
// task nobody cancels: a group makes its `StuckWatch` when one of its tasks is first asked
// to stop, and the watch runs one fiber, only while a task asked to stop has not ended.

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

/**
 * The tasks of one group that were asked to stop and have not ended: how many there are,
 * and the fiber that reports each one still running `stuckAfter` after its cancellation
 * (their `cancelledAt`). The fiber sleeps until the earliest report is due (on the
 * group's Clock), and ends, interrupted, as soon as no such task is left.
 *
 * @internal
 */
export class StuckWatch {
  private readonly group: GroupImpl
  private readonly stuckAfter: number | undefined
  /** How many of the group's tasks were asked to stop and have not ended. */
  private cancelling = 0
  private fiber: Fiber.Fiber<void> | undefined = undefined

  constructor(group: GroupImpl, stuckAfter: number | undefined) {
    this.group = group
    this.stuckAfter = stuckAfter
  }

  /** A task was asked to stop at `now`: it is cancelling until it ends (or `stopped`). */
  requested(handle: TaskHandle<any, any>, now: number): void {
    if (handle.cancelledAt !== undefined || handle.exit !== undefined) return
    handle.cancelledAt = now
    this.cancelling++
  }

  /** A task that was asked to stop has ended, or its timed-out attempt has (retry goes on). */
  stopped(handle: TaskHandle<any, any>): void {
    if (handle.cancelledAt === undefined) return
    handle.cancelledAt = undefined
    handle.stuckReported = undefined
    if (--this.cancelling === 0 && this.fiber !== undefined) {
      const fiber = this.fiber
      this.fiber = undefined
      fiber.interruptUnsafe()
    }
  }

  /** After a cancellation: starts the watch if a task asked to stop is still running. */
  watch(): void {
    if (this.cancelling === 0 || this.fiber !== undefined || this.stuckAfter === undefined) return
    const fiber = Effect.runForkWith(this.group.context)(this.check)
    if (fiber.pollUnsafe() === undefined) this.fiber = fiber
  }

  /** Reports the tasks due, then sleeps until the next one is; ends when none is left to watch. */
  private readonly check: Effect.Effect<void> = Effect.suspend(() => {
    const stuckAfter = this.stuckAfter!
    const now = this.group.observed.now()
    let next = Infinity
    const due: Array<StuckTask> = []
    for (const handle of this.group.live.toArray()) {
      const cancelledAt = handle.cancelledAt
      if (cancelledAt === undefined || handle.stuckReported === true) continue
      if (cancelledAt + stuckAfter <= now) {
        handle.stuckReported = true
        due.push({ task: handle.name, group: this.group.name, cancelledAt, ignoredFor: now - cancelledAt })
      } else {
        next = Math.min(next, cancelledAt + stuckAfter)
      }
    }
    const reported = Effect.forEach(due, (stuck) => this.report(stuck), { discard: true })
    if (next === Infinity) {
      return Effect.andThen(
        reported,
        Effect.sync(() => {
          this.fiber = undefined
        })
      )
    }
    return Effect.andThen(reported, Effect.andThen(Effect.sleep(Duration.millis(next - now)), this.check))
  })

  private report(stuck: StuckTask): Effect.Effect<void> {
    const reporter = this.group.stuckReporter
    if (reporter === undefined) return Effect.logWarning(stuckMessage(stuck))
    return Effect.sync(() => reporter(stuck))
  }
}
