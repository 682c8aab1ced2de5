import { describe, expect, expectTypeOf, it } from "vitest"
import {
  asCompleted,
  CancelledError,
  Future,
  gather,
  type GatherOptions,
  type SoonValue,
  taskGroup,
  TimeoutError
} from "@soonify/interop"
import { after, failAfter, sleep, untilAborted } from "./sleep.ts"

/** A thunk that records whether it was cancelled, and settles 5 ms after its signal aborts. */
const watched = () => {
  const seen = { cancelled: false, settled: false }
  const task = async (signal: AbortSignal) => {
    try {
      await untilAborted(signal)
    } catch (error) {
      seen.cancelled = true
      await sleep(5)
      seen.settled = true
      throw error
    }
  }
  return { seen, task }
}

describe("gather", () => {
  it("gives values in input order, whatever order they complete in (the seed program)", async () => {
    const ended: Array<number> = []
    const taskCoro = async (value: number) => {
      await sleep(20 - value * 4)
      ended.push(value)
      return value * 100
    }
    const values = await gather(...[0, 1, 2, 3, 4].map((i) => taskCoro(i)))
    expect(values).toEqual([0, 100, 200, 300, 400])
    expect(ended).toEqual([4, 3, 2, 1, 0])
  })

  it("takes promises, thunks, SoonValues and Futures, variadic or as one iterable", async () => {
    const future = new Future<boolean>()
    future.setResult(true)
    const soon = await taskGroup(async (tg) => tg.spawn(async () => "soon"))
    expect(await gather(Promise.resolve(1), after(1, "two"), soon, future)).toEqual([1, "two", "soon", true])
    expect(await gather([Promise.resolve(1), after(1, "two"), soon, future])).toEqual([1, "two", "soon", true])
    expect(await gather(new Set([after(5, "a"), after(1, "b")]))).toEqual(["a", "b"])
  })

  it("gives [] at once for no tasks", async () => {
    expect(await gather()).toEqual([])
    expect(await gather([])).toEqual([])
  })

  it("fails fast: rejects with the first error, after cancelling and waiting for the thunks", async () => {
    const boom = new Error("boom")
    const { seen, task } = watched()
    await expect(gather(task, failAfter(5, boom))).rejects.toBe(boom)
    expect(seen).toEqual({ cancelled: true, settled: true })
  })

  it("does not wait for promises it cannot cancel, and leaves none unhandled", async () => {
    let settled = false
    const slowRejection = sleep(30).then(() => {
      settled = true
      throw new Error("late")
    })
    await expect(gather(slowRejection, Promise.reject(new Error("first")))).rejects.toThrow("first")
    expect(settled).toBe(false)
    await sleep(35)
    expect(settled).toBe(true)
  })

  it("rejects with an AggregateError when several tasks fail", async () => {
    const first = new Error("first")
    const second = new Error("second")
    const error = await gather(failAfter(1, first), failAfter(10, second)).catch((e: unknown) => e)
    expect((error as AggregateError).errors).toEqual([first, second])
  })

  it("counts a cancelled SoonValue as failed with its CancelledError", async () => {
    const cancelled = await taskGroup(async (tg) => {
      const soon = tg.spawn((signal) => untilAborted(signal))
      await soon.cancel()
      return soon
    })
    await expect(gather(cancelled)).rejects.toBe(cancelled.exception)
    expect(await gather([cancelled], { returnExceptions: true })).toEqual([cancelled.exception])
    expect(cancelled.exception).toBeInstanceOf(CancelledError)
  })

  it("with returnExceptions, puts each error in its slot and cancels nothing", async () => {
    const boom = new Error("boom")
    const results = await gather([failAfter(1, boom), after(10, "ok"), Promise.reject("plain")], {
      returnExceptions: true
    })
    expect(results).toEqual([boom, "ok", "plain"])
    expect(results[0]).toBe(boom)
  })

  it("runs at most `concurrency` thunks at once, in input order", async () => {
    let running = 0
    let most = 0
    const order: Array<number> = []
    const task = (n: number) => async () => {
      order.push(n)
      most = Math.max(most, ++running)
      await sleep(3)
      running--
      return n
    }
    expect(await gather([1, 2, 3, 4, 5].map(task), { concurrency: 2 })).toEqual([1, 2, 3, 4, 5])
    expect(most).toBe(2)
    expect(order).toEqual([1, 2, 3, 4, 5])
  })

  it("rejects with the signal's reason once its thunks have settled", async () => {
    const controller = new AbortController()
    const reason = new Error("stop")
    const { seen, task } = watched()
    const gathering = gather([task, after(1000, 1)], { signal: controller.signal })
    setTimeout(() => controller.abort(reason), 5)
    await expect(gathering).rejects.toBe(reason)
    expect(seen).toEqual({ cancelled: true, settled: true })
  })

  it("starts nothing when the signal is already aborted", async () => {
    let started = false
    const thunk = async () => void (started = true)
    await expect(gather([thunk, Promise.reject(new Error("x"))], { signal: AbortSignal.abort("no") })).rejects.toBe(
      "no"
    )
    expect(started).toBe(false)
  })

  it("rejects bad input at once (a rejected promise), naming it", async () => {
    await expect(gather(42 as any)).rejects.toThrow(TypeError)
    await expect(gather(42 as any)).rejects.toThrow(/argument 0 must be a promise, a SoonValue or a function/)
    await expect(gather(null as any)).rejects.toThrow(TypeError)
    await expect(gather([Promise.resolve(1), "two"] as any)).rejects.toThrow(/element 1 must be a promise/)
    await expect(gather(Promise.resolve(1), { returnExceptions: true } as any)).rejects.toThrow(/argument 1/)
    await expect(gather([], {}, {} as any)).rejects.toThrow(/takes \(tasks, options\)/)
    await expect(gather([], { concurrency: 0 })).rejects.toThrow(RangeError)
    await expect(gather([], { returnExceptions: "yes" as any })).rejects.toThrow(/"returnExceptions" must be a boolean/)
    await expect(gather([], { signal: "stop" as any })).rejects.toThrow(/"signal" must be an AbortSignal/)
    await expect(gather([], 3 as any)).rejects.toThrow(TypeError)
  })

  it("never leaves a rejection unhandled when it failed fast", async () => {
    const cancelledThunk = async (signal: AbortSignal) => untilAborted(signal)
    const rejectsLater = sleep(10).then(() => Promise.reject(new Error("later")))
    await gather(
      cancelledThunk,
      rejectsLater,
      failAfter(1, new Error("first")),
      Promise.reject(new Error("now"))
    ).catch(() => undefined)
    await sleep(15)
  })

  it("keeps tuple types, with no any", async () => {
    const soon: SoonValue<boolean> = new Future<boolean>()
    ;(soon as Future<boolean>).setResult(true)
    expectTypeOf(gather(Promise.resolve(1), after(1, "two"), soon)).toEqualTypeOf<Promise<[number, string, boolean]>>()
    expectTypeOf(gather([Promise.resolve(1), async () => "two"])).toEqualTypeOf<Promise<[number, string]>>()
    expectTypeOf(gather([Promise.resolve(1)], { returnExceptions: true })).toEqualTypeOf<Promise<[number | Error]>>()
    expectTypeOf(gather([Promise.resolve(1)], { concurrency: 1 })).toEqualTypeOf<Promise<[number]>>()
    const maybe: GatherOptions = { returnExceptions: Math.random() > 2 }
    expectTypeOf(gather([Promise.resolve(1)], maybe)).toEqualTypeOf<Promise<[number | Error]>>()
    const many: Array<Promise<number>> = []
    expectTypeOf(gather(many)).toEqualTypeOf<Promise<Array<number>>>()
    expectTypeOf(gather(new Set([Promise.resolve("a")]))).toEqualTypeOf<Promise<Array<string>>>()
    expectTypeOf(gather()).toEqualTypeOf<Promise<[]>>()
    // @ts-expect-error a number is not a task
    void (() => gather(1))
  })
})

