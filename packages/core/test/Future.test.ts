import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option } from "effect"
import { Future, FutureSetAgain, isFutureSetAgain, PendingValue, SoonValue } from "@soonify/core"

describe("Future", () => {
  it.effect("starts pending: ready is false, value fails with PendingValue, poll is none", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>({ name: "answer" })
      assert.isFalse(future.ready)
      const error = yield* Effect.flip(future.value)
      assert.instanceOf(error, PendingValue)
      assert.strictEqual(error.task, "answer")
      assert.isTrue(Option.isNone(yield* future.poll))
      assert.strictEqual(future.name, "answer")
    })
  )

  it.effect("succeed completes it: every read gives the value", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      yield* Future.succeed(future, 42)
      assert.isTrue(future.ready)
      assert.strictEqual(yield* future.value, 42)
      assert.strictEqual(yield* future.await, 42)
      assert.deepStrictEqual(yield* future.poll, Option.some(Exit.succeed(42)))
    })
  )

  it.effect("fail completes it with a typed failure", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number, "boom">()
      yield* Future.fail(future, "boom")
      assert.strictEqual(yield* Effect.flip(future.value), "boom")
      assert.strictEqual(yield* Effect.flip(future.await), "boom")
    })
  )

  it.effect("complete takes any Exit, an interruption included", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      yield* Future.complete(future, Exit.interrupt(7))
      const exit = yield* Effect.exit(future.await)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
    })
  )

  it.effect("a second completion fails with FutureSetAgain and keeps the first outcome", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number, string>({ name: "once" })
      yield* Future.succeed(future, 1)
      const again = yield* Effect.flip(Future.succeed(future, 2))
      assert.instanceOf(again, FutureSetAgain)
      assert.isTrue(isFutureSetAgain(again))
      assert.strictEqual(again.future, future)
      assert.include(again.message, `"once"`)
      const failAgain = yield* Effect.flip(Future.fail(future, "late"))
      assert.strictEqual(failAgain._tag, "FutureSetAgain")
      assert.strictEqual(yield* future.value, 1)
    })
  )

  it.effect("await waits until another fiber completes it", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<string>()
      const waiter = yield* Effect.forkChild(future.await)
      yield* Effect.yieldNow
      assert.isUndefined(waiter.pollUnsafe())
      yield* Future.succeed(future, "done")
      assert.strictEqual(yield* Fiber.join(waiter), "done")
    })
  )

  it.effect("cancel completes a pending future with an interruption, and does nothing after", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      yield* future.cancel
      const exit = yield* Effect.exit(future.value)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
      const done = Future.makeUnsafe<number>()
      yield* Future.succeed(done, 5)
      yield* done.cancel
      assert.strictEqual(yield* done.value, 5)
    })
  )

  it.effect("is a SoonValue, usable wherever handles are", () =>
    Effect.gen(function* () {
      const future = Future.makeUnsafe<number>()
      assert.isTrue(SoonValue.isSoonValue(future))
      assert.isTrue(Future.isFuture(future))
      assert.isFalse(Future.isFuture({}))
      yield* Effect.forkChild(Future.succeed(future, 3))
      const first = yield* SoonValue.waitAny([future])
      assert.strictEqual(first, future)
    })
  )

  it.effect("dual forms complete the future", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>()
      yield* future.pipe(Future.succeed(9))
      assert.strictEqual(yield* future.value, 9)
    })
  )

  it.effect("default names are distinct", () =>
    Effect.gen(function* () {
      const a = yield* Future.make()
      const b = yield* Future.make()
      assert.notStrictEqual(a.name, b.name)
      assert.match(a.name, /^future-\d+$/)
    })
  )

  it.effect("a bad name or a non-Future dies at once with a message naming it", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Future.make({ name: 42 as any }))
      assert.isTrue(Exit.isFailure(exit))
      assert.include(String(Cause.squash((exit as Exit.Failure<any, any>).cause)), `"name"`)
      const notFuture = yield* Effect.exit(Future.succeed({} as any, 1))
      assert.include(String(Cause.squash((notFuture as Exit.Failure<any, any>).cause)), "expected a Future")
    })
  )

  it("is invariant in A and E, while readable as a covariant SoonValue", () => {
    const future = Future.makeUnsafe<"a", never>()
    expectTypeOf(future).toExtend<SoonValue.SoonValue<string, Error>>()
    expectTypeOf(future).not.toExtend<Future.Future<string, never>>()
    expectTypeOf(Future.makeUnsafe<string>()).not.toExtend<Future.Future<"a", never>>()
    expectTypeOf(Future.succeed(Future.makeUnsafe<number>(), 1)).toEqualTypeOf<Effect.Effect<void, FutureSetAgain>>()
  })
})
