import { it } from "@effect/vitest"
import { TaskGroup } from "@soonify/core"
import { gather } from "@soonify/interop"
import { WorkerFn, WorkerPool } from "@soonify/worker"
import { createWorkerPool, defineWorkerFn } from "@soonify/worker/interop"
import * as Effect from "effect/Effect"
import { readdirSync } from "node:fs"
import { describe, expect } from "vitest"
import * as F from "./fixtures/fns.ts"
import type * as Tasks from "./fixtures/tasks.worker.ts"

/** The kinds of the process's active handles and requests, counted. */
const resources = (): Record<string, number> => {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  delete counts.Timeout // vitest's and Effect's own timers come and go
  return counts
}

/**
 * The OS threads of this process (Linux's /proc/self/task): each worker thread is one,
 * so a worker that has not exited shows here. Threads of libuv's pool may start
 * meanwhile, never end: a count back at or below its start means every worker exited.
 */
const osThreads = (): number => readdirSync("/proc/self/task").length

const started = (counter: Int32Array) =>
  Effect.gen(function* () {
    while (Atomics.load(counter, 0) === 0) yield* Effect.sleep("1 millis")
  })

describe("leaks", () => {
  it.live("1,000 calls in groups, some cancelled three ways, leave no thread or handle behind", () =>
    Effect.gen(function* () {
      const before = resources()
      const threadsBefore = osThreads()
      let threadsAtMost = 0
      let osThreadsDuring = 0
      yield* Effect.scoped(
        Effect.gen(function* () {
          const pool = yield* WorkerPool.make({ size: 2 })
          const work = TaskGroup.run((group) =>
            Effect.gen(function* () {
              const handles = []
              for (let i = 0; i < 1000; i++) handles.push(yield* group.soonify(WorkerFn.call(F.add))(i, 1))
              // Cancelled while running, each mode once per round.
              for (let round = 0; round < 3; round++) {
                const spinning = F.counter()
                const cooperating = F.counter()
                const blocked = F.counter()
                const spin = yield* group.soonify(WorkerFn.call(F.spin))(spinning)
                const coop = yield* group.soonify(WorkerFn.call(F.spinCooperatively))(cooperating)
                const abandoned = yield* group.soonify(WorkerFn.call(F.abandonedBlock))(5, blocked)
                yield* Effect.all([started(spinning), started(cooperating)])
                yield* Effect.all([spin.cancel, coop.cancel, abandoned.cancel])
                threadsAtMost = Math.max(threadsAtMost, pool.threads)
              }
              return handles
            })
          ).pipe(Effect.provideService(WorkerPool.WorkerPool, pool))
          const handles = yield* work
          const values = yield* Effect.forEach(handles, (soon) => soon.value)
          expect(values[999]).toBe(1000)
          threadsAtMost = Math.max(threadsAtMost, pool.threads)
          osThreadsDuring = osThreads()
        })
      )
      expect(threadsAtMost).toBeLessThanOrEqual(2)
      // Let the exit events of the threads settle.
      yield* Effect.sleep("20 millis")
      expect(resources()).toEqual(before)
      // The probe sees the pool's threads while it is open, and none once it has closed.
      expect(osThreadsDuring).toBeGreaterThanOrEqual(threadsBefore + 2)
      expect(osThreads()).toBeLessThanOrEqual(threadsBefore)
    })
  )

  it.live("1,000 interop calls through gather leave nothing behind once the pool is closed", () =>
    Effect.promise(async () => {
      const before = resources()
      const threadsBefore = osThreads()
      const add = defineWorkerFn<typeof Tasks.add>(F.tasks, "add")
      {
        await using pool = createWorkerPool({ size: 2 })
        const sums = await gather(Array.from({ length: 1000 }, (_, i) => pool.task(add, i, i)))
        expect(sums[999]).toBe(1998)
        expect(pool.threads).toBeLessThanOrEqual(2)
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
      expect(resources()).toEqual(before)
      expect(osThreads()).toBeLessThanOrEqual(threadsBefore)
    })
  )
})
