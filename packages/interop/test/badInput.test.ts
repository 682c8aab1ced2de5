// Bad input fails at once with a clear error naming the argument (guarantee 5), and the
// limits of what is accepted are where the README puts them: the exact messages, and the
// values just inside each bound.
import { describe, expect, it } from "vitest"
import { asCompleted, createTaskGroup, reportProgress, taskGroup } from "@soonify/interop"
import { sleep } from "./sleep.ts"
import { thrown } from "./support.ts"

describe("the words of each error for bad input", () => {
  it("a string is no iterable of tasks, whatever its characters", () => {
    const error = thrown(() => asCompleted("ab" as any))
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error).message).toBe(
      'asCompleted: expected an iterable of tasks (promises, SoonValues or functions), received string "ab"'
    )
  })

  it("a key function is for soonify only; spawn and soonify say what they take", async () => {
    await taskGroup((tg) => {
      const spawned = thrown(() => tg.spawn(async () => 1, { key: (() => "k") as any }))
      expect(spawned).toBeInstanceOf(TypeError)
      expect((spawned as Error).message).toMatch(
        /^tg\.spawn: option "key" must be a string, a number or a symbol, received function/
      )
      const soonified = thrown(() => tg.soonify(async () => 1, { key: true as any }))
      expect((soonified as Error).message).toBe(
        'tg.soonify: option "key" must be a string, a number, a symbol, or a function of the arguments giving one, received boolean true'
      )
    })
  })

  it("retry: each field's problem in full", async () => {
    await taskGroup((tg) => {
      const message = (retry: unknown) =>
        (thrown(() => tg.spawn(async () => 1, { retry: retry as any })) as Error).message
      const expected = 'tg.spawn: option "retry" must be { times, delay?, factor?, retryIf? }'
      expect(message(3)).toBe(`${expected}, received number 3`)
      expect(message(null)).toBe(`${expected}, received null`)
      expect(thrown(() => tg.spawn(async () => 1, { retry: null as any }))).toBeInstanceOf(TypeError)
      expect(message({ times: 1, delay: -5 })).toBe(
        `${expected}: "delay" must be a non-negative number of milliseconds, received number -5`
      )
      expect(message({ times: 1, factor: 0 })).toBe(
        `${expected}: "factor" must be a positive number, received number 0`
      )
      expect(message({ times: 1, retryIf: "yes" })).toBe(
        `${expected}: "retryIf" must be a function of the error, received string "yes"`
      )
    })
  })

  it("reportProgress: the count it needs", async () => {
    await taskGroup(async (tg) => {
      tg.spawn(() => {
        const missing = thrown(() => (reportProgress as (done?: number) => void)())
        expect(missing).toBeInstanceOf(TypeError)
        expect((missing as Error).message).toBe('reportProgress: "done" must be a number, received undefined')
        const infinite = thrown(() => reportProgress(Infinity))
        expect(infinite).toBeInstanceOf(RangeError)
        expect((infinite as Error).message).toBe(
          'reportProgress: "done" must be a finite number ≥ 0, received number Infinity'
        )
        expect(() => reportProgress(1, Infinity)).toThrow(RangeError)
      })
    })
  })

  it("a soonify or start option names the function it was given to", async () => {
    await taskGroup(async (tg) => {
      expect((thrown(() => tg.soonify(async () => 1, { name: 5 as any })) as Error).message).toBe(
        'tg.soonify: option "name" must be a string, received number 5'
      )
      await expect(tg.start(async (started) => started(), { name: 5 as any })).rejects.toThrow(
        'tg.start: option "name" must be a string, received number 5'
      )
      // A `name` function makes soonify skip the name check, not the options check: a
      // function is no options object, even one whose `name` is a function.
      const options = Object.defineProperty(() => undefined, "name", { value: () => "x" })
      const error = thrown(() => tg.soonify(async () => 1, options as any))
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(
        /^tg\.soonify: expected options to be an object or undefined, received function/
      )
    })
  })

  it("an AbortSignal is told by its aborted flag and addEventListener, on an object", () => {
    const signalLike = (u: unknown) => thrown(() => createTaskGroup({ signal: u as any }))
    const fake = Object.assign(() => undefined, { aborted: false, addEventListener: () => undefined })
    for (const u of [fake, { addEventListener: () => undefined }, { aborted: false }]) {
      const error = signalLike(u)
      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toMatch(/^createTaskGroup: option "signal" must be an AbortSignal, received/)
    }
  })
})

describe("the values just inside each bound are accepted", () => {
  it("retry: times 0 (one attempt), delay 0 (no wait)", async () => {
    let calls = 0
    const boom = new Error("boom")
    const error = await taskGroup(
      (tg) =>
        void tg.spawn(
          async () => {
            calls++
            throw boom
          },
          { retry: { times: 0 } }
        )
    ).catch((e: unknown) => e)
    expect(error).toBe(boom)
    expect(calls).toBe(1)
    const soon = await taskGroup((tg) => {
      let attempts = 0
      return tg.spawn(
        async () => {
          if (++attempts === 1) throw boom
          return attempts
        },
        { retry: { times: 1, delay: 0 } }
      )
    })
    expect(soon.value).toBe(2)
  })

  it("reportProgress(0): no work done yet is a count", async () => {
    const soon = await taskGroup(async (tg) => tg.spawn(() => reportProgress(0, 3)))
    expect(soon.progress).toEqual({ done: 0, total: 3 })
  })

  it("the longest timeout setTimeout keeps, 2 ** 31 - 1 ms", async () => {
    await expect(taskGroup(async () => "in time", { timeout: 2 ** 31 - 1 })).resolves.toBe("in time")
  })

  it('mode "failFast" given explicitly is the default mode', async () => {
    const boom = new Error("boom")
    let sibling: { status: string } | undefined
    await expect(
      taskGroup(
        async (tg) => {
          sibling = tg.spawn((signal) => sleep(1000, signal))
          tg.spawn(async () => {
            throw boom
          })
        },
        { mode: "failFast" }
      )
    ).rejects.toBe(boom)
    expect(sibling?.status).toBe("cancelled")
  })
})
