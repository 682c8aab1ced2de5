// "Cancellation always settles" (DESIGN §4 guarantee 7), swept with fast-check over
// random groups (test-setup/fuzz/cancelSweep.ts): tasks cancelled while waiting for a
// permit, between retry attempts, joined through a key, from inside (their own handle, a
// sibling's, their own from `finally`), with the group cancelled, timed out or aborted
// now and then. Real timers of a few milliseconds; each case is bounded: a hang fails it.
// SOONIFY_STRESS=1 (`pnpm test:stress`) runs twenty times as many cases.
import { describe, it } from "vitest"
import { type SoonValue, type TaskGroupOptions, taskGroup } from "@soonify/interop"
import * as Fuzz from "../../../test-setup/fuzz/check.ts"
import {
  assertReached,
  newTally,
  type SweepCase,
  sweepArb,
  sweepProblems
} from "../../../test-setup/fuzz/cancelSweep.ts"
import { sleep } from "./sleep.ts"

/** Resolves with `true` once `promise` settles, `false` if it has not within `ms`. */
const settlesWithin = (promise: Promise<unknown>, ms: number): Promise<boolean> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hung = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))
  const settled = promise.then(
    () => true,
    () => true
  )
  return Promise.race([settled, hung]).finally(() => clearTimeout(timer))
}

/** Sleeps `ms`; with a signal, stops (rejecting) when it aborts. */
const work = (ms: number, signal: AbortSignal | undefined): Promise<void> => sleep(ms, signal)

/** The waiting states the cancels reached, over every case. */
const tally = newTally()

type From = "body" | "inside" | "finalizer"

const runCase = async (c: SweepCase): Promise<Array<string>> => {
  const betweenAttempts: Array<boolean> = []
  const handles: Array<SoonValue<unknown>> = []
  const started: Array<boolean> = []
  const cancelledBeforeStart = new Set<number>()
  const ranAfterCancel: Array<number> = []
  let cancelsIssued = 0
  let cancelsSettled = 0
  const cancel = (target: number, from: From): Promise<void> => {
    const soon = handles[target % handles.length]
    if (soon === undefined) return Promise.resolve()
    const owner = handles.indexOf(soon)
    if (started[owner] !== true) cancelledBeforeStart.add(owner)
    if (!soon.ready) {
      if (from === "inside") tally.fromInside++
      if (from === "finalizer") tally.inFinalizer++
      // interop starts a task at once unless it waits for a permit: nothing is queued.
      if (started[owner] !== true && c.concurrency !== undefined) tally.permit++
      if (betweenAttempts[owner] === true) tally.betweenAttempts++
      if (owner !== target % handles.length) tally.keyedJoin++
    }
    cancelsIssued++
    const cancelling = soon.cancel()
    cancelling.then(
      () => cancelsSettled++,
      () => cancelsSettled++
    )
    return cancelling
  }
  const controller = new AbortController()
  const end = c.groupEnd
  const options: TaskGroupOptions = {
    mode: c.mode,
    ...(c.concurrency === undefined ? {} : { concurrency: c.concurrency }),
    ...(end.kind === "timeout" ? { timeout: end.at } : {}),
    ...(end.kind === "signal" ? { signal: controller.signal } : {})
  }
  const group = taskGroup(async (tg) => {
    if (end.kind === "cancel") setTimeout(() => tg.cancel(new Error("group cancelled")), end.at)
    if (end.kind === "signal") setTimeout(() => controller.abort(new Error("aborted")), end.at)
    c.tasks.forEach((task, i) => {
      const fn = async (signal: AbortSignal) => {
        if (cancelledBeforeStart.has(i)) ranAfterCancel.push(i)
        started[i] = true
        betweenAttempts[i] = false
        const heard = task.deaf ? undefined : signal
        try {
          let left = task.duration
          if (task.cancels !== undefined) {
            await work(Math.min(task.cancels.after, left), heard)
            left -= Math.min(task.cancels.after, left)
            const cancelling = cancel(task.cancels.target === "self" ? i : task.cancels.target, "inside")
            // A deaf task goes on whatever its cancel says; the others let its rejection end them.
            await (task.deaf ? cancelling.catch(() => undefined) : cancelling)
          }
          await work(left, heard)
          if (task.outcome === "fail") {
            betweenAttempts[i] = true
            throw new Error(`task ${i} failed`)
          }
          return i
        } finally {
          if (task.finalizerCancelsSelf) await cancel(i, "finalizer").catch(() => undefined)
        }
      }
      handles.push(
        tg.spawn(fn, {
          ...(task.retry === undefined ? {} : { retry: { times: task.retry.times, delay: task.retry.delay } }),
          ...(task.key === undefined ? {} : { key: `key-${task.key}` })
        })
      )
    })
    let now = 0
    for (const { at, target } of c.cancels.toSorted((a, b) => a.at - b.at)) {
      if (at > now) await sleep(at - now)
      now = at
      void cancel(target, "body")
    }
  }, options)
  const groupSettled = await settlesWithin(group, 2_000)
  // The cancels' own callbacks run after the group's: let them.
  await sleep(0)
  // Read: a settle group's failure nobody read is reported once its handle is collected.
  for (const soon of handles) if (soon.ready) void soon.exception
  return sweepProblems({
    groupSettled,
    ready: handles.map((soon) => soon.ready),
    cancelsIssued,
    cancelsSettled,
    ranAfterCancel
  })
}

describe("cancellation always settles (interop sweep)", () => {
  it(
    "permits, retries, keyed joins, cancels from inside and from the body, group cancel/timeout/signal",
    { timeout: 600_000 },
    async () => {
      await Fuzz.fuzz(sweepArb(6), runCase, Fuzz.runs(150))
      assertReached(tally, ["queued"])
    }
  )
})
