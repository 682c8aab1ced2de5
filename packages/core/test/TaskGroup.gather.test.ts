import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Deferred, Duration, Effect, Exit, Fiber, Ref } from "effect"
import { TestClock } from "effect/testing"
import { isTaskGroupTimeout, TaskGroup } from "@soonify/core"
import { plain, settle } from "./support.ts"

const after = <A>(millis: number, value: A) => Effect.as(Effect.sleep(millis), value)

describe("TaskGroup.gather", () => {
  it.effect("gives a tuple's results in input order, whatever order they end in", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(TaskGroup.gather([after(30, "slow"), after(10, 2), Effect.succeed(true)]))
      yield* settle
      yield* TestClock.adjust(30)
      const result = yield* Fiber.join(fiber)
      expectTypeOf(result).toEqualTypeOf<[string, number, boolean]>()
      assert.deepStrictEqual(result, ["slow", 2, true])
    })
  )

  it.effect("runs the effects at once: the time is the longest, not the sum", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(TaskGroup.gather([after(1000, 1), after(1000, 2), after(1000, 3)]))
      yield* settle
      yield* TestClock.adjust(1000)
      yield* settle
      assert.deepStrictEqual(fiber.pollUnsafe(), Exit.succeed([1, 2, 3]))
    })
  )

  it.effect("keeps a record's keys and types", () =>
    Effect.gen(function* () {
      const result = yield* TaskGroup.gather({ user: Effect.succeed({ id: 1 }), count: Effect.succeed(3) })
      expectTypeOf(result).toEqualTypeOf<{ user: { id: number }; count: number }>()
      assert.deepStrictEqual(result, { user: { id: 1 }, count: 3 })
    })
  )

  it.effect("takes any iterable and gives an array", () =>
    Effect.gen(function* () {
      const input = new Set([Effect.succeed(1), Effect.succeed(2)])
      const result = yield* TaskGroup.gather(input)
      expectTypeOf(result).toEqualTypeOf<Array<number>>()
      assert.deepStrictEqual(result, [1, 2])
      const array: Array<Effect.Effect<string>> = [Effect.succeed("a")]
      const fromArray = yield* TaskGroup.gather(array)
      expectTypeOf(fromArray).toEqualTypeOf<Array<string>>()
    })
  )

  it.effect("infers the union of the errors, and never with returnExceptions", () =>
    Effect.gen(function* () {
      const a = Effect.fail("a" as const) as Effect.Effect<number, "a">
      const b = Effect.fail(new Error("b")) as Effect.Effect<string, Error>
      const failFast = TaskGroup.gather([a, b])
      expectTypeOf(failFast).toEqualTypeOf<Effect.Effect<[number, string], "a" | Error>>()
      const settled = TaskGroup.gather([a, b], { returnExceptions: true })
      expectTypeOf(settled).toEqualTypeOf<Effect.Effect<[Exit.Exit<number, "a">, Exit.Exit<string, Error>], never>>()
      yield* Effect.exit(failFast)
    })
  )

  it.effect("fails fast: the first failure interrupts the rest and runs their finalizers", () =>
    Effect.gen(function* () {
      const finalized = yield* Ref.make(0)
      const slow = Effect.sleep("10 seconds").pipe(Effect.ensuring(Ref.update(finalized, (n) => n + 1)))
      const fiber = yield* Effect.forkChild(
        Effect.exit(TaskGroup.gather([slow, Effect.andThen(Effect.sleep(10), Effect.fail("boom")), slow]))
      )
      yield* settle
      yield* TestClock.adjust(10)
      const exit = yield* Fiber.join(fiber)
      assert.deepStrictEqual(plain(exit), Exit.fail("boom"))
      assert.strictEqual(yield* Ref.get(finalized), 2)
    })
  )

  it.effect("keeps every failure that happens before the others have ended in the Cause", () =>
    Effect.gen(function* () {
      // Uninterruptible tasks cannot be stopped by the first failure: each fails too.
      const fiber = yield* Effect.forkChild(
        Effect.exit(
          TaskGroup.gather([
            Effect.uninterruptible(Effect.andThen(Effect.sleep(10), Effect.fail("a"))),
            Effect.uninterruptible(Effect.andThen(Effect.sleep(10), Effect.fail("b"))),
            Effect.uninterruptible(Effect.andThen(Effect.sleep(10), Effect.die("c")))
          ])
        )
      )
      yield* settle
      yield* TestClock.adjust(10)
      const exit = yield* Fiber.join(fiber)
      assert.isTrue(Exit.isFailure(exit))
      const reasons = (exit as Exit.Failure<unknown, string>).cause.reasons
      assert.deepStrictEqual(
        reasons.map((r) => (r._tag === "Fail" ? r.error : r._tag === "Die" ? r.defect : "interrupt")),
        ["a", "b", "c"]
      )
    })
  )

  it.effect("with returnExceptions, every slot holds its Exit in input order and nothing is cancelled", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.gather([after(20, 1), Effect.fail("boom"), Effect.die("bad"), after(10, "x")], {
          returnExceptions: true
        })
      )
      yield* settle
      yield* TestClock.adjust(20)
      const [a, b, c, d] = yield* Fiber.join(fiber)
      assert.deepStrictEqual(a, Exit.succeed(1))
      assert.deepStrictEqual(b, Exit.fail("boom"))
      assert.isTrue(Exit.isFailure(c) && Cause.hasDies(c.cause))
      assert.deepStrictEqual(d, Exit.succeed("x"))
    })
  )

  it.effect("runs at most `concurrency` at once, starting them in input order", () =>
    Effect.gen(function* () {
      const running = yield* Ref.make(0)
      const peak = yield* Ref.make(0)
      const started: Array<number> = []
      const task = (i: number) =>
        Effect.gen(function* () {
          started.push(i)
          const now = yield* Ref.updateAndGet(running, (n) => n + 1)
          yield* Ref.update(peak, (p) => Math.max(p, now))
          yield* Effect.sleep(10)
          yield* Ref.update(running, (n) => n - 1)
          return i
        })
      const fiber = yield* Effect.forkChild(TaskGroup.gather([0, 1, 2, 3, 4].map(task), { concurrency: 2 }))
      for (let i = 0; i < 3; i++) {
        yield* settle
        yield* TestClock.adjust(10)
      }
      assert.deepStrictEqual(yield* Fiber.join(fiber), [0, 1, 2, 3, 4])
      assert.strictEqual(yield* Ref.get(peak), 2)
      assert.deepStrictEqual(started, [0, 1, 2, 3, 4])
    })
  )

  it.effect("gives an empty result at once for empty input", () =>
    Effect.gen(function* () {
      assert.deepStrictEqual(yield* TaskGroup.gather([]), [])
      assert.deepStrictEqual(yield* TaskGroup.gather({}), {})
      assert.deepStrictEqual(yield* TaskGroup.gather([], { returnExceptions: true }), [])
    })
  )

  it.effect("is interrupted when one of the effects interrupts itself: there is no value for its slot", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(TaskGroup.gather([Effect.succeed(1), Effect.interrupt]))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
      const settled = yield* TaskGroup.gather([Effect.succeed(1), Effect.interrupt], { returnExceptions: true })
      assert.deepStrictEqual(settled[0], Exit.succeed(1))
      assert.isTrue(Exit.isFailure(settled[1]) && Cause.hasInterruptsOnly(settled[1].cause))
    })
  )

  it.effect("keeps falsy results as values", () =>
    Effect.gen(function* () {
      const result = yield* TaskGroup.gather([
        Effect.succeed(0),
        Effect.succeed(""),
        Effect.succeed(undefined),
        Effect.succeed(null),
        Effect.succeed(false)
      ])
      assert.deepStrictEqual(result, [0, "", undefined, null, false])
    })
  )

  it.effect("a synchronous failure stops the effects after it from starting", () =>
    Effect.gen(function* () {
      const started: Array<number> = []
      const exit = yield* Effect.exit(
        TaskGroup.gather([Effect.fail("first"), Effect.sync(() => started.push(1)), Effect.sync(() => started.push(2))])
      )
      assert.deepStrictEqual(plain(exit), Exit.fail("first"))
      assert.deepStrictEqual(started, [])
    })
  )

  it.effect("interrupted from outside, interrupts every effect, waits for them and stays an interruption", () =>
    Effect.gen(function* () {
      // A gate, not a sleep: TestClock's sleep is itself interrupted inside the
      // finalizer of an interrupted fiber.
      const gate = yield* Deferred.make<void>()
      const finalized = yield* Ref.make(0)
      const slowFinalizer = Deferred.await(gate).pipe(Effect.andThen(Ref.update(finalized, (n) => n + 1)))
      const task = Effect.never.pipe(Effect.ensuring(slowFinalizer))
      const fiber = yield* Effect.forkChild(TaskGroup.gather([task, task]))
      yield* settle
      const interrupter = yield* Effect.forkChild(Fiber.interrupt(fiber))
      yield* settle
      assert.strictEqual(yield* Ref.get(finalized), 0)
      assert.isUndefined(fiber.pollUnsafe())
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(interrupter)
      assert.strictEqual(yield* Ref.get(finalized), 2)
      const exit = fiber.pollUnsafe()!
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
    })
  )

  it.effect("runs the effects of the input as it was when gather was called, not as it is when it runs", () =>
    Effect.gen(function* () {
      const effects: Array<Effect.Effect<number>> = [Effect.succeed(1), Effect.sync(() => 2)]
      const gathered = TaskGroup.gather(effects)
      effects.push(Effect.succeed(3))
      effects[0] = Effect.succeed(0)
      assert.deepStrictEqual(yield* gathered, [1, 2])
    })
  )

  it.effect(
    "with returnExceptions and a timeout, a record keeps exactly its keys, late slots failing with the group and timeout",
    () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          TaskGroup.gather(
            { fast: after(10, "fast"), slow: after(5000, "slow") },
            { timeout: 100, returnExceptions: true }
          )
        )
        yield* settle
        yield* TestClock.adjust(100)
        const slots = yield* Fiber.join(fiber)
        assert.deepStrictEqual(Object.keys(slots), ["fast", "slow"])
        assert.deepStrictEqual(slots.fast, Exit.succeed("fast"))
        const late = Exit.isFailure(slots.slow) ? Cause.squash(slots.slow.cause) : undefined
        assert.isTrue(isTaskGroupTimeout(late))
        assert.strictEqual((late as { group: string }).group, "TaskGroup")
        assert.strictEqual(Duration.toMillis((late as { timeout: Duration.Duration }).timeout), 100)
      })
  )

  it.effect("with returnExceptions, a record keeps exactly its keys", () =>
    Effect.gen(function* () {
      const slots = yield* TaskGroup.gather({ a: Effect.succeed(1), b: Effect.fail("no") }, { returnExceptions: true })
      assert.deepStrictEqual(Object.keys(slots), ["a", "b"])
      assert.deepStrictEqual(slots, { a: Exit.succeed(1), b: Exit.fail("no") })
    })
  )

  it.effect("dies at once on bad input, naming the argument and what it received", () =>
    Effect.gen(function* () {
      const message = (exit: Exit.Exit<unknown, unknown>) =>
        Exit.isFailure(exit) ? (Cause.squash(exit.cause) as Error).message : ""
      const gatherBad = (input: unknown) => TaskGroup.gather(input as Array<Effect.Effect<unknown>>)
      assert.include(message(yield* Effect.exit(gatherBad(42))), "received number 42")
      assert.include(message(yield* Effect.exit(gatherBad([1]))), "element 0 is not an Effect")
      assert.include(message(yield* Effect.exit(gatherBad({ a: 1 }))), `key "a" is not an Effect`)
      assert.include(
        message(yield* Effect.exit(gatherBad([Effect.void, null]))),
        "element 1 is not an Effect, received null"
      )
      for (const bad of [-1, Number.NaN, "soon"]) {
        const exit = yield* Effect.exit(TaskGroup.gather([Effect.void], { timeout: bad as never }))
        assert.isTrue(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof Cause.IllegalArgumentError)
        assert.match(message(exit), /^TaskGroup\.gather: option "timeout"/)
      }
      for (const bad of [0, -1, 1.5, Number.NaN]) {
        const text = message(yield* Effect.exit(TaskGroup.gather([Effect.void], { concurrency: bad })))
        assert.include(text, `"concurrency"`)
        assert.include(text, String(bad))
      }
    })
  )
})

describe("TaskGroup.gather, its input", () => {
  it.effect("takes an array as it is at the call: an element added while it runs gets no slot", () =>
    Effect.gen(function* () {
      const input: Array<Effect.Effect<number>> = []
      input.push(Effect.sync(() => input.push(Effect.succeed(2))))
      assert.deepStrictEqual(yield* TaskGroup.gather(input), [2], "one slot, for the one element at the call")
      assert.lengthOf(input, 2)
    })
  )
})
