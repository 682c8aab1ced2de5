// TaskGroup.map at its edges: bad inputs and options, a failed call's place in the stream,
// a settled map whose reader is the only one who can make room, how far the calls run
// ahead of an idle reader, and a priority alone.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { TaskGroup } from "@soonify/core"
import { causeOf, defectOf, defectsOf, failuresOf, settle } from "./support.ts"

const later = <A>(ms: number, value: A) => Effect.as(Effect.sleep(ms), value)

/** Runs `effect` in a fiber while the TestClock moves on, and gives its Exit. */
const driven = <A, E>(effect: Effect.Effect<A, E>, step = 10, times = 100) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.forkChild(effect)
    for (let i = 0; i < times && fiber.pollUnsafe() === undefined; i++) {
      yield* settle
      yield* TestClock.adjust(step)
    }
    return yield* Fiber.await(fiber)
  })

describe("TaskGroup.map at its edges", () => {
  it.effect("options that are no object, and an input that is null or undefined, die naming the argument", () =>
    Effect.gen(function* () {
      const message = (stream: Stream.Stream<unknown, unknown>) =>
        Effect.map(Effect.exit(Stream.runDrain(stream)), (exit) => {
          const defect = defectOf(exit)
          assert.isTrue(Cause.isIllegalArgumentError(defect), String(defect))
          return (defect as Error).message
        })
      assert.strictEqual(
        yield* message(TaskGroup.map([1], Effect.succeed, 5 as any)),
        "TaskGroup.map: options must be an object or undefined, received number 5"
      )
      for (const [input, described] of [
        [null, "null"],
        [undefined, "undefined"]
      ] as const) {
        assert.strictEqual(
          yield* message(TaskGroup.map(input as any, Effect.succeed)),
          `TaskGroup.map: expected an iterable, an async iterable or a Stream of items, received ${described}`
        )
      }
    })
  )

  it.effect("a failed call gives no element: the stream fails, its trace naming the task and the map's group", () =>
    Effect.gen(function* () {
      const seen: Array<unknown> = []
      // A generator: its input is closed (its return() called) when the map fails.
      function* items() {
        for (let n = 1; ; n++) yield n
      }
      const exit = yield* Effect.exit(
        Stream.runForEach(
          TaskGroup.map(items(), (n) => (n === 1 ? Effect.fail("bad") : later(10, n)), { concurrency: 1 }),
          (value) => Effect.sync(() => seen.push(value))
        )
      )
      assert.deepStrictEqual(seen, [])
      const cause = causeOf(exit)
      assert.deepStrictEqual(failuresOf(cause), ["bad"])
      assert.deepStrictEqual(defectsOf(cause), [])
      assert.include(Cause.pretty(cause), '(TaskGroup "map")')
    })
  )

  it.effect("returnExceptions with concurrency 1: a failed call's slot is given at once, and the map goes on", () =>
    Effect.gen(function* () {
      const exit = yield* driven(
        Stream.runCollect(
          TaskGroup.map([1, 2, 3, 4], (n) => (n === 1 ? Effect.fail("first") : later(10, n)), {
            concurrency: 1,
            returnExceptions: true
          })
        )
      )
      const exits = Exit.getSuccess(exit).valueOrUndefined as ReadonlyArray<Exit.Exit<number, string>>
      assert.deepStrictEqual(
        exits.map((slot) => (Exit.isSuccess(slot) ? slot.value : failuresOf(slot.cause)[0])),
        ["first", 2, 3, 4]
      )
    })
  )

  it.effect("while the reader is idle, the calls run on until concurrency results wait unread", () =>
    Effect.gen(function* () {
      let pulled = 0
      function* items() {
        for (let n = 0; ; n++) {
          pulled++
          yield n
        }
      }
      const fiber = yield* Effect.forkChild(
        Stream.runCollect(
          TaskGroup.map(items(), (n) => later(10, n), { concurrency: 2 }).pipe(
            // The reader takes one result, then idles.
            Stream.mapEffect((n) => (n === 0 ? Effect.succeed(n) : Effect.never)),
            Stream.take(2)
          )
        )
      )
      for (let i = 0; i < 10; i++) {
        yield* settle
        yield* TestClock.adjust(10)
      }
      // Two results read (one held by the idle reader), two waiting unread, and the call pulled
      // when there was room for one more; no more once two wait.
      assert.strictEqual(pulled, 5)
      yield* Fiber.interrupt(fiber)
    })
  )

  it.effect("a priority alone orders the calls waiting for the group's rate window", () =>
    Effect.gen(function* () {
      const started: Array<number> = []
      const exit = yield* driven(
        Stream.runCollect(
          TaskGroup.map(
            [0, 1, 2, 3],
            (n) =>
              Effect.sync(() => {
                started.push(n)
                return n
              }),
            { concurrency: 4, rate: { limit: 1, interval: 10 }, priority: (n) => n }
          )
        )
      )
      assert.deepStrictEqual(Exit.getSuccess(exit).valueOrUndefined, [0, 1, 2, 3])
      assert.deepStrictEqual(started, [0, 3, 2, 1])
    })
  )
})
