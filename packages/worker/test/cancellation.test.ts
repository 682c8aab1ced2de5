import { it } from "@effect/vitest"
import { TaskGroup } from "@soonify/core"
import { WorkerFn, WorkerPool } from "@soonify/worker"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import { describe, expect } from "vitest"
import * as F from "./fixtures/fns.ts"

/** Waits, with real time, until `counter[0]` has moved: the call is running on its worker. */
const started = (counter: Int32Array) =>
  Effect.gen(function* () {
    while (Atomics.load(counter, 0) === 0) yield* Effect.sleep("2 millis")
  })

/** The CPU time (ms) the whole process (every thread) uses over `ms` of real time. */
const cpuOver = (ms: number) =>
  Effect.gen(function* () {
    const before = process.cpuUsage()
    yield* Effect.sleep(`${ms} millis`)
    const used = process.cpuUsage(before)
    return (used.user + used.system) / 1000
  })

const now = Effect.sync(() => performance.now())

describe("cancel mode terminate (the default)", () => {
  it.live("terminates the thread of a loop that never yields: it stops counting, the CPU is free", () =>
    Effect.gen(function* () {
      const counter = F.counter()
      let busy = 0
      yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const soon = yield* group.soonify(WorkerFn.call(F.spin))(counter)
          yield* started(counter)
          // While it spins, the process uses CPU (as much as a loaded machine gives it).
          busy = yield* cpuOver(300)
          expect(busy).toBeGreaterThan(10)
          yield* soon.cancel
          expect(soon.ready).toBe(true)
          const exit = yield* soon.poll
          expect(exit._tag === "Some" && Exit.hasInterrupts(exit.value)).toBe(true)
        })
      )
      // `cancel` returned once the thread had exited: the count never moves again.
      const stoppedAt = Atomics.load(counter, 0)
      const idle = yield* cpuOver(300)
      expect(idle).toBeLessThan(busy / 2)
      expect(Atomics.load(counter, 0)).toBe(stoppedAt)
      // The pool replaced the thread: the next call runs.
      expect(yield* WorkerFn.call(F.add)(2, 3)).toBe(5)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )

  it.live("a timeout around a call terminates it", () =>
    Effect.gen(function* () {
      const counter = F.counter()
      yield* WorkerFn.call(F.add)(0, 0) // a thread, warm: the loop starts well before the timeout
      const exit = yield* Effect.exit(WorkerFn.call(F.spin)(counter).pipe(Effect.timeout("500 millis")))
      expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toMatch(/TimeoutError/)
      const stoppedAt = Atomics.load(counter, 0)
      expect(stoppedAt).toBeGreaterThan(0)
      yield* Effect.sleep("50 millis")
      expect(Atomics.load(counter, 0)).toBe(stoppedAt)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )
})

describe("cancel mode cooperative", () => {
  it.live("aborts the function's signal; its finally runs and its thread is kept", () =>
    Effect.gen(function* () {
      const counter = F.counter()
      const before = yield* WorkerFn.call(F.whichThread)()
      yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const soon = yield* group.soonify(WorkerFn.call(F.spinCooperatively))(counter)
          yield* started(counter)
          yield* soon.cancel
          expect(Atomics.load(counter, 1)).toBe(1) // its finally ran before cancel returned
        })
      )
      const stoppedAt = Atomics.load(counter, 0)
      yield* Effect.sleep("30 millis")
      expect(Atomics.load(counter, 0)).toBe(stoppedAt)
      expect(yield* WorkerFn.call(F.whichThread)()).toBe(before)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )

  it.live("interrupts an Effect the function returned, running its finalizers", () =>
    Effect.gen(function* () {
      const counter = F.counter()
      const soon = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const soon = yield* group.soonify(WorkerFn.call(F.effectForever))(counter)
          yield* started(counter)
          yield* soon.cancel
          return soon
        })
      )
      expect(Atomics.load(counter, 1)).toBe(1)
      const exit = yield* soon.poll
      expect(exit._tag === "Some" && Exit.hasInterrupts(exit.value)).toBe(true)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )

  it.live("counts an AbortError from Node's own APIs (timers/promises) as stopping, not as a failure", () =>
    Effect.gen(function* () {
      const counter = F.counter()
      const soon = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const soon = yield* group.soonify(WorkerFn.call(F.sleepAbortably))(10_000, counter)
          yield* started(counter)
          yield* soon.cancel
          return soon
        })
      )
      const exit = yield* soon.poll
      expect(
        exit._tag === "Some" && exit.value._tag === "Failure" && exit.value.cause.reasons.map((r) => r._tag)
      ).toEqual(["Interrupt"])
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )

  it.live("waits for a function that ignores its signal, and drops its result", () =>
    Effect.gen(function* () {
      const counter = F.counter()
      const soon = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const soon = yield* group.soonify(WorkerFn.call(F.ignoreSignal))(400, counter)
          yield* started(counter)
          const start = yield* now
          yield* soon.cancel
          // The function sleeps 400 ms from its start: cancel waited for most of them.
          expect((yield* now) - start).toBeGreaterThanOrEqual(200)
          return soon
        })
      )
      const exit = yield* soon.poll
      expect(exit._tag === "Some" && Exit.hasInterrupts(exit.value)).toBe(true)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )

  it.live("reports a failure the function met while stopping, as a failure of the group", () =>
    Effect.gen(function* () {
      const counter = F.counter()
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const soon = yield* group.soonify(WorkerFn.call(F.failOnAbort))(counter)
            yield* started(counter)
            yield* soon.cancel
          })
        )
      )
      expect(Exit.isFailure(exit) && exit.cause.reasons.filter(Cause.isDieReason).map((r) => String(r.defect))).toEqual(
        ["Error: cleanup failed"]
      )
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )
})

