import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Chunk, Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Future, SoonValue, TaskGroup } from "@soonify/core"
import { settle } from "./support.ts"

const defectMessage = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isFailure(exit) ? String((Cause.squash(exit.cause) as Error).message) : "no defect"

describe("SoonValue.waitAny", () => {
  it.effect("returns the first handle to end, not the first listed, and the others keep running", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const slow = yield* group.spawn(Effect.as(Effect.sleep("2 seconds"), "slow"))
            const fast = yield* group.spawn(Effect.as(Effect.sleep("1 second"), "fast"))
            const first = yield* SoonValue.waitAny([slow, fast])
            assert.strictEqual(first, fast)
            assert.isFalse(slow.ready)
            return slow
          })
        )
      )
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 second")
      const slow = yield* Fiber.join(fiber)
      assert.strictEqual(yield* slow.value, "slow")
    })
  )

  it.effect("returns at once a handle that has already ended, failures included", () =>
    Effect.gen(function* () {
      const pending = Future.makeUnsafe<number>()
      const failed = Future.makeUnsafe<number, string>()
      yield* Future.fail(failed, "boom")
      const first = yield* SoonValue.waitAny([pending, failed])
      assert.strictEqual(first, failed)
    })
  )

  it.effect("takes handles of any mix of types and keeps their union", () =>
    Effect.gen(function* () {
      const a = Future.makeUnsafe<number>()
      const b = Future.makeUnsafe<string, Error>()
      yield* Future.succeed(b, "b")
      const first = yield* SoonValue.waitAny([a, b])
      expectTypeOf(first).toEqualTypeOf<Future.Future<number, never> | Future.Future<string, Error>>()
      assert.strictEqual(first, b)
    })
  )

  it.effect("interrupting the wait cancels no task", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const task = yield* group.spawn(Effect.as(Effect.sleep("1 second"), 1))
            const waiter = yield* Effect.forkChild(SoonValue.waitAny([task]))
            yield* Effect.yieldNow
            yield* Fiber.interrupt(waiter)
            return task
          })
        )
      )
      yield* settle
      yield* TestClock.adjust("1 second")
      const task = yield* Fiber.join(fiber)
      assert.strictEqual(yield* task.value, 1)
    })
  )

  it.effect("dies at once on no handles, saying it needs at least one", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(SoonValue.waitAny([]))
      assert.include(defectMessage(exit), "needs at least one handle")
    })
  )

  it.effect("dies at once on a non-iterable or a non-handle, naming what it received", () =>
    Effect.gen(function* () {
      assert.include(defectMessage(yield* Effect.exit(SoonValue.waitAny(42 as any))), "received number 42")
      assert.include(defectMessage(yield* Effect.exit(SoonValue.waitAny(null as any))), "received null")
      assert.include(defectMessage(yield* Effect.exit(SoonValue.waitAny([{}] as any))), "element 0 is not a SoonValue")
    })
  )
})

describe("SoonValue.waitAll", () => {
  it.effect("waits until every handle has ended and never fails on their errors", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              const a = yield* group.spawn(Effect.as(Effect.sleep("1 second"), 1))
              const b = yield* group.spawn(Effect.andThen(Effect.sleep("2 seconds"), Effect.fail("boom")))
              yield* SoonValue.waitAll([a, b])
              return [a.ready, b.ready, yield* Effect.flip(b.value)] as const
            }),
          { mode: "settle" }
        )
      )
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* Fiber.join(fiber), [true, true, "boom"])
    })
  )

  it.effect("is done at once on no handles", () =>
    Effect.gen(function* () {
      yield* SoonValue.waitAll([])
      yield* SoonValue.waitAll(new Set())
    })
  )

  it.effect("waits through interruptions too", () =>
    Effect.gen(function* () {
      const future = Future.makeUnsafe<number>()
      yield* future.cancel
      yield* SoonValue.waitAll([future])
      assert.isTrue(future.ready)
    })
  )

  it.effect("dies at once on a non-iterable, naming what it received", () =>
    Effect.gen(function* () {
      assert.include(defectMessage(yield* Effect.exit(SoonValue.waitAll(undefined as any))), "received undefined")
    })
  )
})

describe("SoonValue.asCompleted", () => {
  it.effect("streams the handles in the order their tasks end", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const c = yield* group.spawn(Effect.as(Effect.sleep("3 seconds"), "c"))
            const a = yield* group.spawn(Effect.as(Effect.sleep("1 second"), "a"))
            const b = yield* group.spawn(Effect.as(Effect.sleep("2 seconds"), "b"))
            return yield* SoonValue.asCompleted([c, a, b]).pipe(
              Stream.mapEffect((soon) => soon.value),
              Stream.runCollect
            )
          })
        )
      )
      for (let i = 0; i < 3; i++) {
        yield* settle
        yield* TestClock.adjust("1 second")
      }
      assert.deepStrictEqual(Chunk.toReadonlyArray(Chunk.fromIterable(yield* Fiber.join(fiber))), ["a", "b", "c"])
    })
  )

  it.effect("gives handles already ended first, in input order, failures as handles", () =>
    Effect.gen(function* () {
      const a = Future.makeUnsafe<number, string>()
      const b = Future.makeUnsafe<string>()
      const c = Future.makeUnsafe<boolean>()
      yield* Future.succeed(c, true)
      yield* Future.fail(a, "boom")
      const fiber = yield* Effect.forkChild(Stream.runCollect(SoonValue.asCompleted([a, b, c])))
      yield* settle
      yield* Future.succeed(b, "late")
      const order = Array.from(yield* Fiber.join(fiber))
      assert.deepStrictEqual(order, [a, c, b])
    })
  )

  it.effect("a consumer that stops early cancels no task", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const fast = yield* group.spawn(Effect.as(Effect.sleep("1 second"), "fast"))
            const slow = yield* group.spawn(Effect.as(Effect.sleep("2 seconds"), "slow"))
            const first = yield* SoonValue.asCompleted([slow, fast]).pipe(Stream.take(1), Stream.runCollect)
            assert.deepStrictEqual(Array.from(first), [fast])
            return slow
          })
        )
      )
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* settle
      yield* TestClock.adjust("1 second")
      const slow = yield* Fiber.join(fiber)
      assert.strictEqual(yield* slow.value, "slow")
    })
  )

  it.effect("is empty at once on no handles", () =>
    Effect.gen(function* () {
      const out = yield* Stream.runCollect(SoonValue.asCompleted([]))
      assert.strictEqual(Array.from(out).length, 0)
    })
  )

  it.effect("fails at once on a non-iterable, naming what it received", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Stream.runCollect(SoonValue.asCompleted(7 as any)))
      assert.include(defectMessage(exit), "received number 7")
    })
  )
})
