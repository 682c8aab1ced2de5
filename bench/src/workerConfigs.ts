/**
 * CPU-bound work on worker threads: the `hash` kind (`hash.ts`) run by @soonify/worker,
 * in a core group and in an interop group, and by piscina directly; the event-loop
 * anchor is any other configuration given the same kind (`promise-all`).
 *
 * Each pool has `os.availableParallelism()` threads and is made once per child
 * process, when the configuration loads, then warmed: every thread started and the
 * worker module loaded, so that no timed run pays for a thread's start-up. The pools
 * stay open until the child exits.
 */
import { TaskGroup, type SoonValue } from "@soonify/core"
import * as Interop from "@soonify/interop"
import { type WorkerCrashed, WorkerFn, WorkerPool } from "@soonify/worker"
import { createWorkerPool, defineWorkerFn } from "@soonify/worker/interop"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { availableParallelism } from "node:os"
import { Piscina } from "piscina"
import type { Config } from "./configs.ts"
import { checkDigest, hashInput } from "./hash.ts"
import type * as Work from "./hash.worker.ts"

const hashWorkerModule = new URL("./hash.worker.ts", import.meta.url)

/** Threads per pool: one per core. */
const size = availableParallelism()

/**
 * Starts every thread of a pool and loads the worker module in it: `2 × size` calls
 * at once, each checked, then the pool's thread count checked.
 */
const warm = async (
  pool: string,
  call: (data: Uint8Array) => Promise<unknown>,
  threads: () => Promise<number> | number
): Promise<void> => {
  const digests = await Promise.all(Array.from({ length: 2 * size }, () => call(hashInput(0))))
  for (const digest of digests) checkDigest(0, digest)
  const started = await threads()
  if (started !== size) throw new Error(`${pool}: ${started} threads after warming, expected ${size}`)
}

export const workerConfigs: ReadonlyArray<Config> = [
  {
    id: "worker-core",
    label: "core group.soonify(WorkerFn.call(hash)) on workers",
    family: "soonify worker",
    world: "worker",
    load: async () => {
      const runtime = ManagedRuntime.make(WorkerPool.layer({ size }))
      const hash = WorkerFn.make<typeof Work.hash>(hashWorkerModule, "hash")
      await warm(
        "WorkerPool.layer",
        (data) => runtime.runPromise(WorkerFn.call(hash)(data)),
        () => runtime.runPromise(Effect.map(Effect.service(WorkerPool.WorkerPool), (pool) => pool.threads))
      )
      return (inputs, task) =>
        runtime.runPromise(
          Effect.gen(function* () {
            const handles = yield* TaskGroup.run((group) =>
              Effect.gen(function* () {
                const soon = group.soonify(WorkerFn.call(hash))
                const handles: Array<SoonValue.SoonValue<string, WorkerCrashed>> = []
                for (let i = 0; i < inputs.length; i++) handles.push(yield* soon(task.input(inputs[i])))
                return handles
              })
            )
            const results: Array<number> = []
            for (let i = 0; i < handles.length; i++) results.push(task.check(inputs[i], yield* handles[i].value))
            return results
          })
        )
    }
  },
  {
    id: "worker-interop",
    label: "interop tg.spawn(pool.task(hash, buffer)) on workers",
    family: "soonify worker",
    world: "worker",
    load: async () => {
      const pool = createWorkerPool({ size })
      const hash = defineWorkerFn<typeof Work.hash>(hashWorkerModule, "hash")
      await warm(
        "createWorkerPool",
        (data) => pool.run(hash, [data]),
        () => pool.threads
      )
      return async (inputs, task) => {
        const handles = await Interop.taskGroup(async (tg) => {
          const handles: Array<Interop.SoonValue<string>> = []
          for (let i = 0; i < inputs.length; i++) handles.push(tg.spawn(pool.task(hash, task.input(inputs[i]))))
          return handles
        })
        const results: Array<number> = []
        for (let i = 0; i < handles.length; i++) results.push(task.check(inputs[i], handles[i].value))
        return results
      }
    }
  },
  {
    id: "piscina",
    label: "piscina.run directly, on workers",
    family: "peer",
    world: "worker",
    load: async () => {
      const piscina = new Piscina<Uint8Array, string>({
        filename: hashWorkerModule.href,
        name: "hash",
        minThreads: size,
        maxThreads: size,
        idleTimeout: Infinity
      })
      await warm(
        "piscina",
        (data) => piscina.run(data),
        () => piscina.threads.length
      )
      return async (inputs, task) => {
        const digests = await Promise.all(inputs.map((i) => piscina.run(task.input(i))))
        return digests.map((digest, k) => task.check(inputs[k], digest))
      }
    }
  }
]