describe("cancel mode abandon", () => {
  it.live("ends the task at once; the worker finishes the call and drops its result", () =>
    Effect.gen(function* () {
      const counter = F.counter()
      yield* WorkerFn.call(F.add)(0, 0) // a thread, warm
      yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const soon = yield* group.soonify(WorkerFn.call(F.abandonedBlock))(300, counter)
          yield* Effect.sleep("30 millis")
          const start = yield* now
          yield* soon.cancel
          expect((yield* now) - start).toBeLessThan(100)
        })
      )
      expect(Atomics.load(counter, 0)).toBe(0)
      // The worker stays busy with the abandoned call, then takes the next one.
      expect(yield* WorkerFn.call(F.add)(1, 1)).toBe(2)
      expect(Atomics.load(counter, 0)).toBe(1)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )
})

describe("calls waiting for a worker", () => {
  it.live("behind an abandoned call still wait for its worker, and are dropped when cancelled", () =>
    Effect.gen(function* () {
      const abandoned = F.counter()
      const waiting = F.counter()
      yield* WorkerFn.call(F.add)(0, 0) // a thread, warm
      yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const first = yield* group.soonify(WorkerFn.call(F.abandonedBlock))(200, abandoned)
          yield* Effect.sleep("20 millis")
          yield* first.cancel
          // The worker is still busy with the abandoned call: this one waits its turn.
          const second = yield* group.soonify(WorkerFn.call(F.abandonedBlock))(1, waiting)
          yield* Effect.sleep("20 millis")
          yield* second.cancel
        })
      )
      // Once the abandoned call is over, the next call runs; the dropped one never did.
      expect(yield* WorkerFn.call(F.add)(1, 1)).toBe(2)
      expect(Atomics.load(abandoned, 0)).toBe(1)
      expect(Atomics.load(waiting, 0)).toBe(0)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )

  it.live("are dropped when cancelled, whatever their mode: they never run", () =>
    Effect.gen(function* () {
      const busy = F.counter()
      const queued = F.counter()
      yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          yield* group.soonify(WorkerFn.call(F.block))(100, busy)
          const waiting = [
            yield* group.soonify(WorkerFn.call(F.block))(1, queued),
            yield* group.soonify(WorkerFn.call(F.abandonedBlock))(1, queued),
            yield* group.soonify(WorkerFn.call(F.spinCooperatively))(queued)
          ]
          yield* Effect.sleep("20 millis")
          yield* Effect.forEach(waiting, (soon) => soon.cancel)
        })
      )
      expect(Atomics.load(busy, 0)).toBe(1)
      expect(Atomics.load(queued, 0)).toBe(0)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )
})

