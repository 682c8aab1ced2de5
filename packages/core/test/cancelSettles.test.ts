// "Cancellation always settles" (DESIGN §4 guarantee 7), swept with fast-check over
// random groups (test-setup/fuzz/cancelSweep.ts): tasks cancelled while queued (before the
// body yields), waiting for a permit, between retry attempts, joined through a key, from
// inside (their own handle, a sibling's, their own from their finalizer), with the group
// cancelled, timed out or interrupted from outside now and then. On the TestClock: a case
// that has not settled once every sleep is over has hung. SOONIFY_STRESS=1
// (`pnpm test:stress`) runs twenty times as many cases.
import { describe, it } from "@effect/vitest"
import { Effect, Fiber, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { type SoonValue, TaskGroup } from "@soonify/core"
import * as Fuzz from "../../../test-setup/fuzz/check.ts"
import {
  assertReached,
  newTally,
  type SweepCase,
  sweepArb,
  sweepProblems
} from "../../../test-setup/fuzz/cancelSweep.ts"
import { yieldTimes } from "./support.ts"

const settle = yieldTimes(25)

/** `promise`'s problems, or a hang reported as one if it has not settled within `ms` (real time). */
const within = (promise: Promise<Array<string>>, ms: number): Promise<Array<string>> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hung = new Promise<Array<string>>((resolve) => (timer = setTimeout(() => resolve(["the check hung"]), ms)))
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer))
}

/** The waiting states the cancels reached, over every case. */
const tally = newTally()

type From = "body" | "inside" | "finalizer"

const runCase = (c: SweepCase): Effect.Effect<Array<string>> =>
  Effect.gen(function* () {
    const betweenAttempts: Array<boolean> = []
    let bodyYielded = false
    const handles: Array<SoonValue.SoonValue<number, string>> = []
    const started: Array<boolean> = []
    const cancelledBeforeStart = new Set<number>()
    const ranAfterCancel: Array<number> = []
    let cancelsIssued = 0
    let cancelsSettled = 0
    const cancel = (target: number, from: From): Effect.Effect<void> =>
      Effect.suspend(() => {
        const soon = handles[target % handles.length]
        if (soon === undefined) return Effect.void
        const owner = handles.indexOf(soon)
        if (started[owner] !== true) cancelledBeforeStart.add(owner)
        if (!soon.ready) {
          if (from === "inside") tally.fromInside++
          if (from === "finalizer") tally.inFinalizer++
          if (started[owner] !== true) {
            if (!bodyYielded) tally.queued++
            else if (c.concurrency !== undefined) tally.permit++
          }
          if (betweenAttempts[owner] === true) tally.betweenAttempts++
          if (owner !== target % handles.length) tally.keyedJoin++
        }
        cancelsIssued++
        return Effect.ensuring(
          soon.cancel,
          Effect.sync(() => cancelsSettled++)
        )
      })
    const end = c.groupEnd
    const body = (tg: TaskGroup.TaskGroup) =>
      Effect.gen(function* () {
        if (end.kind === "cancel") yield* Effect.forkChild(Effect.andThen(Effect.sleep(end.at), TaskGroup.cancel(tg)))
        for (const [i, task] of c.tasks.entries()) {
          // A deaf task's work cannot be interrupted; its cancels of others can.
          const heard = (effect: Effect.Effect<void>) => (task.deaf ? Effect.uninterruptible(effect) : effect)
          const attempt = Effect.gen(function* () {
            if (cancelledBeforeStart.has(i)) ranAfterCancel.push(i)
            started[i] = true
            betweenAttempts[i] = false
            let left = task.duration
            if (task.cancels !== undefined) {
              const first = Math.min(task.cancels.after, left)
              yield* heard(Effect.sleep(first))
              left -= first
              yield* cancel(task.cancels.target === "self" ? i : task.cancels.target, "inside")
            }
            yield* heard(Effect.sleep(left))
            if (task.outcome === "fail") {
              betweenAttempts[i] = true
              return yield* Effect.fail(`task ${i} failed`)
            }
            return i
          })
          const effect = task.finalizerCancelsSelf ? Effect.ensuring(attempt, cancel(i, "finalizer")) : attempt
          handles.push(
            yield* tg.spawn(effect, {
              ...(task.retry === undefined
                ? {}
                : { retry: { times: task.retry.times, schedule: Schedule.spaced(task.retry.delay) } }),
              ...(task.key === undefined ? {} : { key: TaskGroup.key<number, string>(`key-${task.key}`) })
            })
          )
        }
        // At 0: before the body yields, while the spawns are still queued.
        let now = 0
        for (const { at, target } of c.cancels.toSorted((a, b) => a.at - b.at)) {
          if (at > now) {
            bodyYielded = true
            yield* Effect.sleep(at - now)
          }
          now = at
          yield* Effect.forkChild(cancel(target, "body"), { startImmediately: true })
        }
      })
    const group = TaskGroup.run(body, {
      mode: c.mode,
      ...(c.concurrency === undefined ? {} : { concurrency: c.concurrency }),
      ...(end.kind === "timeout" ? { timeout: end.at } : {})
    })
    // Detached: a case that hangs must not keep the check itself waiting (a child would be
    // interrupted, and waited for, when the check ends).
    const root = yield* Effect.forkDetach(Effect.exit(group))
    if (end.kind === "signal") yield* Effect.forkChild(Effect.andThen(Effect.sleep(end.at), Fiber.interrupt(root)))
    for (let round = 0; round < 4; round++) {
      yield* settle
      yield* TestClock.adjust(1_000)
    }
    yield* settle
    return sweepProblems({
      groupSettled: root.pollUnsafe() !== undefined,
      ready: handles.map((soon) => soon.ready),
      cancelsIssued,
      cancelsSettled,
      ranAfterCancel
    })
  }).pipe(Effect.provide(TestClock.layer()))

describe("cancellation always settles (core sweep)", () => {
  it(
    "queued, permits, retries, keyed joins, cancels from inside and from the body, group cancel/timeout/interruption",
    { timeout: 600_000 },
    async () => {
      await Fuzz.fuzz(sweepArb(50), (c) => within(Effect.runPromise(runCase(c)), 5_000), Fuzz.runs(300))
      assertReached(tally)
    }
  )
})
