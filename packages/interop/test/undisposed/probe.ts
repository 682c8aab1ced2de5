// A createTaskGroup that is never disposed, then garbage-collected: run by
// undisposed.test.ts in a fresh Node process with --expose-gc.
//
//   node --expose-gc --conditions=@soonify/source probe.ts failFast|settle|disposed|cancelled
//
// Exits like Node does: with an unhandled rejection printed (code 1) when the group
// reports a lost failure, with code 0 otherwise.
import { createTaskGroup } from "@soonify/interop"

declare const gc: () => void

const scenario = process.argv[2]

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

const start = async () => {
  const tg = createTaskGroup({ mode: scenario === "settle" ? "settle" : "failFast" })
  if (scenario === "cancelled") {
    tg.spawn((signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))))
    tg.cancel()
  } else {
    tg.spawn(() => Promise.reject(new Error("lost failure")))
  }
  if (scenario === "disposed") await tg[Symbol.asyncDispose]().catch(() => undefined)
}

await start()
for (let i = 0; i < 10; i++) {
  await tick()
  gc()
}
await tick()
