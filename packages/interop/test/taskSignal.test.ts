// taskSignal() and reportProgress wherever a task runs (DESIGN §3 "Cancellation that
// reaches real I/O"): soonify'd calls, spawn'd and start'ed functions, gather and
// asCompleted functions, group bodies; and outside any task.
import { describe, expect, expectTypeOf, it } from "vitest"
import {
  asCompleted,
  CancelledError,
  gather,
  reportProgress,
  type SoonValue,
  taskGroup,
  taskSignal,
  TimeoutError
} from "@soonify/interop"
import { sleep, untilAborted } from "./sleep.ts"

describe("taskSignal", () => {
  it("outside any task is one shared signal that never aborts", async () => {
    const outside = taskSignal()
    expect(outside.aborted).toBe(false)
    expect(taskSignal()).toBe(outside)
    await sleep(1)
    expect(taskSignal()).toBe(outside)
  })

  it("in a soonify'd function is its task's, after awaits too, aborted with soon.cancel()'s CancelledError", async () => {
    const seen = new Map<string, AbortSignal>()
    const wait = async (name: string) => {
      await sleep(1)
      seen.set(name, taskSignal())
      await untilAborted(taskSignal())
    }
    await taskGroup(async (tg) => {
      const soon = tg.soonify(wait)("soon")
      const sibling = tg.soonify(wait)("sibling")
      await sleep(10)
      expect(seen.get("soon")?.aborted).toBe(false)
      expect(seen.get("soon")).not.toBe(taskSignal())
      expect(seen.get("soon")).not.toBe(seen.get("sibling"))
      await soon.cancel()
      expect(seen.get("soon")?.aborted).toBe(true)
      expect(seen.get("soon")?.reason).toBeInstanceOf(CancelledError)
      expect(seen.get("sibling")?.aborted).toBe(false)
      expect(soon.status).toBe("cancelled")
      await sibling.cancel()
    })
  })

  it("is aborted with the group's TimeoutError when the group times out, and after a sibling's failure", async () => {
    const reasons: Array<unknown> = []
    const waitForCancel = async () => {
      const signal = taskSignal()
      await untilAborted(signal).catch((reason) => {
        reasons.push(reason)
        throw reason
      })
    }
    await expect(taskGroup((tg) => void tg.soonify(waitForCancel)(), { timeout: 10 })).rejects.toBeInstanceOf(
      TimeoutError
    )
    const failure = new Error("sibling failed")
    await expect(
      taskGroup((tg) => {
        tg.soonify(waitForCancel)()
        tg.spawn(async () => {
          await sleep(5)
          throw failure
        })
      })
    ).rejects.toBe(failure)
    expect(reasons[0]).toBeInstanceOf(TimeoutError)
    expect(reasons[1]).toBeInstanceOf(CancelledError)
    expect((reasons[1] as Error).message).toContain("was cancelled after a failure")
  })

  it("in a spawn'd or start'ed function is the very signal the function was given", async () => {
    await taskGroup(async (tg) => {
      const spawned = tg.spawn(async (signal) => {
        expect(taskSignal()).toBe(signal)
        await sleep(1)
        return taskSignal() === signal
      })
      const [same] = await tg.start<boolean>(async (started, signal) => {
        await sleep(1)
        started(taskSignal() === signal)
      })
      expect(await spawned.wait()).toBe(true)
      expect(same).toBe(true)
    })
  })

  it("in a gather or asCompleted function is the signal it was given; in a group body, the group's", async () => {
    const checks = await gather(
      async (signal) => taskSignal() === signal,
      async (signal) => (await sleep(1), taskSignal() === signal)
    )
    expect(checks).toEqual([true, true])
    const looped: Array<boolean> = []
    for await (const same of asCompleted([async (signal: AbortSignal) => (await sleep(1), taskSignal() === signal)])) {
      looped.push(same)
    }
    expect(looped).toEqual([true])
    await taskGroup(async (tg) => {
      expect(taskSignal()).toBe(tg.signal)
      await sleep(1)
      expect(taskSignal()).toBe(tg.signal)
    })
  })

  it("in a gather inside a task is aborted when that task is cancelled", async () => {
    let inner: AbortSignal | undefined
    await taskGroup(async (tg) => {
      const soon = tg.soonify(async () => {
        await gather(async () => {
          inner = taskSignal()
          await untilAborted(inner)
        })
      })()
      await sleep(5)
      await soon.cancel()
    })
    expect(inner?.aborted).toBe(true)
    expect(inner?.reason).toBeInstanceOf(CancelledError)
  })

  it("type-checks as fetch's signal under exactOptionalPropertyTypes", () => {
    expectTypeOf(taskSignal).toEqualTypeOf<() => AbortSignal>()
    const init: RequestInit = { signal: taskSignal() }
    expectTypeOf(init.signal).toEqualTypeOf<AbortSignal | null | undefined>()
    // Only type-checked: a function that would fetch with the running task's signal.
    const fetchText = async (url: string) => (await fetch(url, { signal: taskSignal() })).text()
    expectTypeOf(fetchText).returns.toEqualTypeOf<Promise<string>>()
  })
})

describe("reportProgress where tasks run", () => {
  it("in a gather function or a group body inside a task, reports for that task and returns true", async () => {
    const results: Array<boolean> = []
    let soon!: SoonValue<void>
    await taskGroup(async (tg) => {
      soon = tg.spawn(async () => {
        await gather(async () => {
          await sleep(1)
          results.push(reportProgress(1, 3))
        })
        for await (const _ of asCompleted([async () => results.push(reportProgress(2, 3))])) {
          // the loop's function reported
        }
        await taskGroup(async () => {
          await sleep(1)
          results.push(reportProgress(3, 3))
        })
      })
    })
    expect(results).toEqual([true, true, true])
    expect(soon.progress).toEqual({ done: 3, total: 3 })
  })

  it("returns false in a gather function with no task around it, and never throws there", async () => {
    const results = await gather(
      async () => reportProgress(1),
      async () => (await sleep(1), reportProgress(2))
    )
    expect(results).toEqual([false, false])
  })
})
