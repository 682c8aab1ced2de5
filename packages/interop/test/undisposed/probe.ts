// A createTaskGroup that is never disposed, then garbage-collected: run by
// undisposed.test.ts in a fresh Node process with --expose-gc.
//
//   node --expose-gc --conditions=@soonify/source probe.ts failFast|settle|settleRead|settleStatus|settleHandled|settleThrows|disposed|cancelled
//
// Exits like Node does: with an unhandled rejection printed (code 1) when the group
// reports a lost failure (or, in settle mode, a failure left unread in a handle that was
// collected), with code 0 otherwise. `settleHandled` prints what `onTaskError` saw.
import { createTaskGroup } from "@soonify/interop"

declare const gc: () => void

const scenario = process.argv[2]

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

const start = async () => {
  const settle = scenario.startsWith("settle")
  const tg = createTaskGroup(
    settle
      ? {
          mode: "settle",
          ...(scenario === "settleHandled"
            ? { onTaskError: (error: unknown, soon) => console.log(`onTaskError ${soon.name}: ${String(error)}`) }
            : {}),
          ...(scenario === "settleThrows"
            ? {
                onTaskError: () => {
                  throw new Error("reporter down")
                }
              }
            : {})
        }
      : {}
  )
  if (scenario === "cancelled") {
    tg.spawn((signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))))
    tg.cancel()
  } else {
    const soon = tg.spawn(() => Promise.reject(new Error("lost failure")), { name: "job" })
    if (scenario === "settleRead") await soon.wait().catch(() => undefined)
    // Seen failed through `status` (as core's `poll`): read too.
    if (scenario === "settleStatus") {
      await tick()
      if (soon.status !== "rejected") throw new Error(`expected a rejected task, found ${soon.status}`)
    }
  }
  if (scenario === "disposed") await tg[Symbol.asyncDispose]().catch(() => undefined)
  if (scenario === "settleThrows") {
    // The group and its other tasks go on.
    const other = tg.spawn(async () => "fine")
    await tg[Symbol.asyncDispose]()
    console.log(`disposed, the other task: ${other.value}`)
  }
}

await start()
for (let i = 0; i < 10; i++) {
  await tick()
  gc()
}
await tick()