describe("fail fast", () => {
  it.live("an ordinary task's failure cancels the worker tasks by their modes", () =>
    Effect.gen(function* () {
      const spinning = F.counter()
      const cooperating = F.counter()
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            yield* group.soonify(WorkerFn.call(F.spin))(spinning)
            yield* group.soonify(WorkerFn.call(F.spinCooperatively))(cooperating)
            yield* Effect.all([started(spinning), started(cooperating)])
            yield* group.spawn(Effect.fail("ordinary failure"))
          })
        )
      )
      // the failure alone (its reason also carries a frame naming its task and group)
      expect(
        Exit.isFailure(exit) &&
          exit.cause.reasons.map((reason) => [reason._tag, Cause.squash(Cause.fromReasons([reason]))])
      ).toEqual([["Fail", "ordinary failure"]])
      expect(Atomics.load(cooperating, 1)).toBe(1)
      const stoppedAt = Atomics.load(spinning, 0)
      yield* Effect.sleep("50 millis")
      expect(Atomics.load(spinning, 0)).toBe(stoppedAt)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 2 })))
  )

  it.live("a worker task's failure cancels ordinary tasks and other worker tasks", () =>
    Effect.gen(function* () {
      const spinning = F.counter()
      let finalized = false
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            yield* group.spawn(Effect.never.pipe(Effect.ensuring(Effect.sync(() => (finalized = true)))))
            yield* group.soonify(WorkerFn.call(F.spin))(spinning)
            yield* started(spinning)
            yield* group.soonify(WorkerFn.call(F.hashFile))("not-a-text.bin")
          })
        )
      )
      expect(Exit.isFailure(exit) && exit.cause.reasons.filter(Cause.isFailReason).map((r) => r.error)).toEqual([
        expect.objectContaining({ _tag: "HashError", file: "not-a-text.bin" })
      ])
      expect(finalized).toBe(true)
      const stoppedAt = Atomics.load(spinning, 0)
      yield* Effect.sleep("50 millis")
      expect(Atomics.load(spinning, 0)).toBe(stoppedAt)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 2 })))
  )
})

describe("interruption from outside", () => {
  it.live("stays an interruption, and stops the group's worker calls before the group ends", () =>
    Effect.gen(function* () {
      const spinning = F.counter()
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) => Effect.andThen(group.soonify(WorkerFn.call(F.spin))(spinning), Effect.never))
      )
      yield* started(spinning)
      const exit = yield* Fiber.interrupt(fiber).pipe(Effect.andThen(Fiber.await(fiber)))
      expect(Exit.isFailure(exit) && exit.cause.reasons.every(Cause.isInterruptReason)).toBe(true)
      const stoppedAt = Atomics.load(spinning, 0)
      yield* Effect.sleep("30 millis")
      expect(Atomics.load(spinning, 0)).toBe(stoppedAt)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
  )
})

describe("concurrency", () => {
  it.live("busy workers count against the group's concurrency", () =>
    Effect.gen(function* () {
      const probe = new Int32Array(new SharedArrayBuffer(8))
      yield* TaskGroup.run(
        // Each call waits up to 200 ms for a second one: none comes under concurrency 1.
        (group) => Effect.forEach([1, 2, 3, 4], () => group.soonify(WorkerFn.call(F.overlap))(probe, 30, 2, 200)),
        { concurrency: 1 }
      )
      expect(Atomics.load(probe, 1)).toBe(1)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 2 })))
  )

  it.live("at most `size` calls run at once, the others wait their turn", () =>
    Effect.gen(function* () {
      const probe = new Int32Array(new SharedArrayBuffer(8))
      // Each call waits for a second one to run beside it (or gives up after 2 s), so a
      // late thread start cannot serialise them; three at once would be a bug.
      yield* TaskGroup.gather(Array.from({ length: 6 }, () => WorkerFn.call(F.overlap)(probe, 30, 2)))
      expect(Atomics.load(probe, 1)).toBe(2)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 2 })))
  )
})
