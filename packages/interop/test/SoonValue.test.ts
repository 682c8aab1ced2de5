import { inspect } from "node:util"
import { describe, expect, expectTypeOf, it } from "vitest"
import {
  CancelledError,
  Future,
  PendingValueError,
  resultsToChannel,
  SoonValue,
  type Status,
  taskGroup,
  waitAll,
  waitAny
} from "@soonify/interop"
import { after, failAfter, sleep, untilAborted } from "./sleep.ts"

describe("SoonValue", () => {
  it("goes from pending to fulfilled", async () => {
    await taskGroup(async (tg) => {
      const soon = tg.spawn(after(5, "done"), { name: "job" })
      expect(soon).toBeInstanceOf(SoonValue)
      expect([soon.ready, soon.status, soon.exception]).toEqual([false, "pending", undefined])
      expect(() => soon.value).toThrow(PendingValueError)
      expect(await soon.wait()).toBe("done")
      expect([soon.ready, soon.status, soon.value, soon.exception]).toEqual([true, "fulfilled", "done", undefined])
      expect(soon.name).toBe("job")
    })
  })

  it("throws the task's own error object when it failed", async () => {
    const boom = new TypeError("boom")
    const soon = await taskGroup(async (tg) => tg.spawn(failAfter(1, boom)), { mode: "settle" })
    expect(soon.status).toBe("rejected")
    expect(soon.exception).toBe(boom)
    expect(() => soon.value).toThrow(boom)
    await expect(soon.wait()).rejects.toBe(boom)
  })

  it("keeps a non-Error rejection as it is", async () => {
    const soon = await taskGroup(async (tg) => tg.spawn(() => Promise.reject("plain string")), { mode: "settle" })
    expect(soon.status).toBe("rejected")
    expect(soon.exception).toBe("plain string")
  })

  it("throws the same CancelledError on every read once cancelled", async () => {
    const soon = await taskGroup(async (tg) => {
      const soon = tg.spawn((signal) => untilAborted(signal), { name: "forever" })
      await soon.cancel()
      return soon
    })
    expect(soon.status).toBe("cancelled")
    const error = soon.exception
    expect(error).toBeInstanceOf(CancelledError)
    expect((error as Error).message).toMatch(/"forever" was cancelled/)
    expect(() => soon.value).toThrow(error as Error)
    expect(soon.exception).toBe(error)
    await expect(soon.wait()).rejects.toBe(error)
  })

  it("wait() settles once the task ends, from inside the group", async () => {
    await taskGroup(async (tg) => {
      const soon = tg.spawn(after(10, 1))
      const failed = tg.spawn(after(5, 0)).wait()
      expect(await soon.wait()).toBe(1)
      expect(await failed).toBe(0)
    })
  })

  it("cancel() cancels one task only and resolves once it has ended", async () => {
    let cleanedUp = false
    const [cancelled, other] = await taskGroup(async (tg) => {
      const cancelled = tg.spawn(async (signal) => {
        await untilAborted(signal).catch(async () => {
          await sleep(5)
          cleanedUp = true
        })
      })
      const other = tg.spawn(after(10, "other"))
      await cancelled.cancel()
      expect(cleanedUp).toBe(true)
      return [cancelled, other] as const
    })
    expect(cancelled.status).toBe("cancelled")
    expect(other.value).toBe("other")
  })

  it("cancel() leaves an ended task as it is", async () => {
    const soon = await taskGroup(async (tg) => tg.spawn(async () => 1))
    await soon.cancel()
    expect(soon.value).toBe(1)
  })

  it("cancel() reports a task that fails while being cancelled, through its group", async () => {
    const cleanup = new Error("cleanup failed")
    const failed = taskGroup(async (tg) => {
      const soon = tg.spawn(async (signal) => {
        await untilAborted(signal).catch(() => undefined)
        throw cleanup
      })
      await soon.cancel()
      expect(soon.status).toBe("rejected")
      expect(soon.exception).toBe(cleanup)
    })
    await expect(failed).rejects.toBe(cleanup)
  })

  it("describes itself for logs", async () => {
    const soon = await taskGroup(async (tg) => tg.spawn(async () => 1, { name: "one" }))
    expect(soon.toJSON()).toEqual({ name: "one", status: "fulfilled" })
    expect(String(soon)).toBe("SoonValue(one: fulfilled)")
  })

  it("shows its name and status to console.log, not its task record's fields, and reading it there reads no failure", async () => {
    const soon = await taskGroup(async (tg) => tg.spawn(async () => 1, { name: "one" }))
    expect(inspect(soon)).toBe("SoonValue(one: fulfilled)")
    const future = new Future<number>({ name: "later" })
    expect(inspect({ future })).toBe("{ future: Future(later: pending) }")
  })

  it("is made by task groups, not by user code", () => {
    expect(() => new (SoonValue as any)({})).toThrow(/not constructed directly/)
  })

  it("is covariant and not a thenable", () => {
    expectTypeOf<SoonValue<"a">>().toExtend<SoonValue<string>>()
    expectTypeOf<SoonValue<string>>().not.toExtend<SoonValue<"a">>()
    expectTypeOf<SoonValue<number>>().not.toExtend<PromiseLike<number>>()
    expectTypeOf<SoonValue<number>["status"]>().toEqualTypeOf<Status>()
    expectTypeOf<SoonValue<number>["wait"]>().returns.toEqualTypeOf<Promise<number>>()
  })
})

