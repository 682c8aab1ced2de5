import { it } from "@effect/vitest"
import { TaskGroup } from "@soonify/core"
import { WorkerCrashed, WorkerFn, WorkerPool } from "@soonify/worker"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import { availableParallelism } from "node:os"
import { describe, expect } from "vitest"
import * as F from "./fixtures/fns.ts"

const started = (counter: Int32Array) =>
  Effect.gen(function* () {
    while (Atomics.load(counter, 0) === 0) yield* Effect.sleep("2 millis")
  })

describe("a crashed worker", () => {
  it.live("fails its call with WorkerCrashed: exit code, uncaught error, out of memory; the next call runs", () =>
    Effect.gen(function* () {
      const exited = yield* Effect.flip(WorkerFn.call(F.exit)(3))
      expect(exited).toBeInstanceOf(WorkerCrashed)
      expect([exited.reason, exited.exitCode, exited.fn]).toEqual(["exit", 3, "exit"])
      expect(exited.message).toMatch(/The worker thread running exit \(.*tasks\.worker\.ts\) exited with code 3/)

      const uncaught = yield* Effect.flip(WorkerFn.call(F.throwLater)())
      expect(uncaught.reason).toBe("uncaughtError")
      expect(uncaught.message).toMatch(/crashed on an uncaught error \(thrown from a timer\)/)

      const oom = yield* Effect.flip(WorkerFn.call(F.hog)())
      expect(oom.reason).toBe("outOfMemory")
      expect(oom.message).toMatch(/ran out of memory/)

      expect(yield* WorkerFn.call(F.add)(20, 22)).toBe(42)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 1, resourceLimits: { maxOldGenerationSizeMb: 32 } })))
  )

  it.live("that dies while starting (limits too small to load) fails the calls waiting for it, never hangs", () =>
    Effect.gen(function* () {
      const errors = yield* Effect.forEach([1, 2, 3], (n) => Effect.flip(WorkerFn.call(F.add)(n, n)), {
        concurrency: "unbounded"
      })
      expect(errors.map((error) => [error._tag, error.reason])).toEqual([
        ["WorkerCrashed", "outOfMemory"],
        ["WorkerCrashed", "outOfMemory"],
        ["WorkerCrashed", "outOfMemory"]
      ])
    }).pipe(
      Effect.timeout("15 seconds"),
      Effect.provide(WorkerPool.layer({ size: 2, resourceLimits: { maxOldGenerationSizeMb: 8 } }))
    )
  )

  it.live("is a failure of its group like any task's, cancelling the others", () =>
    Effect.gen(function* () {
      const spinning = F.counter()
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            yield* group.soonify(WorkerFn.call(F.spin))(spinning)
            yield* started(spinning)
            yield* group.soonify(WorkerFn.call(F.exit))(1)
          })
        )
      )
      expect(Exit.isFailure(exit) && exit.cause.reasons.filter(Cause.isFailReason).map((r) => r.error._tag)).toEqual([
        "WorkerCrashed"
      ])
      const stoppedAt = Atomics.load(spinning, 0)
      yield* Effect.sleep("30 millis")
      expect(Atomics.load(spinning, 0)).toBe(stoppedAt)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 2 })))
  )
})

