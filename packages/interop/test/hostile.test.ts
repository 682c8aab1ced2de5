// Hostile input, table-driven: every public function of @soonify/interop with wrong
// types, null/undefined, NaN/negative/huge numbers and non-iterables, and re-entrant use
// (spawning from a task's `finally`, cancelling twice, handles of other groups, spawning
// into another group). Each case gives the documented error or behaviour; a deadline
// turns a hang into a failure, and the strict-process setup fails the file on any
// unhandled rejection, so nothing is lost either.
import { describe, expect, it } from "vitest"
import {
  asCompleted,
  CancelledError,
  createTaskGroup,
  Future,
  FutureSetAgainError,
  gather,
  PendingValueError,
  resultsToChannel,
  SoonValue,
  type TaskGroup,
  taskGroup,
  TaskGroupClosedError,
  waitAll,
  waitAny
} from "@soonify/interop"
import { untilAborted } from "./sleep.ts"

/** The longest a case may take: nothing here waits more than a few ms. */
const deadline = 2_000

/** How `run` ended: what it returned or threw synchronously, or how its promise settled (within the deadline). */
const outcome = async (
  run: () => unknown
): Promise<{ readonly threw?: unknown; readonly rejected?: unknown; readonly value?: unknown }> => {
  let result: unknown
  try {
    result = run()
  } catch (error) {
    return { threw: error }
  }
  if (!(result instanceof Promise)) return { value: result }
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the case did not settle within ${deadline} ms`)), deadline)
  })
  try {
    return { value: await Promise.race([result, late]) }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("the case did not settle")) throw error
    return { rejected: error }
  } finally {
    clearTimeout(timer)
  }
}

/** A group that has ended. */
const endedGroup = async (): Promise<TaskGroup> => {
  let group!: TaskGroup
  await taskGroup((tg) => {
    group = tg
  })
  return group
}

const ok = () => 1

// -----------------------------------------------------------------------------
// bad arguments: a TypeError or RangeError at once, naming the argument
// -----------------------------------------------------------------------------

type Thrown = readonly [name: string, run: () => unknown, kind: typeof TypeError | typeof RangeError, message: RegExp]

const badGroupOptions: ReadonlyArray<readonly [string, unknown, typeof TypeError | typeof RangeError, RegExp]> = [
  ["null options", null, TypeError, /expected options to be an object or undefined, received null/],
  ["number options", 5, TypeError, /expected options to be an object or undefined, received number 5/],
  [
    "a negative timeout",
    { timeout: -1 },
    RangeError,
    /"timeout" must be between 0 and 2147483647 milliseconds, or Infinity, received number -1/
  ],
  ["a NaN timeout", { timeout: NaN }, RangeError, /"timeout" .* received number NaN/],
  ["a timeout too long for setTimeout", { timeout: 2 ** 31 }, RangeError, /"timeout" .* received number 2147483648/],
  [
    "a string timeout",
    { timeout: "10" },
    TypeError,
    /"timeout" must be a number of milliseconds or Infinity, received string "10"/
  ],
  [
    "concurrency 0",
    { concurrency: 0 },
    RangeError,
    /"concurrency" must be a positive integer or Infinity, received number 0/
  ],
  ["negative concurrency", { concurrency: -1 }, RangeError, /"concurrency" .* received number -1/],
  ["fractional concurrency", { concurrency: 2.5 }, RangeError, /"concurrency" .* received number 2.5/],
  ["NaN concurrency", { concurrency: NaN }, RangeError, /"concurrency" .* received number NaN/],
  ["-Infinity concurrency", { concurrency: -Infinity }, RangeError, /"concurrency" .* received number -Infinity/],
  ["string concurrency", { concurrency: "2" }, TypeError, /"concurrency" .* received string "2"/],
  ["an unknown mode", { mode: "fast" }, TypeError, /"mode" must be "failFast" or "settle", received string "fast"/],
  ["a number name", { name: 1 }, TypeError, /"name" must be a string, received number 1/],
  ["a signal that is not one", { signal: {} }, TypeError, /"signal" must be an AbortSignal, received object/],
  ["a null signal", { signal: null }, TypeError, /"signal" must be an AbortSignal, received null/]
]

const throwing: ReadonlyArray<Thrown> = [
  ...badGroupOptions.flatMap(([name, options, kind, message]): Array<Thrown> => [
    [`taskGroup with ${name}`, () => taskGroup(ok, options as any), kind, message],
    [`createTaskGroup with ${name}`, () => createTaskGroup(options as any), kind, message]
  ]),
  [
    "taskGroup with an undefined body",
    () => taskGroup(undefined as any),
    TypeError,
    /taskGroup: expected body to be a function, received undefined/
  ],
  [
    "taskGroup with a promise as body",
    () => taskGroup(Promise.resolve(1) as any),
    TypeError,
    /expected body to be a function, received object \[object Promise\]/
  ],
  [
    "tg.soonify of a number",
    () => createTaskGroup().soonify(3 as any),
    TypeError,
    /tg.soonify: expected fn to be a function, received number 3/
  ],
  [
    "tg.spawn of null",
    () => createTaskGroup().spawn(null as any),
    TypeError,
    /tg.spawn: expected fn to be a function, received null/
  ],
  [
    "tg.spawn of a promise",
    () => createTaskGroup().spawn(Promise.resolve() as any),
    TypeError,
    /tg.spawn: expected fn to be a function/
  ],
  [
    "tg.spawn with a number name",
    () => createTaskGroup().spawn(ok, { name: 2 as any }),
    TypeError,
    /tg.spawn: option "name" must be a string, received number 2/
  ],
  [
    "tg.spawn with string options",
    () => createTaskGroup().spawn(ok, "x" as any),
    TypeError,
    /tg.spawn: expected options to be an object/
  ],
  [
    "tg.start of undefined",
    () => createTaskGroup().start(undefined as any),
    TypeError,
    /tg.start: expected fn to be a function, received undefined/
  ],
  [
    "gather of null",
    () => gather(null as any),
    TypeError,
    /gather: argument 0 must be a promise, a SoonValue or a function .* received null/
  ],
  ["gather of a number", () => gather(42 as any), TypeError, /argument 0 .* received number 42/],
  ["gather of a string", () => gather("abc" as any), TypeError, /argument 0 .* received string "abc"/],
  [
    "gather of numbers",
    () => gather([ok, 2] as any),
    TypeError,
    /gather: element 1 must be a promise, a SoonValue or a function .* received number 2/
  ],
  ["gather of tasks and undefined", () => gather(ok, undefined as any), TypeError, /argument 1 .* received undefined/],
  [
    "gather with concurrency 0",
    () => gather([ok], { concurrency: 0 }),
    RangeError,
    /gather: option "concurrency" .* received number 0/
  ],
  ["gather with NaN concurrency", () => gather([ok], { concurrency: NaN }), RangeError, /"concurrency" .* NaN/],
  [
    "gather with a string returnExceptions",
    () => gather([ok], { returnExceptions: "yes" as any }),
    TypeError,
    /"returnExceptions" must be a boolean, received string "yes"/
  ],
  [
    "gather with a signal that is not one",
    () => gather([ok], { signal: 5 as any }),
    TypeError,
    /"signal" must be an AbortSignal, received number 5/
  ],
  ["gather with null options", () => gather([ok], null as any), TypeError, /gather: expected options to be an object/],
  [
    "gather with three iterables",
    () => (gather as any)([ok], [ok], [ok]),
    TypeError,
    /the iterable form takes \(tasks, options\), received 3 arguments/
  ],
  [
    "asCompleted of null",
    () => asCompleted(null as any),
    TypeError,
    /asCompleted: expected an iterable of tasks .* received null/
  ],
  ["asCompleted of numbers", () => asCompleted([1] as any), TypeError, /asCompleted: element 0 .* received number 1/],
  ["waitAny of nothing", () => waitAny([]), RangeError, /waitAny: needs at least one handle/],
  [
    "waitAny of undefined",
    () => waitAny(undefined as any),
    TypeError,
    /waitAny: expected an iterable of SoonValues, received undefined/
  ],
  [
    "waitAny of promises",
    () => waitAny([Promise.resolve()] as any),
    TypeError,
    /waitAny: element 0 is not a SoonValue/
  ],
  [
    "waitAll of a number",
    () => waitAll(1 as any),
    TypeError,
    /waitAll: expected an iterable of SoonValues, received number 1/
  ],
  [
    "waitAll of functions",
    () => waitAll([ok] as any),
    TypeError,
    /waitAll: element 0 is not a SoonValue .* received function ok/
  ],
  [
    "resultsToChannel of null",
    () => resultsToChannel(null as any),
    TypeError,
    /resultsToChannel: expected an iterable of SoonValues, received null/
  ],
  [
    "new Future with a number name",
    () => new Future({ name: 1 as any }),
    TypeError,
    /new Future: option "name" must be a string, received number 1/
  ],
  [
    "new Future with number options",
    () => new Future(5 as any),
    TypeError,
    /new Future: expected options to be an object/
  ],
  [
    "constructing a SoonValue",
    () => new (SoonValue as any)({}),
    TypeError,
    /handles are made by task groups .* not constructed directly/
  ]
]

/** The functions that return a promise: they reject, never throw (as `fetch` and p-map do). */
const returnsPromise = (name: string): boolean => /^(taskGroup|gather|waitAny|waitAll|tg\.start) /.test(name)

describe("hostile input: bad arguments fail at once, naming the argument", () => {
  for (const [name, run, kind, message] of throwing) {
    it(`${name}: ${returnsPromise(name) ? "a rejected promise" : "a throw"}`, async () => {
      const { threw, rejected } = await outcome(run)
      const error = returnsPromise(name) ? rejected : threw
      expect(returnsPromise(name) ? threw : rejected).toBeUndefined()
      expect(error).toBeInstanceOf(kind)
      expect((error as Error).message).toMatch(message)
    })
  }
})

describe("hostile input: odd but valid values work", () => {
  const valid: ReadonlyArray<readonly [string, () => unknown, unknown]> = [
    ["timeout: Infinity (none)", () => taskGroup(ok, { timeout: Infinity }), 1],
    ["timeout: 0 with a body that ends at once", () => taskGroup(ok, { timeout: 0 }), 1],
    ["concurrency: Infinity", () => gather([ok, ok], { concurrency: Infinity }), [1, 1]],
    ["concurrency: Number.MAX_VALUE", () => gather([ok], { concurrency: Number.MAX_VALUE }), [1]],
    ["undefined options", () => taskGroup(ok, undefined), 1],
    ["gather of nothing", () => gather(), []],
    ["gather of an empty array", () => gather([]), []],
    ["gather of a Set", () => gather(new Set([ok])), [1]],
    [
      'gather of plain values\' thunks: undefined, 0 and "" are values',
      () => gather([() => undefined, () => 0, () => ""]),
      [undefined, 0, ""]
    ],
    ["waitAll of nothing", () => waitAll([]), undefined],
    ["a body returning a thenable", () => taskGroup(() => ({ then: (resolve: (v: number) => void) => resolve(7) })), 7],
    ["a body returning undefined", () => taskGroup(() => undefined), undefined]
  ]
  for (const [name, run, expected] of valid) {
    it(name, async () => {
      expect(await outcome(run)).toEqual({ value: expected })
    })
  }

  it("a body whose thenable's then throws, or whose then getter throws: the group rejects with that error", async () => {
    const error = new Error("then")
    expect(
      await outcome(() =>
        taskGroup(() => ({
          then: () => {
            throw error
          }
        }))
      )
    ).toEqual({ rejected: error })
    const getter = {
      get then(): never {
        throw error
      }
    }
    expect(await outcome(() => taskGroup(() => getter))).toEqual({ rejected: error })
  })

  it("a body or task that throws something that is not an Error: rejected with that very value", async () => {
    expect(
      await outcome(() =>
        taskGroup(() => {
          throw null
        })
      )
    ).toEqual({ rejected: null })
    expect(await outcome(() => taskGroup((tg) => void tg.spawn(() => Promise.reject(undefined))))).toEqual({
      rejected: undefined
    })
  })

  it("an aborted signal rejects at once with its reason, without calling the body", async () => {
    const reason = new Error("aborted before")
    let called = false
    const settled = await outcome(() => taskGroup(() => (called = true), { signal: AbortSignal.abort(reason) }))
    expect(settled).toEqual({ rejected: reason })
    expect(called).toBe(false)
  })
})

// -----------------------------------------------------------------------------
// re-entrancy
// -----------------------------------------------------------------------------

describe("hostile input: re-entrant use", () => {
  it("spawning and soonifying into a group that has ended throw TaskGroupClosedError; starting rejects with it", async () => {
    const tg = await endedGroup()
    for (const spawn of [() => tg.spawn(ok), () => tg.soonify(ok)(), () => tg.start((started) => started())]) {
      const { threw, rejected } = await outcome(spawn)
      const error = threw ?? rejected
      expect(error).toBeInstanceOf(TaskGroupClosedError)
      expect((error as Error).message).toMatch(/has ended/)
    }
    expect((await outcome(() => tg.start((started) => started()))).threw).toBeUndefined()
    // Cancelling it is a no-op.
    expect(await outcome(() => tg.cancel())).toEqual({ value: undefined })
  })

  it("a task's finally spawns into its group while the group is cancelled: the new task never runs", async () => {
    let ran = false
    let late: SoonValue<number> | undefined
    let tg!: TaskGroup
    const settled = await outcome(() =>
      taskGroup(async (group) => {
        tg = group
        group.spawn(async (signal) => {
          try {
            await untilAborted(signal)
          } finally {
            late = group.spawn(() => {
              ran = true
              return 1
            })
          }
        })
        await Promise.resolve()
        group.cancel(new Error("stop"))
      })
    )
    expect((settled.rejected as Error).message).toBe("stop")
    expect(tg.signal.aborted).toBe(true)
    expect(ran).toBe(false)
    expect(late?.status).toBe("cancelled")
  })

  it("a task of one group spawns into another, still open, group: that group waits for it", async () => {
    let ran = false
    const settled = await outcome(() =>
      taskGroup(async (outer) => {
        await taskGroup((inner) => {
          inner.spawn(async () => {
            outer.spawn(async () => {
              await new Promise((resolve) => setTimeout(resolve, 5))
              ran = true
            })
          })
        })
        return "outer body done"
      })
    )
    expect(settled).toEqual({ value: "outer body done" })
    expect(ran).toBe(true)
  })

  it("a task spawns into a group that has ended: it fails with TaskGroupClosedError, reported by its own group", async () => {
    const ended = await endedGroup()
    const { rejected } = await outcome(() => taskGroup((tg) => void tg.spawn(() => ended.spawn(ok))))
    expect(rejected).toBeInstanceOf(TaskGroupClosedError)
  })

  it("a task awaits a handle of another group", async () => {
    const settled = await outcome(() =>
      taskGroup(async (a) => {
        const slow = a.spawn(async () => {
          await new Promise((resolve) => setTimeout(resolve, 5))
          return "from a"
        })
        return taskGroup((b) => b.spawn(() => slow.wait()).wait())
      })
    )
    expect(settled).toEqual({ value: "from a" })
  })

  it("cancelling a task twice, at once and after: one abort, one finally, not a failure of the group", async () => {
    let finals = 0
    let aborts = 0
    const settled = await outcome(() =>
      taskGroup(async (tg) => {
        const soon = tg.spawn(async (signal) => {
          signal.addEventListener("abort", () => aborts++)
          try {
            await untilAborted(signal)
          } finally {
            finals++
          }
        })
        await Promise.all([soon.cancel(), soon.cancel()])
        await soon.cancel()
        return soon.status
      })
    )
    expect(settled).toEqual({ value: "cancelled" })
    expect(finals).toBe(1)
    expect(aborts).toBe(1)
  })

  it("cancelling the group twice: it rejects with the first reason", async () => {
    const first = new Error("first")
    const settled = await outcome(() =>
      taskGroup((tg) => {
        tg.spawn(untilAborted)
        tg.cancel(first)
        tg.cancel(new Error("second"))
      })
    )
    expect(settled).toEqual({ rejected: first })
  })

  it("a task that ignores its signal is waited for, and a rejection after the abort is reported", async () => {
    const late = new Error("failed while being cancelled")
    const settled = await outcome(() =>
      taskGroup((tg) => {
        tg.spawn(async () => {
          await new Promise((resolve) => setTimeout(resolve, 10))
          throw late
        })
        tg.cancel()
      })
    )
    expect(settled).toEqual({ rejected: late })
  })

  it("disposing a group twice settles the same way twice", async () => {
    const tg = createTaskGroup()
    const error = new Error("boom")
    tg.spawn(() => Promise.reject(error))
    expect(await outcome(() => tg[Symbol.asyncDispose]())).toEqual({ rejected: error })
    expect(await outcome(() => tg[Symbol.asyncDispose]())).toEqual({ rejected: error })
  })

  it("reading handles: pending, cancelled and failed values throw their errors; undefined is a value", async () => {
    const error = new Error("failed")
    const [pending, cancelled, failed, empty] = await taskGroup(
      async (tg) => {
        const pending = tg.spawn(async () => 1)
        const thrown = (() => {
          try {
            return pending.value
          } catch (e) {
            return e
          }
        })()
        expect(thrown).toBeInstanceOf(PendingValueError)
        const cancelled = tg.spawn(untilAborted)
        await cancelled.cancel()
        return [pending, cancelled, tg.spawn(() => Promise.reject(error)), tg.spawn(() => undefined)] as const
      },
      { mode: "settle" }
    )
    expect(pending.value).toBe(1)
    expect(() => cancelled.value).toThrow(CancelledError)
    expect(cancelled.exception).toBeInstanceOf(CancelledError)
    expect(() => failed.value).toThrow(error)
    expect(failed.exception).toBe(error)
    expect(empty.status).toBe("fulfilled")
    expect(empty.value).toBeUndefined()
    expect(empty.exception).toBeUndefined()
  })

  it("a Future set twice, or after it was cancelled, throws FutureSetAgainError and keeps the first outcome", async () => {
    const future = new Future<number>()
    future.setResult(1)
    expect(() => future.setException(new Error("late"))).toThrow(FutureSetAgainError)
    expect(future.value).toBe(1)
    const cancelled = new Future<number>()
    await cancelled.cancel()
    await cancelled.cancel()
    expect(() => cancelled.setResult(2)).toThrow(FutureSetAgainError)
    expect(cancelled.status).toBe("cancelled")
  })

  it("a Future set from a task's finally wakes its waiters", async () => {
    const future = new Future<string>()
    const settled = await outcome(() =>
      taskGroup(async (tg) => {
        const soon = tg.spawn(async (signal) => {
          try {
            await untilAborted(signal)
          } finally {
            future.setResult("bye")
          }
        })
        const waiter = tg.spawn(() => future.wait())
        await soon.cancel()
        return waiter.wait()
      })
    )
    expect(settled).toEqual({ value: "bye" })
  })

  it("waitAny with the same handle twice, and a handle of an ended group", async () => {
    const [old] = await taskGroup((tg) => [tg.spawn(() => "old")])
    expect(await outcome(() => waitAny([old, old]))).toEqual({ value: old })
    const settled = await outcome(() =>
      taskGroup(async (tg) => {
        const pending = tg.spawn(untilAborted)
        const first = await waitAny([pending, pending, old])
        tg.cancel()
        return first === old
      })
    )
    expect(settled.rejected).toBeInstanceOf(CancelledError)
  })

  it("leaving an asCompleted loop early cancels what still runs, from a break and from a throw", async () => {
    let finals = 0
    const slow = (signal: AbortSignal) =>
      untilAborted(signal).finally(() => {
        finals++
      })
    for await (const value of asCompleted([slow, () => Promise.resolve("fast")])) {
      expect(value).toBe("fast")
      break
    }
    const error = new Error("out")
    const settled = await outcome(async () => {
      for await (const _ of asCompleted([slow, () => Promise.resolve("fast")])) throw error
    })
    expect(settled).toEqual({ rejected: error })
    expect(finals).toBe(2)
  })
})