describe("gather and thenables", () => {
  it("adopts thenables that resolve with promises or thenables, recursively, as Promise.resolve does", async () => {
    const nested = { then: (resolve: (value: unknown) => void) => resolve(Promise.resolve(5)) }
    const thunk = () => ({ then: (resolve: (value: unknown) => void) => resolve(Promise.resolve(7)) })
    expect(await gather([nested as PromiseLike<number>, thunk])).toEqual([5, 7])
  })
})

describe("asCompleted", () => {
  it("gives values in completion order", async () => {
    const values: Array<string> = []
    for await (const value of asCompleted([after(15, "slow"), after(1, "fast"), Promise.resolve("ready")])) {
      values.push(value)
    }
    expect(values).toEqual(["ready", "fast", "slow"])
  })

  it("throws a failed task's error out of the loop, cancelling and waiting for the rest", async () => {
    const boom = new Error("boom")
    const { seen, task } = watched()
    const values: Array<unknown> = []
    const loop = async () => {
      for await (const value of asCompleted([after(1, "first"), failAfter(5, boom), task])) values.push(value)
    }
    await expect(loop()).rejects.toBe(boom)
    expect(values).toEqual(["first"])
    expect(seen).toEqual({ cancelled: true, settled: true })
  })

  it("cancels what is still running when the loop is left early, and waits for it", async () => {
    const { seen, task } = watched()
    for await (const value of asCompleted([task, after(1, "fast")])) {
      expect(value).toBe("fast")
      break
    }
    expect(seen).toEqual({ cancelled: true, settled: true })
  })

  it("reports a task that fails instead of being cancelled when the loop is left", async () => {
    const cleanup = new Error("cleanup failed")
    const loop = async () => {
      const stubborn = async (signal: AbortSignal) => {
        await untilAborted(signal).catch(() => undefined)
        throw cleanup
      }
      for await (const _ of asCompleted([stubborn, after(1, "fast")])) break
    }
    await expect(loop()).rejects.toBe(cleanup)
  })

  it("ends at once for no tasks, and rejects a non-iterable at once", async () => {
    for await (const _ of asCompleted([])) throw new Error("no tasks, no iterations")
    expect(() => asCompleted(42 as any)).toThrow(TypeError)
    expect(() => asCompleted([1] as any)).toThrow(/asCompleted: element 0 must be a promise/)
  })

  it("types the values it gives", () => {
    expectTypeOf(asCompleted([Promise.resolve(1), after(1, "a")])).toEqualTypeOf<AsyncIterable<number | string>>()
  })
})

