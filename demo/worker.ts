// CPU-bound work with @soonify/worker: while a group hashes, a 10 ms timer counts its
// ticks. On the event loop the timer stalls until the work is done; on worker threads
// it keeps ticking.
import { taskGroup } from "@soonify/interop"
import { createWorkerPool, defineWorkerFn } from "@soonify/worker/interop"
import { randomFillSync } from "node:crypto"
import { sha256Repeated } from "./hash.worker.ts"

const hash = defineWorkerFn<typeof sha256Repeated>(new URL("./hash.worker.ts", import.meta.url), "sha256Repeated")

/** 16 tasks, each hashing its own MiB 32 times: about 0.3 s of CPU on a fast core. */
const buffers = Array.from({ length: 16 }, () => randomFillSync(new Uint8Array(1 << 20)))
const times = 32
const tickMs = 10

/** How often a `tickMs` timer ticked while `work` ran, and for how long it ran. */
const ticksDuring = async <A>(work: () => Promise<A>) => {
  let ticks = 0
  const timer = setInterval(() => ticks++, tickMs)
  const start = performance.now()
  const result = await work()
  const ms = Math.round(performance.now() - start)
  clearInterval(timer)
  return { result, ticks, ms }
}

const report = (where: string, { ticks, ms }: { readonly ticks: number; readonly ms: number }) =>
  console.log(
    `   ${where}: ${ticks} ticks of a ${tickMs} ms timer in ${ms} ms (${Math.floor(ms / tickMs)} if never held up)`
  )

export const workerDemo = async (): Promise<void> => {
  console.log(`== @soonify/worker (CPU-bound work on worker threads) ==`)
  console.log(`1. ${buffers.length} hashes of 1 MiB × ${times} in a task group, on the event loop`)
  const onTheLoop = await ticksDuring(() =>
    taskGroup(async (tg) => buffers.map((data) => tg.soonify(async () => sha256Repeated(data, times))()))
  )
  report("on the event loop", onTheLoop)

  await using pool = createWorkerPool()
  // The threads start on the first calls: start them all before timing.
  await Promise.all(Array.from({ length: pool.size }, () => pool.run(hash, [new Uint8Array(1), 1])))
  console.log(`2. The same hashes in a task group, on ${pool.size} worker threads`)
  const onWorkers = await ticksDuring(() =>
    taskGroup(async (tg) => buffers.map((data) => tg.spawn(pool.task(hash, data, times))))
  )
  report("on worker threads", onWorkers)
  const same = onWorkers.result.every((soon, i) => soon.value === onTheLoop.result[i]!.value)
  console.log(`   the same ${buffers.length} digests both ways: ${same}`)
  console.log(`   ticks: ${onTheLoop.ticks} on the event loop, ${onWorkers.ticks} on worker threads`)
}
