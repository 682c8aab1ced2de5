// `map` (DESIGN §10): a lazy input pulled only when a slot is free, backpressure, input
// or completion order, fail fast or returnExceptions, timeout and signal, leaving early,
// priority and partition per item; and `asCompleted`'s `concurrency`.
import { describe, expect, expectTypeOf, it } from "vitest"
import { asCompleted, CancelledError, map, taskGroup, taskSignal, TimeoutError } from "@soonify/interop"
import { sleep, untilAborted } from "./sleep.ts"
import { thrown } from "./support.ts"

/** An input that counts what was pulled from it, and whether it was closed (`return()`). */
const counted = (count = Infinity) => {
  const seen = { pulled: 0, closed: false }
  function* items() {
    try {
      for (let i = 0; i < count; i++) {
        seen.pulled++
        yield i
      }
    } finally {
      seen.closed = true
    }
  }
  return { seen, items: items() }
}

/** The same, asynchronous. */
const countedAsync = (count = Infinity) => {
  const seen = { pulled: 0, closed: false }
  async function* items() {
    try {
      for (let i = 0; i < count; i++) {
        await sleep(0)
        seen.pulled++
        yield i
      }
    } finally {
      seen.closed = true
    }
  }
  return { seen, items: items() }
}

const collect = async <A>(iterable: AsyncIterable<A>): Promise<Array<A>> => {
  const values: Array<A> = []
  for await (const value of iterable) values.push(value)
  return values
}

