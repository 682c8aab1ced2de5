// The event loop stays responsive while workers hash: a 1 ms timer counts its ticks while
// 32 MiB are hashed, first on the event loop, then in a group on worker threads (the
// buffers moved to them, not copied):
// `node examples/responsive.ts`.
import { TaskGroup } from "@soonify/core"
import { WorkerFn, WorkerPool } from "@soonify/worker"
import { ManagedRuntime } from "effect"
import { createHash } from "node:crypto"
import type { sha256 } from "./hash.worker.ts"

const hash = WorkerFn.make<typeof sha256>(new URL("./hash.worker.ts", import.meta.url), "sha256")
const buffers = Array.from({ length: 32 }, (_, i) => new Uint8Array(1 << 20).fill(i))

/** How many times a 1 ms timer ticked while `work` ran, and how long it took. */
const ticksDuring = async (work: () => Promise<unknown>) => {
  let ticks = 0
  const timer = setInterval(() => ticks++, 1)
  const start = performance.now()
  await work()
  const ms = Math.round(performance.now() - start)
  clearInterval(timer)
  return { ticks, ms }
}

const onTheLoop = await ticksDuring(async () => {
  for (const data of buffers) createHash("sha256").update(data).digest("hex")
})

const workers = ManagedRuntime.make(WorkerPool.layer())
// A first call starts the threads, so that what is measured is the work alone.
await workers.runPromise(WorkerFn.call(hash)(new Uint8Array(1)))
const onWorkers = await ticksDuring(() =>
  workers.runPromise(TaskGroup.gather(buffers.map((data) => WorkerFn.call(hash)(WorkerFn.transfer(data)))))
)
await workers.dispose() // the pool closes: its threads exit

console.log(`on the event loop: ${onTheLoop.ticks} ticks in ${onTheLoop.ms} ms`)
console.log(`on worker threads: ${onWorkers.ticks} ticks in ${onWorkers.ms} ms`)