describe("WorkerPool", () => {
  it.live("is closed with its scope: every thread has exited when the scope has", () =>
    Effect.gen(function* () {
      const pool = yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* WorkerPool.make({ size: 2, name: "scoped" })
          yield* TaskGroup.gather([1, 2, 3].map((n) => WorkerFn.call(F.add)(n, n))).pipe(
            Effect.provideService(WorkerPool.WorkerPool, pool)
          )
          expect(pool.threads).toBeGreaterThan(0)
          return pool
        })
      )
      expect(pool.threads).toBe(0)
      expect(String(pool)).toMatch(/"state":"closed"/)
    })
  )

  it.live("closing the scope terminates calls still running, which die saying so", () =>
    Effect.gen(function* () {
      const counter = F.counter()
      const fiber = yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* WorkerPool.make({ size: 1, name: "short-lived" })
          // A call forked outside any group, so that only the pool's scope ends it.
          const fiber = yield* Effect.forkDetach(
            WorkerFn.call(F.spin)(counter).pipe(Effect.provideService(WorkerPool.WorkerPool, pool))
          )
          yield* started(counter)
          return fiber
        })
      )
      const exit = yield* Fiber.await(fiber)
      const defect = Exit.isFailure(exit) ? exit.cause.reasons.find(Cause.isDieReason)?.defect : undefined
      expect(String(defect)).toMatch(/WorkerFn spin: the worker pool "short-lived" closed while the call ran/)
      const stoppedAt = Atomics.load(counter, 0)
      yield* Effect.sleep("30 millis")
      expect(Atomics.load(counter, 0)).toBe(stoppedAt)
    })
  )

  it.live("a call on a closed pool dies with a message saying so", () =>
    Effect.gen(function* () {
      const pool = yield* Effect.scoped(WorkerPool.make({ size: 1, name: "gone" }))
      const exit = yield* Effect.exit(
        WorkerFn.call(F.add)(1, 2).pipe(Effect.provideService(WorkerPool.WorkerPool, pool))
      )
      const defect = Exit.isFailure(exit) ? exit.cause.reasons.find(Cause.isDieReason)?.defect : undefined
      expect(String(defect)).toMatch(/WorkerFn add: the worker pool "gone" is closed/)
      // The advice of the API that made the pool: Effect's scope, not `await using`.
      expect(String(defect)).toContain(
        "A pool must outlive the calls on it: provide its layer (or keep its scope open) around every group that calls it."
      )
      const unnamed = yield* Effect.scoped(WorkerPool.make({ size: 1 }))
      const unnamedExit = yield* Effect.exit(
        WorkerFn.call(F.add)(1, 2).pipe(Effect.provideService(WorkerPool.WorkerPool, unnamed))
      )
      const unnamedDefect = Exit.isFailure(unnamedExit)
        ? unnamedExit.cause.reasons.find(Cause.isDieReason)?.defect
        : undefined
      expect(String(unnamedDefect)).toContain("WorkerFn add: the worker pool of WorkerPool.layer / make is closed")
    })
  )

  it.live("one layer serves several groups", () =>
    Effect.gen(function* () {
      const [a, b] = yield* Effect.all(
        [
          TaskGroup.run((group) => group.soonify(WorkerFn.call(F.add))(1, 1)),
          TaskGroup.run((group) => group.soonify(WorkerFn.call(F.add))(2, 2))
        ],
        { concurrency: "unbounded" }
      )
      expect([yield* a.value, yield* b.value]).toEqual([2, 4])
      expect(yield* WorkerPool.WorkerPool.useSync((pool) => pool.size)).toBe(2)
    }).pipe(Effect.provide(WorkerPool.layer({ size: 2 })))
  )

  it.effect("defaults to one thread per core, and tells a pool apart", () =>
    Effect.gen(function* () {
      const pool = yield* WorkerPool.WorkerPool
      expect(pool.size).toBe(availableParallelism())
      expect(pool.name).toBe("WorkerPool")
      expect(pool.threads).toBe(0) // none before a call needs one
      expect(WorkerPool.isWorkerPool(pool)).toBe(true)
      expect(WorkerPool.isWorkerPool({ size: 1 })).toBe(false)
    }).pipe(Effect.provide(WorkerPool.layer()))
  )

  it.effect("dies with an IllegalArgumentError naming a bad option", () =>
    Effect.gen(function* () {
      const problems = yield* Effect.forEach(
        [{ size: 0 }, { size: 1.5 }, { name: 42 }, { resourceLimits: { maxOldGenerationSizeMb: -1 } }, "big"],
        (options) =>
          Effect.exit(Layer.build(WorkerPool.layer(options as never))).pipe(
            Effect.map((exit) => {
              const defect = Exit.isFailure(exit) ? exit.cause.reasons.find(Cause.isDieReason)?.defect : undefined
              expect(Cause.isIllegalArgumentError(defect)).toBe(true)
              return (defect as Error).message
            })
          ),
        { discard: false }
      ).pipe(Effect.scoped)
      expect(problems).toEqual([
        'WorkerPool.make: option "size" must be a positive integer, received number 0',
        'WorkerPool.make: option "size" must be a positive integer, received number 1.5',
        'WorkerPool.make: option "name" must be a string, received number 42',
        'WorkerPool.make: option "resourceLimits.maxOldGenerationSizeMb" must be a non-negative number, received number -1',
        'WorkerPool.make: options must be an object or undefined, received string "big"'
      ])
    })
  )
})