describe("gather with timeout and returnExceptions: partial results", () => {
  it("keeps what finished and puts a TimeoutError in every slot still running, in input order", async () => {
    const broken = new Error("broken")
    const slow = watched()
    const started = performance.now()
    const slots = await gather(
      [slow.task, after(1, "fast"), failAfter(1, broken), Promise.resolve(3), new Promise<number>(() => {})],
      { timeout: 40, returnExceptions: true }
    )
    expect(performance.now() - started).toBeGreaterThanOrEqual(35)
    expect(slots[1]).toBe("fast")
    expect(slots[2]).toBe(broken)
    expect(slots[3]).toBe(3)
    expect(slots[0]).toBeInstanceOf(TimeoutError)
    expect(slots[4]).toBe(slots[0])
    expect((slots[0] as TimeoutError).timeout).toBe(40)
    // The running function was cancelled, with the TimeoutError, and waited for.
    expect(slow.seen).toEqual({ cancelled: true, settled: true })
  })

  it("aborts the late functions' signal with the very TimeoutError their slots hold", async () => {
    let reason: unknown
    const [slot] = await gather(
      [
        async (signal: AbortSignal) => {
          await untilAborted(signal).catch((error) => (reason = error))
          throw reason
        }
      ],
      { timeout: 10, returnExceptions: true }
    )
    expect(slot).toBeInstanceOf(TimeoutError)
    expect(reason).toBe(slot)
  })

  it("a late function that fails with something else while stopping keeps that error in its slot", async () => {
    const cleanup = new Error("cleanup broke")
    const [slot] = await gather(
      [
        async (signal: AbortSignal) => {
          await untilAborted(signal).catch(() => undefined)
          throw cleanup
        }
      ],
      { timeout: 10, returnExceptions: true }
    )
    expect(slot).toBe(cleanup)
  })

  it("with concurrency, a task still waiting for its turn at the deadline never starts and times out", async () => {
    let startedLate = false
    const slots = await gather(
      [
        after(1, "a"),
        untilAborted,
        async () => {
          startedLate = true
          return "c"
        }
      ],
      { timeout: 30, returnExceptions: true, concurrency: 1 }
    )
    expect(slots[0]).toBe("a")
    expect(slots[1]).toBeInstanceOf(TimeoutError)
    expect(slots[2]).toBeInstanceOf(TimeoutError)
    expect(startedLate).toBe(false)
  })

  it("resolves with every outcome when everything ends in time", async () => {
    const broken = new Error("no")
    expect(await gather([after(1, 1), failAfter(1, broken)], { timeout: 1000, returnExceptions: true })).toEqual([
      1,
      broken
    ])
  })

  it("still rejects with signal.reason when its signal aborts before the deadline", async () => {
    const controller = new AbortController()
    const reason = new Error("stop")
    setTimeout(() => controller.abort(reason), 5)
    await expect(
      gather([untilAborted], { timeout: 1000, returnExceptions: true, signal: controller.signal })
    ).rejects.toBe(reason)
  })

  it("without returnExceptions still rejects with the TimeoutError", async () => {
    await expect(gather([after(1, 1), untilAborted], { timeout: 10 })).rejects.toBeInstanceOf(TimeoutError)
  })

  it("types a slot as its value or an Error", () => {
    expectTypeOf(gather([after(1, 1)], { timeout: 10, returnExceptions: true })).toEqualTypeOf<
      Promise<[number | Error]>
    >()
  })
})