describe("waitAny", () => {
  it("gives the first handle to end, not the first listed", async () => {
    await taskGroup(async (tg) => {
      const slow = tg.spawn(after(20, "slow"))
      const fast = tg.spawn(after(5, "fast"))
      const first = await waitAny([slow, fast])
      expect(first).toBe(fast)
      expect(slow.ready).toBe(false)
    })
  })

  it("gives a handle that has already ended at once, the first such listed", async () => {
    const [a, b] = await taskGroup(async (tg) => [tg.spawn(async () => "a"), tg.spawn(async () => "b")])
    expect(await waitAny([a, b])).toBe(a)
  })

  it("never rejects because of a task's error", async () => {
    await taskGroup(
      async (tg) => {
        const failed = tg.spawn(failAfter(1, new Error("boom")))
        const first = await waitAny([failed, tg.spawn(after(20, 0))])
        expect(first).toBe(failed)
        expect(first.status).toBe("rejected")
      },
      { mode: "settle" }
    )
  })

  it("waits on Futures too", async () => {
    const future = new Future<number>()
    setTimeout(() => future.setResult(7), 5)
    expect(await waitAny([future])).toBe(future)
  })

  it("rejects with a RangeError for an empty list and a TypeError for what is not handles", async () => {
    await expect(waitAny([])).rejects.toThrow(RangeError)
    await expect(waitAny([])).rejects.toThrow(/at least one handle/)
    await expect(waitAny(42 as any)).rejects.toThrow(TypeError)
    await expect(waitAny([Promise.resolve(1)] as any)).rejects.toThrow(/element 0 is not a SoonValue/)
  })

  it("types the handle it gives", () => {
    const handles = [new Future<number>(), new Future<string>()]
    expectTypeOf(waitAny(handles)).toEqualTypeOf<Promise<Future<number> | Future<string>>>()
  })
})

describe("waitAll", () => {
  it("waits until every handle has ended, never rejecting", async () => {
    await taskGroup(
      async (tg) => {
        const handles = [tg.spawn(after(5, 1)), tg.spawn(failAfter(10, new Error("no"))), tg.spawn(after(15, 3))]
        await waitAll(handles)
        expect(handles.map((soon) => soon.status)).toEqual(["fulfilled", "rejected", "fulfilled"])
      },
      { mode: "settle" }
    )
  })

  it("waits for the pending handles when some have ended already", async () => {
    const ended = new Future<number>()
    ended.setResult(1)
    const pending = new Future<number>()
    setTimeout(() => pending.setResult(2), 10)
    await waitAll([ended, pending])
    expect(pending.status).toBe("fulfilled")
  })

  it("is done at once for no handles, and rejects bad input at once", async () => {
    await waitAll([])
    await expect(waitAll(null as any)).rejects.toThrow(TypeError)
    await expect(waitAll([{}] as any)).rejects.toThrow(/element 0 is not a SoonValue/)
  })
})

describe("resultsToChannel", () => {
  it("gives the handles in completion order, the ended ones first", async () => {
    await taskGroup(
      async (tg) => {
        const done = tg.spawn(async () => "done")
        const handles = [tg.spawn(after(20, "slow")), tg.spawn(failAfter(5, new Error("boom"))), done]
        const seen: Array<string> = []
        for await (const soon of resultsToChannel(handles)) seen.push(soon.status === "fulfilled" ? soon.value : "boom")
        expect(seen).toEqual(["done", "boom", "slow"])
      },
      { mode: "settle" }
    )
  })

  it("cancels nothing when the loop is left early", async () => {
    await taskGroup(async (tg) => {
      const slow = tg.spawn(after(15, "slow"))
      for await (const soon of resultsToChannel([slow, tg.spawn(after(1, "fast"))])) {
        expect(soon.value).toBe("fast")
        break
      }
      expect(await slow.wait()).toBe("slow")
    })
  })

  it("ends at once for no handles and rejects bad input at once", async () => {
    for await (const _ of resultsToChannel([])) throw new Error("no handles, no iterations")
    expect(() => resultsToChannel("abc" as any)).toThrow(TypeError)
  })

  it("types the handles it gives", () => {
    expectTypeOf(resultsToChannel([new Future<number>()])).toEqualTypeOf<AsyncIterable<Future<number>>>()
  })
})