describe("map", () => {
  it("calls fn(item, index, signal) and yields in input order; ordered: false, in completion order", async () => {
    const delays = [30, 5, 15, 0]
    const seen: Array<[string, number, boolean]> = []
    const slow = (item: string, index: number, signal: AbortSignal) => {
      seen.push([item, index, signal === taskSignal()])
      return sleep(delays[index]!).then(() => item.toUpperCase())
    }
    expect(await collect(map(["a", "b", "c", "d"], slow, { concurrency: 4 }))).toEqual(["A", "B", "C", "D"])
    expect(seen).toEqual([
      ["a", 0, true],
      ["b", 1, true],
      ["c", 2, true],
      ["d", 3, true]
    ])
    expect(await collect(map(["a", "b", "c", "d"], slow, { concurrency: 4, ordered: false }))).toEqual([
      "D",
      "B",
      "C",
      "A"
    ])
  })

  it("pulls nothing before the loop starts", async () => {
    const { seen, items } = counted(5)
    const mapped = map(items, async (n) => n, { concurrency: 2 })
    await sleep(5)
    expect(seen.pulled).toBe(0)
    expect(await collect(mapped)).toEqual([0, 1, 2, 3, 4])
  })

  for (const [kind, make] of [
    ["an iterable", counted],
    ["an async iterable", countedAsync]
  ] as const) {
    it(`pulls ${kind} lazily: pulled − consumed ≤ 2 × concurrency, at most concurrency running`, async () => {
      const { seen, items } = make()
      const concurrency = 3
      let running = 0
      let most = 0
      let consumed = 0
      let widest = 0
      const work = async (n: number) => {
        running++
        most = Math.max(most, running)
        await sleep(2 + (n % 4))
        running--
        return n
      }
      for await (const n of map(items, work, { concurrency })) {
        consumed++
        expect(n).toBe(consumed - 1)
        widest = Math.max(widest, seen.pulled - consumed)
        // A slow reader: finished results pile up to `concurrency`, no further.
        await sleep(consumed % 5 === 0 ? 8 : 0)
        widest = Math.max(widest, seen.pulled - consumed)
        if (consumed === 60) break
      }
      expect(widest).toBeLessThanOrEqual(2 * concurrency)
      expect(widest).toBeGreaterThanOrEqual(concurrency)
      expect(most).toBe(concurrency)
      // Leaving the loop closed the endless input.
      expect(seen.closed).toBe(true)
      expect(seen.pulled - consumed).toBeLessThanOrEqual(2 * concurrency)
    })
  }

  it("leaving the loop early (break) cancels the running calls, waits for them, and calls the input's return()", async () => {
    const { seen, items } = counted()
    const settled: Array<string> = []
    const work = async (n: number, _index: number, signal: AbortSignal) => {
      if (n === 0) return n
      try {
        return await untilAborted(signal)
      } finally {
        settled.push(`${n} ${signal.reason instanceof CancelledError ? "cancelled" : "?"}`)
      }
    }
    for await (const n of map(items, work, { concurrency: 3 })) {
      expect(n).toBe(0)
      break
    }
    expect(settled.toSorted()).toEqual(["1 cancelled", "2 cancelled", "3 cancelled"])
    expect(seen.closed).toBe(true)
  })

  it("a throw in the loop body does the same, and the body's error comes out", async () => {
    const { seen, items } = counted()
    const boom = new Error("consumer")
    await expect(
      (async () => {
        for await (const n of map(items, async (n) => n, { concurrency: 2 })) if (n === 3) throw boom
      })()
    ).rejects.toBe(boom)
    expect(seen.closed).toBe(true)
  })

  it("an async input is closed too: at once, or once a pull still pending has settled", async () => {
    const { seen, items } = countedAsync()
    for await (const n of map(items, async (n) => n, { concurrency: 2 })) if (n === 3) break
    await sleep(5)
    expect(seen.closed).toBe(true)
  })

  it("fails fast: the first failure cancels the rest, stops pulling, closes the input, and is thrown", async () => {
    const { seen, items } = counted()
    const failure = new Error("item 4")
    const cancelled: Array<number> = []
    const work = async (n: number, _index: number, signal: AbortSignal) => {
      if (n === 4) {
        await sleep(5)
        throw failure
      }
      if (n < 4) return n
      await untilAborted(signal).catch((error) => {
        cancelled.push(n)
        throw error
      })
    }
    const values: Array<unknown> = []
    await expect(
      (async () => {
        for await (const value of map(items, work, { concurrency: 3 })) values.push(value)
      })()
    ).rejects.toBe(failure)
    expect(values).toEqual([0, 1, 2, 3])
    expect(cancelled.toSorted()).toEqual([5, 6])
    expect(seen.closed).toBe(true)
    expect(seen.pulled).toBe(7)
  })

  it("returnExceptions: a failed call's error is yielded in its place, nothing is cancelled", async () => {
    const results = await collect(
      map(
        [1, 2, 3],
        async (n) => {
          if (n === 2) throw new Error("two")
          return n
        },
        { returnExceptions: true, concurrency: 2 }
      )
    )
    expect(results).toEqual([1, new Error("two"), 3])
  })

  it("an input whose next() throws fails the map with that error; return() is not called on it", async () => {
    const broken = new Error("input broke")
    let closed = false
    const input: Iterable<number> = {
      [Symbol.iterator]: () => {
        let n = 0
        return {
          next: () => {
            if (n === 2) throw broken
            return { value: n++, done: false }
          },
          return: () => ((closed = true), { value: undefined, done: true })
        }
      }
    }
    await expect(collect(map(input, async (n) => n, { concurrency: 1 }))).rejects.toBe(broken)
    expect(closed).toBe(false)
  })

  it("timeout: the whole map's; throws a TimeoutError, or with returnExceptions yields it for the late calls", async () => {
    const work = (n: number, _index: number, signal: AbortSignal) => sleep(n === 0 ? 0 : 1000, signal).then(() => n)
    await expect(collect(map([0, 1, 2], work, { timeout: 20 }))).rejects.toBeInstanceOf(TimeoutError)
    const { seen, items } = counted()
    const slots = await collect(map(items, work, { timeout: 20, returnExceptions: true, concurrency: 2 }))
    expect(slots[0]).toBe(0)
    expect(slots.slice(1).every((slot) => slot instanceof TimeoutError)).toBe(true)
    expect(slots.length).toBeGreaterThanOrEqual(2)
    expect(seen.closed).toBe(true)
  })

  it("signal: aborting it cancels the calls; the loop throws its reason, also while an async pull is pending", async () => {
    const controller = new AbortController()
    const reason = new Error("stop")
    async function* never(): AsyncGenerator<number> {
      yield 1
      await new Promise(() => {})
    }
    setTimeout(() => controller.abort(reason), 10)
    await expect(collect(map(never(), async (n) => n, { signal: controller.signal }))).rejects.toBe(reason)
  })

  it("inside a task, cancelled with it", async () => {
    let settled = 0
    await expect(
      taskGroup(async (tg) => {
        tg.spawn(async () => {
          for await (const _ of map([1, 2], (_n, _i, signal) => untilAborted(signal).finally(() => settled++))) {
            // never reached
          }
        })
        await sleep(5)
        tg.cancel(new Error("group cancelled"))
      })
    ).rejects.toThrow("group cancelled")
    expect(settled).toBe(2)
  })

  it("priority and partition are functions of the item; rate and partitions apply to the calls", async () => {
    const urls = ["a/1", "a/2", "a/3", "b/1", "b/2", "c/1"]
    const running = new Map<string, number>()
    let most = 0
    const started: Array<string> = []
    const fetchPage = async (url: string) => {
      const host = url[0]!
      started.push(url)
      running.set(host, (running.get(host) ?? 0) + 1)
      most = Math.max(most, running.get(host)!)
      await sleep(5)
      running.set(host, running.get(host)! - 1)
      return url
    }
    const pages = await collect(
      map(urls, fetchPage, {
        concurrency: 6,
        partition: (url) => url[0]!,
        priority: (url) => (url === "a/3" ? 1 : 0),
        partitions: { concurrency: 1 }
      })
    )
    expect(pages).toEqual(urls)
    expect(most).toBe(1)
    // a/3 has priority over a/2 for host a's next turn.
    expect(started.indexOf("a/3")).toBeLessThan(started.indexOf("a/2"))
  })

  it("an endless generator of URLs, stopped after N results", async () => {
    function* urls() {
      for (let i = 0; ; i++) yield `https://example.test/${i}`
    }
    const lengths: Array<number> = []
    for await (const length of map(urls(), async (url) => url.length, { concurrency: 4 })) {
      lengths.push(length)
      if (lengths.length === 25) break
    }
    expect(lengths).toHaveLength(25)
  })

  it("bad input throws at once, naming the argument", () => {
    expect((thrown(() => map(5 as never, async () => 1)) as Error).message).toBe(
      "map: expected an iterable or an async iterable of items, received number 5"
    )
    expect((thrown(() => map([1], 5 as never)) as Error).message).toBe(
      "map: expected fn to be a function, received number 5"
    )
    expect((thrown(() => map([1], async () => 1, { concurrency: 0 })) as Error).message).toMatch(
      /^map: option "concurrency" must be a positive integer or Infinity/
    )
    expect((thrown(() => map([1], async () => 1, { ordered: "yes" as never })) as Error).message).toBe(
      'map: option "ordered" must be a boolean, received string "yes"'
    )
    expect((thrown(() => map([1], async () => 1, { priority: 1 as never })) as Error).message).toMatch(
      /^map: option "priority" must be a function \(item, index\) => number/
    )
    expect(thrown(() => map([1], async () => 1, { rate: { limit: 0, interval: 1 } }))).toBeInstanceOf(RangeError)
  })

  it("a priority or partition function giving a bad value fails the map", async () => {
    await expect(collect(map([1], async (n) => n, { partition: () => 3 as never }))).rejects.toThrow(
      'map: the "partition" function must return a string, returned number 3'
    )
  })

  it("types: the result from fn's, an Error added by returnExceptions, the item in the option functions", () => {
    const typed = () => {
      expectTypeOf(map([1, 2], async (n) => String(n))).toEqualTypeOf<AsyncIterable<string>>()
      expectTypeOf(map([1, 2], (n) => n * 2)).toEqualTypeOf<AsyncIterable<number>>()
      expectTypeOf(map([1], async (n) => n, { returnExceptions: true })).toEqualTypeOf<AsyncIterable<number | Error>>()
      const flag: boolean = Math.random() > 2
      expectTypeOf(map([1], async (n) => n, { returnExceptions: flag })).toEqualTypeOf<AsyncIterable<number | Error>>()
      async function* names() {
        yield "x"
      }
      map(
        names(),
        async (name, index, signal) => {
          expectTypeOf(name).toEqualTypeOf<string>()
          expectTypeOf(index).toEqualTypeOf<number>()
          expectTypeOf(signal).toEqualTypeOf<AbortSignal>()
        },
        {
          partition: (name) => {
            expectTypeOf(name).toEqualTypeOf<string>()
            return name
          }
        }
      )
    }
    expectTypeOf(typed).toBeFunction()
  })
})

describe("asCompleted's concurrency", () => {
  it("starts the functions lazily, at most `concurrency` at once, and yields in completion order", async () => {
    let running = 0
    let most = 0
    const started: Array<number> = []
    const task = (n: number, ms: number) => async () => {
      started.push(n)
      running++
      most = Math.max(most, running)
      await sleep(ms)
      running--
      return n
    }
    const loop = asCompleted([task(0, 200), task(1, 5), task(2, 5), task(3, 5)], { concurrency: 2 })
    expect(started).toEqual([])
    const values: Array<number> = []
    for await (const n of loop) values.push(n)
    expect(most).toBe(2)
    expect(values).toEqual([1, 2, 3, 0])
  })

  it("bad values throw like the option does", () => {
    expect((thrown(() => asCompleted([], { concurrency: -1 })) as Error).message).toMatch(
      /^asCompleted: option "concurrency" must be a positive integer or Infinity, received number -1/
    )
  })
})
