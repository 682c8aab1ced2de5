import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { SoonValue } from "@soonify/core"
import { defectOf, failuresOf, settle } from "./support.ts"

describe("SoonValue.asCompleted(effects, { concurrency })", () => {
  it.effect("starts the effects lazily, at most that many at once, and gives their ended handles as they end", () =>
    Effect.gen(function* () {
      let running = 0
      let most = 0
      const started: Array<number> = []
      const job = (ms: number) =>
        Effect.acquireUseRelease(
          Effect.sync(() => {
            started.push(ms)
            most = Math.max(most, ++running)
          }),
          () => (ms === 25 ? Effect.andThen(Effect.sleep(ms), Effect.fail("late")) : Effect.as(Effect.sleep(ms), ms)),
          () => Effect.sync(() => running--)
        )
      const fiber = yield* Effect.forkChild(
        SoonValue.asCompleted([job(30), job(10), job(25), job(5)], { concurrency: 2 }).pipe(
          Stream.mapEffect((soon) => Effect.map(soon.poll, (exit) => [soon.ready, exit])),
          Stream.runCollect
        )
      )
      yield* settle
      assert.deepStrictEqual(started, [30, 10], "only two started")
      for (let i = 0; i < 10; i++) {
        yield* TestClock.adjust(5)
        yield* settle
      }
      const results = (yield* Fiber.join(fiber)) as Array<[boolean, any]>
      assert.isTrue(results.every(([ready]) => ready))
      const outcomes = results.map(([, exit]) =>
        Exit.isSuccess(exit.value) ? exit.value.value : failuresOf(exit.value.cause)[0]
      )
      // 10 ends at 10, then 25 starts (ends at 35), 30 ends at 30, then 5 starts (ends at 35).
      assert.deepStrictEqual(outcomes, [10, 30, "late", 5])
      assert.strictEqual(most, 2)
    })
  )

  it.effect("a consumer that stops early cancels the running effects and starts no more", () =>
    Effect.gen(function* () {
      const started: Array<number> = []
      let interrupted = 0
      const job = (n: number) =>
        Effect.suspend(() => {
          started.push(n)
          return n === 1
            ? Effect.as(settle, n)
            : Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted++))
        })
      const handles = yield* SoonValue.asCompleted([job(1), job(2), job(3), job(4), job(5)], { concurrency: 3 }).pipe(
        Stream.take(1),
        Stream.runCollect
      )
      assert.strictEqual(handles.length, 1)
      assert.deepStrictEqual(started, [1, 2, 3])
      assert.strictEqual(interrupted, 2)
    })
  )

  it.effect("bad values die naming the argument", () =>
    Effect.gen(function* () {
      const bad = defectOf(
        yield* Effect.exit(Stream.runDrain(SoonValue.asCompleted([Effect.void], { concurrency: 0 })))
      )
      assert.isTrue(Cause.isIllegalArgumentError(bad))
      assert.include((bad as Error).message, 'SoonValue.asCompleted: option "concurrency" must be a positive integer')
      // The input is lazy (it may be endless): an element that is not an Effect is found
      // when its turn comes, and its handle holds the defect.
      const [soon] = yield* Stream.runCollect(
        SoonValue.asCompleted([1 as unknown as Effect.Effect<number>], { concurrency: 1 })
      )
      const defect = defectOf(yield* Effect.exit(soon.await))
      assert.include(String((defect as Error).message), "SoonValue.asCompleted: element 0 is not an Effect")
    })
  )

  it.effect("takes an unbounded concurrency, and dies naming options that are no object", () =>
    Effect.gen(function* () {
      const handles = yield* Stream.runCollect(
        SoonValue.asCompleted([Effect.succeed(1), Effect.succeed(2)], { concurrency: "unbounded" })
      )
      assert.deepStrictEqual(yield* Effect.forEach(handles, (handle) => handle.await), [1, 2])
      const defect = defectOf(yield* Effect.exit(Stream.runDrain(SoonValue.asCompleted([Effect.void], 5 as any))))
      assert.strictEqual(
        (defect as Error).message,
        "SoonValue.asCompleted: options must be an object or undefined, received number 5"
      )
    })
  )

  it.effect("an input that is no iterable, or a string, dies naming the argument", () =>
    Effect.gen(function* () {
      for (const [input, described] of [
        [42, "number 42"],
        ["abc", 'string "abc"']
      ] as const) {
        const defect = defectOf(
          yield* Effect.exit(Stream.runDrain(SoonValue.asCompleted(input as any, { concurrency: 1 })))
        )
        assert.isTrue(Cause.isIllegalArgumentError(defect))
        assert.strictEqual(
          (defect as Error).message,
          `SoonValue.asCompleted: expected an iterable of Effects, received ${described}`
        )
      }
    })
  )

  it("types: the handles of the effects", () => {
    const stream = SoonValue.asCompleted([Effect.succeed(1), Effect.fail("no" as const)], { concurrency: 2 })
    expectTypeOf(stream).toEqualTypeOf<
      Stream.Stream<SoonValue.SoonValue<number, never> | SoonValue.SoonValue<never, "no">, never, never>
    >()
  })
})
