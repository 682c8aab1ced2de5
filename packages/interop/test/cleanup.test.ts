// What a group leaves behind once it has ended: no timer keeping the process alive for
// its timeout, no listener on the outside signal (which would keep the group reachable
// from a long-lived signal), and the timeout's own words.
import { describe, expect, it } from "vitest"
import { asCompleted, createTaskGroup, gather, taskGroup, TimeoutError } from "@soonify/interop"
import { getEventListeners } from "node:events"
import { after, sleep, untilAborted } from "./sleep.ts"

/** How many timers the process has pending. */
const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

describe("a timeout's timer", () => {
  it("is stopped once a group ends in time", async () => {
    const before = timers()
    await expect(taskGroup(async () => "done", { timeout: 60_000 })).resolves.toBe("done")
    expect(timers()).toBe(before)
    const tg = createTaskGroup({ timeout: 60_000 })
    tg.spawn(after(1, "x"))
    await tg[Symbol.asyncDispose]()
    expect(timers()).toBe(before)
  })

  it("is stopped once a gather with partial results ends in time", async () => {
    const before = timers()
    await expect(gather([after(1, "a")], { timeout: 60_000, returnExceptions: true })).resolves.toEqual(["a"])
    expect(timers()).toBe(before)
    await expect(gather([after(1, "a")], { timeout: 60_000 })).resolves.toEqual(["a"])
    expect(timers()).toBe(before)
  })

  it("says what timed out, and after how long", async () => {
    const error = await taskGroup(async (tg) => void tg.spawn(untilAborted), { timeout: 5, name: "slow" }).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as Error).message).toBe(
      'Task group "slow" timed out after 5 ms: its tasks were cancelled and have ended'
    )
    const [late] = await gather([untilAborted], { timeout: 5, returnExceptions: true })
    expect(late).toBeInstanceOf(TimeoutError)
    expect((late as Error).message).toBe(
      "gather(…) timed out after 5 ms: this task had not settled and was cancelled at the deadline"
    )
  })
})

describe("the listener on the outside signal", () => {
  it("is removed once the group ends", async () => {
    const controller = new AbortController()
    await taskGroup(async () => "done", { signal: controller.signal })
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0)
    const tg = createTaskGroup({ signal: controller.signal })
    tg.spawn(after(1, "x"))
    await tg[Symbol.asyncDispose]()
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0)
    await gather([after(1, "a")], { signal: controller.signal })
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0)
    for await (const _ of asCompleted([after(1, "a")], { signal: controller.signal })) void _
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0)
  })

  it("is gone once it fired, while the group still waits for its tasks", async () => {
    const controller = new AbortController()
    let listeners: number | undefined
    const reason = new Error("stop")
    const ended = taskGroup(
      async (tg) => {
        tg.spawn(async (signal) => {
          await untilAborted(signal).catch(() => undefined)
          await sleep(10) // still stopping
        })
      },
      { signal: controller.signal }
    )
    await sleep(1)
    controller.abort(reason)
    listeners = getEventListeners(controller.signal, "abort").length
    await expect(ended).rejects.toBe(reason)
    expect(listeners).toBe(0)
  })
})
