import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option, Stream } from "effect"
import { TestClock } from "effect/testing"
import { isTaskGroupTimeout, TaskGroup, type TaskGroupTimeout } from "@soonify/core"
import { causeOf, defectOf, failuresOf, settle } from "./support.ts"

/** Runs `effect` in a fiber while the TestClock moves on, and gives its Exit. */
const driven = <A, E>(effect: Effect.Effect<A, E>, step = 10, times = 300) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    yield* settle
    for (let i = 0; i < times && fiber.pollUnsafe() === undefined; i++) {
      yield* TestClock.adjust(step)
      yield* settle
    }
    return yield* Fiber.await(fiber)
  })

const later = <A>(ms: number, value: A) => Effect.as(Effect.sleep(ms), value)

/** An endless generator that counts what was pulled and whether `return()` was called. */
const counted = () => {
  const seen = { pulled: 0, returned: false }
  function* items() {
    try {
      for (let n = 0; ; n++) {
        seen.pulled++
        yield n
      }
    } finally {
      seen.returned = true
    }
  }
  return { seen, items: items() }
}

describe("TaskGroup.map", () => {
  it.effect("results in input order, or in completion order with ordered: false", () =>
    Effect.gen(function* () {
      const delays = [50, 10, 40, 20, 30]
      const ordered = yield* driven(
        Stream.runCollect(TaskGroup.map(delays, (ms, i) => later(ms, `${i}:${ms}`), { concurrency: 5 }))
      )
      assert.deepStrictEqual(Exit.getSuccess(ordered).valueOrUndefined ?? ordered, [
        "0:50",
        "1:10",
        "2:40",
        "3:20",
        "4:30"
      ])
      const unordered = yield* driven(
        Stream.runCollect(TaskGroup.map(delays, (ms) => later(ms, ms), { concurrency: 5, ordered: false }))
      )
      assert.deepStrictEqual(Exit.getSuccess(unordered).valueOrUndefined, [10, 20, 30, 40, 50])
    })
  )

  it.effect("pulls lazily: items pulled − items consumed ≤ 2 × concurrency, over an endless input", () =>
    Effect.gen(function* () {
      const { seen, items } = counted()
      let consumed = 0
      let most = 0
      const concurrency = 3
      const exit = yield* driven(
        TaskGroup.map(items, (n) => later(n % 2 === 0 ? 50 : 5, n), { concurrency }).pipe(
          // A slow reader: results wait unread while it sleeps.
          Stream.mapEffect((n) =>
            Effect.as(
              Effect.sync(() => {
                consumed++
                most = Math.max(most, seen.pulled - consumed)
              }),
              n
            ).pipe(Effect.delay(30))
          ),
          Stream.take(40),
          Stream.runCollect
        ),
        5,
        2000
      )
      assert.deepStrictEqual(
        Exit.getSuccess(exit).valueOrUndefined,
        Array.from({ length: 40 }, (_, i) => i)
      )
      assert.isAtMost(most, 2 * concurrency)
      assert.isAtLeast(most, concurrency, "the calls ran ahead of the reader")
      assert.isTrue(seen.returned, "the early end called the input's return()")
    })
  )

  it.effect("an early end (Stream.take) cancels what runs and calls the input's return()", () =>
    Effect.gen(function* () {
      const { seen, items } = counted()
      const interrupted: Array<number> = []
      const exit = yield* driven(
        TaskGroup.map(
          items,
          (n) =>
            n === 0 ? later(10, n) : Effect.onInterrupt(later(1000, n), () => Effect.sync(() => interrupted.push(n))),
          { concurrency: 4 }
        ).pipe(Stream.take(1), Stream.runCollect)
      )
      assert.deepStrictEqual(Exit.getSuccess(exit).valueOrUndefined, [0])
      assert.isTrue(seen.returned)
      assert.deepStrictEqual(interrupted, [1, 2, 3])
      assert.isAtMost(seen.pulled, 8)
    })
  )

  it.effect("an async input between pulls is closed when the map stops, and its return() is waited for", () =>
    Effect.gen(function* () {
      let cleaned = false
      async function* numbers() {
        try {
          for (let n = 0; ; n++) yield n
        } finally {
          // An asynchronous clean-up: the map's end waits for it.
          await new Promise((resolve) => setTimeout(resolve, 100))
          cleaned = true
        }
      }
      // The first call outlasts the map's timeout: the input waits for room, between pulls, when it runs out.
      const exit = yield* driven(
        Stream.runCollect(TaskGroup.map(numbers(), () => Effect.sleep(1000), { concurrency: 1, timeout: 50 }))
      )
      assert.isTrue(isTaskGroupTimeout(failuresOf(causeOf(exit))[0]))
      assert.isTrue(cleaned)
    })
  )

  it.live("an async input stuck in next(): the consumer's interruption ends at once, calling return() unwaited", () =>
    Effect.gen(function* () {
      // An async generator settles return() only after its pending next(): never, here.
      async function* waitsForever() {
        yield* []
        await new Promise(() => {})
      }
      const generator = waitsForever()
      const returned = generator.return.bind(generator)
      let closed = false
      generator.return = (value) => {
        closed = true
        return returned(value)
      }
      // An input that refuses to close while a pull is pending: the map leaves the rejection handled.
      const refusing: AsyncIterable<number> = {
        [Symbol.asyncIterator]: () => ({
          next: () => new Promise<IteratorResult<number>>(() => {}),
          return: () => Promise.reject(new Error("cannot close while pulling"))
        })
      }
      for (const input of [generator, refusing]) {
        const fiber = yield* Effect.forkChild(Stream.runCollect(TaskGroup.map(input, Effect.succeed)))
        yield* Effect.sleep(10)
        const ended = yield* Effect.timeoutOption(Fiber.interrupt(fiber), "1 second")
        assert.isTrue(Option.isSome(ended), "the interruption ended")
      }
      assert.isTrue(closed)
    })
  )

  it.effect("the consumer's interruption cancels the calls, stops pulling and calls return()", () =>
    Effect.gen(function* () {
      const { seen, items } = counted()
      let interrupted = 0
      const fiber = yield* Effect.forkChild(
        Stream.runDrain(
          TaskGroup.map(items, () => Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted++)), {
            concurrency: 2
          })
        )
      )
      yield* settle
      assert.strictEqual(seen.pulled, 2)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual(interrupted, 2)
      assert.isTrue(seen.returned)
      assert.strictEqual(seen.pulled, 2)
    })
  )

  it.effect("fails fast by default: the first failure cancels the rest and the stream fails with it", () =>
    Effect.gen(function* () {
      const interrupted: Array<number> = []
      const exit = yield* driven(
        Stream.runCollect(
          TaskGroup.map(
            [1, 2, 3, 4],
            (n) =>
              n === 3
                ? Effect.andThen(Effect.sleep(10), Effect.fail(`bad ${n}`))
                : Effect.onInterrupt(later(100 * n, n), () => Effect.sync(() => interrupted.push(n))),
            { concurrency: 4 }
          )
        )
      )
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["bad 3"])
      assert.isFalse(Cause.hasInterrupts(causeOf(exit)))
      assert.deepStrictEqual(interrupted, [1, 2, 4])
    })
  )

  it.effect("returnExceptions: each result is the call's Exit, and a failure cancels nothing", () =>
    Effect.gen(function* () {
      const exit = yield* driven(
        Stream.runCollect(
          TaskGroup.map([1, 2, 3], (n) => (n === 2 ? Effect.fail("two") : later(10 * n, n)), {
            concurrency: 2,
            returnExceptions: true
          })
        )
      )
      const slots = Exit.getSuccess(exit).valueOrUndefined!
      assert.deepStrictEqual(
        slots.map((slot) => (Exit.isSuccess(slot) ? slot.value : failuresOf(slot.cause)[0])),
        [1, "two", 3]
      )
    })
  )

  it.effect("timeout is the whole map's: the calls are cancelled and the stream fails with TaskGroupTimeout", () =>
    Effect.gen(function* () {
      const { seen, items } = counted()
      const exit = yield* driven(
        Stream.runCollect(TaskGroup.map(items, (n) => later(40, n), { concurrency: 2, timeout: "100 millis" }))
      )
      const [error] = failuresOf(causeOf(exit))
      assert.isTrue(isTaskGroupTimeout(error))
      assert.isTrue(seen.returned)
    })
  )

  it.effect("takes a Stream and an async iterable as input", () =>
    Effect.gen(function* () {
      const fromStream = yield* driven(
        Stream.runCollect(TaskGroup.map(Stream.range(1, 5), (n) => later(10, n * 10), { concurrency: 2 }))
      )
      assert.deepStrictEqual(Exit.getSuccess(fromStream).valueOrUndefined, [10, 20, 30, 40, 50])
      let returned = false
      async function* letters() {
        try {
          yield "a"
          yield "b"
          yield "c"
        } finally {
          returned = true
        }
      }
      const fromAsync = yield* Effect.exit(
        Stream.runCollect(TaskGroup.map(letters(), (s, i) => Effect.succeed(`${i}${s}`), { concurrency: 2 }))
      )
      assert.deepStrictEqual(Exit.getSuccess(fromAsync).valueOrUndefined, ["0a", "1b", "2c"])
      assert.isTrue(returned)
      const failing = yield* Effect.exit(Stream.runCollect(TaskGroup.map(Stream.fail("input"), Effect.succeed)))
      assert.deepStrictEqual(failuresOf(causeOf(failing)), ["input"])
    })
  )

  it.effect("priority and partition per item, with the group's partitions and rate", () =>
    Effect.gen(function* () {
      const running = new Map<string, number>()
      let most = 0
      const started: Array<number> = []
      const exit = yield* driven(
        Stream.runCollect(
          TaskGroup.map(
            [0, 1, 2, 3, 4, 5, 6, 7],
            (n) =>
              Effect.gen(function* () {
                const host = n % 2 === 0 ? "even" : "odd"
                started.push(n)
                running.set(host, (running.get(host) ?? 0) + 1)
                most = Math.max(most, running.get(host)!)
                yield* Effect.sleep(20)
                running.set(host, running.get(host)! - 1)
                return n
              }),
            {
              concurrency: 8,
              partition: (n) => (n % 2 === 0 ? "even" : "odd"),
              priority: (n) => n,
              partitions: { concurrency: 1 },
              rate: { limit: 8, interval: "1 second" }
            }
          )
        )
      )
      assert.deepStrictEqual(Exit.getSuccess(exit).valueOrUndefined, [0, 1, 2, 3, 4, 5, 6, 7])
      assert.strictEqual(most, 1)
      // Among the waiting calls of each partition, the highest priority first.
      assert.deepStrictEqual(started, [0, 1, 6, 7, 4, 5, 2, 3])
    })
  )

  it.effect("bad values die with an IllegalArgumentError naming the argument", () =>
    Effect.gen(function* () {
      const dies = (stream: Stream.Stream<unknown, unknown>, text: string) =>
        Effect.gen(function* () {
          const defect = defectOf(yield* Effect.exit(Stream.runDrain(stream)))
          assert.isTrue(Cause.isIllegalArgumentError(defect), String(defect))
          assert.include((defect as Error).message, text)
        })
      yield* dies(
        TaskGroup.map(42 as any, Effect.succeed),
        "TaskGroup.map: expected an iterable, an async iterable or a Stream of items, received number 42"
      )
      yield* dies(TaskGroup.map("abc" as any, Effect.succeed), "expected an iterable")
      yield* dies(TaskGroup.map([1], "f" as any), "TaskGroup.map: expected a function (item, index) => Effect")
      yield* dies(
        TaskGroup.map([1], Effect.succeed, { concurrency: 0 }),
        'TaskGroup.map: option "concurrency" must be a positive integer'
      )
      yield* dies(TaskGroup.map([1], Effect.succeed, { ordered: "yes" as any }), 'option "ordered" must be a boolean')
      yield* dies(
        TaskGroup.map([1], Effect.succeed, { returnExceptions: 1 as any }),
        'option "returnExceptions" must be a boolean'
      )
      yield* dies(
        TaskGroup.map([1], Effect.succeed, { priority: 1 as any }),
        'option "priority" must be a function (item, index) => number'
      )
      yield* dies(
        TaskGroup.map([1], Effect.succeed, { partition: "a" as any }),
        'option "partition" must be a function (item, index) => string'
      )
      yield* dies(
        TaskGroup.map([1], Effect.succeed, { rate: { limit: 0, interval: 1 } }),
        'TaskGroup.map: option "rate"'
      )
      yield* dies(TaskGroup.map([1], Effect.succeed, { timeout: -1 }), 'TaskGroup.map: option "timeout"')
      yield* dies(
        TaskGroup.map([1], Effect.succeed, { partition: () => 1 as any }),
        'the "partition" function must return a string'
      )
    })
  )

  it.effect("a priority function that gives no number, or NaN, makes the map die naming it", () =>
    Effect.gen(function* () {
      for (const given of ["high", Number.NaN]) {
        const defect = defectOf(
          yield* Effect.exit(Stream.runDrain(TaskGroup.map([1], Effect.succeed, { priority: () => given as number })))
        )
        assert.isTrue(Cause.isIllegalArgumentError(defect), String(defect))
        assert.strictEqual(
          (defect as Error).message,
          `TaskGroup.map: the "priority" function must return a number, returned ${typeof given === "string" ? 'string "high"' : "number NaN"}`
        )
      }
    })
  )

  it("types: results from f's, errors from f's, the input's and the timeout", () => {
    const values = TaskGroup.map([1, 2], (n: number) =>
      n > 1 ? Effect.succeed(String(n)) : Effect.fail("bad" as const)
    )
    expectTypeOf(values).toEqualTypeOf<Stream.Stream<string, "bad", never>>()
    const exits = TaskGroup.map(new Set(["a"]), (s) => Effect.succeed(s.length), { returnExceptions: true })
    expectTypeOf(exits).toEqualTypeOf<Stream.Stream<Exit.Exit<number, never>, never, never>>()
    const timed = TaskGroup.map(Stream.make(1) as Stream.Stream<number, "input">, (n) => Effect.succeed(n), {
      timeout: "1 second",
      partition: (n, i) => {
        expectTypeOf(n).toEqualTypeOf<number>()
        expectTypeOf(i).toEqualTypeOf<number>()
        return String(n)
      }
    })
    expectTypeOf(timed).toEqualTypeOf<Stream.Stream<number, "input" | TaskGroupTimeout, never>>()
  })
})
