// What a worker call costs over a bare piscina call, and what workers gain on CPU-bound
// work, measured in one process, round after round (each round runs every
// configuration once, so that every ratio compares runs made at the same time):
// `node --conditions=@soonify/source packages/worker/bench/overhead.ts`.
// Prints one JSON line: the median of each ratio over the rounds, and the machine's load.
import { TaskGroup } from "@soonify/core"
import { WorkerFn, WorkerPool } from "@soonify/worker"
import { createWorkerPool, defineWorkerFn } from "@soonify/worker/interop"
import * as Effect from "effect/Effect"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { createHash } from "node:crypto"
import { loadavg } from "node:os"
import { Piscina } from "piscina"
import type * as Work from "./work.worker.ts"

const module = new URL("./work.worker.ts", import.meta.url)
const add = WorkerFn.make<typeof Work.add>(module, "add")
const sha256 = WorkerFn.make<typeof Work.sha256>(module, "sha256")
const addPromise = defineWorkerFn<typeof Work.add>(module, "add")

const size = 2
const piscina = new Piscina({ filename: module.href, minThreads: size, maxThreads: size, idleTimeout: Infinity })
const runtime = ManagedRuntime.make(WorkerPool.layer({ size }))
const pool = createWorkerPool({ size })

const calls = 2000
const batch = 64
const rounds = 7
const buffers = Array.from({ length: 16 }, (_, i) => new Uint8Array(1 << 20).fill(i))

const time = async (f: () => Promise<unknown>): Promise<number> => {
  const start = performance.now()
  await f()
  return performance.now() - start
}
const batches = <A>(call: () => Promise<A>) =>
  time(async () => {
    for (let i = 0; i < calls; i += batch) await Promise.all(Array.from({ length: batch }, call))
  })

const configurations = {
  // `calls` trivial calls, `batch` at a time.
  piscina: () => batches(() => piscina.run({ a: 1, b: 2 })),
  core: () =>
    time(() =>
      runtime.runPromise(
        Effect.gen(function* () {
          for (let i = 0; i < calls; i += batch) {
            yield* TaskGroup.run((group) =>
              Effect.forEach(Array.from({ length: batch }), () => group.soonify(WorkerFn.call(add))(1, 2))
            )
          }
        })
      )
    ),
  interop: () => batches(() => pool.run(addPromise, [1, 2])),
  // 16 SHA-256 of 1 MiB each.
  hashOnTheLoop: () =>
    time(async () => {
      for (const data of buffers) createHash("sha256").update(data).digest("hex")
    }),
  hashInGroup: () =>
    time(() => runtime.runPromise(TaskGroup.gather(buffers.map((data) => WorkerFn.call(sha256)(data))))),
  hashWithPiscina: () => time(() => Promise.all(buffers.map((data) => piscina.run({ data }, { name: "sha256Task" }))))
}

const samples: Record<keyof typeof configurations, Array<number>> = {
  piscina: [],
  core: [],
  interop: [],
  hashOnTheLoop: [],
  hashInGroup: [],
  hashWithPiscina: []
}
for (let round = -1; round < rounds; round++) {
  for (const [name, run] of Object.entries(configurations)) {
    const ms = await run()
    if (round >= 0) samples[name as keyof typeof configurations].push(ms) // round -1 warms up
  }
}
const ratios = (a: Array<number>, b: Array<number>) => a.map((x, i) => x / b[i]!)
const median = (xs: Array<number>) => xs.toSorted((x, y) => x - y)[xs.length >> 1]!
console.log(
  JSON.stringify({
    load: Number(loadavg()[0]!.toFixed(1)),
    piscinaMicrosPerCall: Number(((median(samples.piscina) / calls) * 1000).toFixed(1)),
    coreOverPiscina: Number(median(ratios(samples.core, samples.piscina)).toFixed(2)),
    interopOverPiscina: Number(median(ratios(samples.interop, samples.piscina)).toFixed(2)),
    speedUpOverTheLoop: Number(median(ratios(samples.hashOnTheLoop, samples.hashInGroup)).toFixed(2)),
    groupOverPiscina: Number(median(ratios(samples.hashInGroup, samples.hashWithPiscina)).toFixed(2))
  })
)
await runtime.dispose()
await pool.close()
await piscina.destroy()
