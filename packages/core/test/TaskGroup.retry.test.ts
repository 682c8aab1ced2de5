import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Logger, Ref, References, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { TaskGroup } from "@soonify/core"
import { causeOf, defectOf, defectsOf, failuresOf, isInterruptedOnly, settle, thrown } from "./support.ts"

/** An effect that fails with `fail N` on its first `failures` runs, then succeeds with the run count. */
const flaky = (runs: Ref.Ref<number>, failures: number) =>
  Effect.flatMap(
    Ref.updateAndGet(runs, (n) => n + 1),
    (n) => (n <= failures ? Effect.fail(`fail ${n}` as const) : Effect.succeed(n))
  )

describe("retry inside the group", () => {
  it.effect("retries failed attempts before they count: the group and its siblings never see them", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const [soon, sibling] = yield* TaskGroup.run((group) =>
        Effect.all([
          group.spawn(flaky(runs, 2), { retry: Schedule.recurs(3) }),
          group.spawn(Effect.as(Effect.yieldNow, "sibling"))
        ])
      )
      assert.strictEqual(yield* soon.value, 3)
      assert.strictEqual(soon.attempt, 3)
      assert.strictEqual(yield* sibling.value, "sibling")
    })
  )

  it.effect("reports only the last attempt's failure", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const exit = yield* Effect.exit(
        TaskGroup.run((group) => group.spawn(flaky(runs, 10), { retry: Schedule.recurs(2) }))
      )
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["fail 3"])
      assert.strictEqual(yield* Ref.get(runs), 3)
    })
  )

  it.effect("soon.attempt is the attempt running now, 1-based, and 1 without retry", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const plain = yield* group.spawn(Effect.void)
            const soon = yield* group.spawn(flaky(runs, 2), { retry: Schedule.spaced("1 second") })
            assert.strictEqual(soon.attempt, 1)
            yield* settle
            assert.strictEqual(soon.attempt, 1, "waiting before the second attempt")
            yield* TestClock.adjust("1 second")
            yield* settle
            assert.strictEqual(soon.attempt, 2)
            yield* TestClock.adjust("1 second")
            yield* settle
            assert.strictEqual(soon.attempt, 3)
            assert.strictEqual(plain.attempt, 1)
            return yield* soon.await
          })
        )
      )
      yield* settle
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.succeed(3))
    })
  )

  it.effect("soon.cancel() during the wait between attempts ends the task at once", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const soon = yield* group.spawn(flaky(runs, 10), { retry: Schedule.spaced("1 hour") })
          yield* settle
          yield* soon.cancel // no clock adjustment: the wait is interrupted
          assert.isTrue(isInterruptedOnly(yield* Effect.exit(soon.value)))
          assert.strictEqual(yield* Ref.get(runs), 1)
        })
      )
    })
  )

  it.effect("cancelling the group during the wait between attempts ends it at once", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) => group.spawn(flaky(runs, 10), { retry: Schedule.spaced("1 hour") }))
      )
      yield* settle
      yield* Fiber.interrupt(fiber)
      assert.isTrue(isInterruptedOnly(yield* Fiber.await(fiber)))
      assert.strictEqual(yield* Ref.get(runs), 1)
    })
  )

  it.effect("fails fast only on the final failure: a sibling runs on through the earlier ones", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const siblingTicks = yield* Ref.make(0)
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            yield* group.spawn(
              Effect.forever(
                Effect.andThen(
                  Effect.sleep(10),
                  Ref.update(siblingTicks, (n) => n + 1)
                )
              )
            )
            yield* group.spawn(flaky(runs, 10), { retry: { schedule: Schedule.spaced(10), times: 2 } })
          })
        )
      )
      yield* settle
      for (let i = 0; i < 2; i++) {
        yield* TestClock.adjust(10)
        yield* settle
      }
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["fail 3"])
      assert.strictEqual(yield* Ref.get(siblingTicks), 2, "the sibling ran until the last failure")
    })
  )

  it.effect("takes Effect.retry's options: while decides which errors are retried", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const errors = ["retryable", "fatal"] as const
      const task = Effect.flatMap(
        Ref.getAndUpdate(runs, (n) => n + 1),
        (n) => Effect.fail(errors[Math.min(n, 1)])
      )
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          group.spawn(task, {
            retry: {
              times: 5,
              while: (error) => {
                expectTypeOf(error).toEqualTypeOf<"retryable" | "fatal">()
                return error === "retryable"
              }
            }
          })
        )
      )
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["fatal"])
      assert.strictEqual(yield* Ref.get(runs), 2)
    })
  )

  it.effect("takes Effect.retry's options: until stops the retries at the first error it accepts", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const errors = ["retryable", "retryable", "fatal", "retryable"] as const
      const task = Effect.flatMap(
        Ref.getAndUpdate(runs, (n) => n + 1),
        (n) => Effect.fail(errors[Math.min(n, 3)])
      )
      const exit = yield* Effect.exit(
        TaskGroup.run((group) => group.spawn(task, { retry: { times: 5, until: (error) => error === "fatal" } }))
      )
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["fatal"])
      assert.strictEqual(yield* Ref.get(runs), 3)
    })
  )

  it.effect("logs each failed attempt at the Debug level, with the task's name, the attempt and the cause", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const logs: Array<{ level: string; message: unknown; cause: Cause.Cause<unknown> }> = []
      const collector = Logger.make((options) =>
        logs.push({ level: options.logLevel, message: options.message, cause: options.cause })
      )
      yield* TaskGroup.run((group) => group.spawn(flaky(runs, 2), { name: "fetch", retry: Schedule.recurs(3) })).pipe(
        Effect.provide(Logger.layer([collector])),
        Effect.provideService(References.MinimumLogLevel, "Debug")
      )
      assert.deepStrictEqual(
        logs.map((log) => [log.level, log.message]),
        [
          ["Debug", ['TaskGroup: task "fetch" failed on attempt 1']],
          ["Debug", ['TaskGroup: task "fetch" failed on attempt 2']]
        ]
      )
      assert.deepStrictEqual(failuresOf(logs[1].cause), ["fail 2"])
    })
  )

  it.effect("never retries a defect", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          group.spawn(
            Effect.andThen(
              Ref.update(runs, (n) => n + 1),
              Effect.die("bug")
            ),
            { retry: Schedule.recurs(3) }
          )
        )
      )
      assert.deepStrictEqual(defectsOf(causeOf(exit)), ["bug"])
      assert.strictEqual(yield* Ref.get(runs), 1)
    })
  )

  it.effect("soonify takes retry: each call is retried on its own", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const [a, b] = yield* TaskGroup.run((group) => {
        const fetchOnce = group.soonify((failures: number) => flaky(runs, failures), { retry: Schedule.recurs(5) })
        return Effect.all([fetchOnce(1), fetchOnce(3)])
      })
      // The two calls share `runs`, so their attempts interleave; each ends with a success.
      assert.isTrue(Exit.isSuccess(yield* Effect.exit(a.value)) && Exit.isSuccess(yield* Effect.exit(b.value)))
      assert.isAbove(a.attempt + b.attempt, 2)
    })
  )

  it.effect("a keyed task with retry: the key is held through every attempt", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const options = { key: "k", retry: Schedule.spaced(10) }
            const first = yield* group.spawn(flaky(runs, 1), options)
            yield* settle
            assert.strictEqual(yield* Ref.get(runs), 1)
            const again = yield* group.spawn(flaky(runs, 1), options)
            return first === again
          })
        )
      )
      yield* settle
      yield* TestClock.adjust(10)
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.succeed(true))
      assert.strictEqual(yield* Ref.get(runs), 2)
    })
  )

  describe("bad input", () => {
    it.effect("spawn dies with IllegalArgumentError naming the retry option", () =>
      Effect.gen(function* () {
        for (const retry of [3, "twice", { times: -1 }, { times: 1.5 }, { schedule: "soon" }, { while: true }]) {
          const exit = yield* Effect.exit(TaskGroup.run((group) => group.spawn(Effect.void, { retry: retry as any })))
          const defect = defectOf(exit)
          assert.isTrue(Cause.isIllegalArgumentError(defect), `got ${String(defect)}`)
          assert.include((defect as Error).message, 'TaskGroup.spawn: option "retry" must be a Schedule')
        }
      })
    )

    it.effect("soonify throws at once for a bad retry", () =>
      TaskGroup.run((group) =>
        Effect.sync(() => {
          const error = thrown(() => group.soonify(() => Effect.void, { retry: { times: -1 } }))
          assert.isTrue(Cause.isIllegalArgumentError(error))
          assert.include((error as Error).message, '"times" must be a non-negative integer, received number -1')
        })
      )
    )
  })
})

describe("retry, the options form and bad options", () => {
  it.effect("{ times } retries that many times, { schedule } as the schedule says", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const value = yield* TaskGroup.run((group) =>
        Effect.flatMap(group.spawn(flaky(runs, 2), { retry: { times: 2 } }), (soon) => soon.await)
      )
      assert.strictEqual(value, 3)
      const none = yield* Ref.make(0)
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.flatMap(group.spawn(flaky(none, 1), { retry: { times: 0 } }), (soon) => soon.await)
        )
      )
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["fail 1"])
      const scheduled = yield* Ref.make(0)
      const withSchedule = yield* TaskGroup.run((group) =>
        Effect.flatMap(
          group.spawn(flaky(scheduled, 1), { retry: { schedule: Schedule.recurs(1) } }),
          (soon) => soon.await
        )
      )
      assert.strictEqual(withSchedule, 2)
    })
  )

  it.effect("a retry that is neither a Schedule nor an object dies with IllegalArgumentError naming the call", () =>
    Effect.gen(function* () {
      const defect = defectOf(
        yield* Effect.exit(TaskGroup.run((group) => group.spawn(Effect.void, { retry: 5 as any })))
      )
      assert.isTrue(Cause.isIllegalArgumentError(defect))
      assert.strictEqual(
        (defect as Error).message,
        'TaskGroup.spawn: option "retry" must be a Schedule or { schedule?, times?, while?, until? }, received number 5'
      )
      const error = yield* TaskGroup.run((group) =>
        Effect.sync(() => thrown(() => group.soonify(() => Effect.void, { retry: null as any })))
      )
      assert.isTrue((error as Error).message.startsWith('TaskGroup.soonify: option "retry"'), (error as Error).message)
    })
  )
})

describe("retry takes what Effect.retry takes", () => {
  it.effect("Effect.Retry.Options with predicates that return an Effect, typed by the task's error", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const checked: Array<string> = []
      const soon = yield* TaskGroup.run((group) =>
        group.spawn(flaky(runs, 2), {
          retry: {
            times: 5,
            while: (error) => {
              expectTypeOf(error).toEqualTypeOf<`fail ${number}`>()
              return Effect.sync(() => checked.push(error)).pipe(Effect.as(true))
            }
          }
        })
      )
      assert.strictEqual(yield* soon.value, 3)
      assert.deepStrictEqual(checked, ["fail 1", "fail 2"])
      assert.strictEqual(soon.attempt, 3)
    })
  )

  it.effect(
    "a predicate that dies ends its task with that defect, which a scope's close raises if nobody read it",
    () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          Effect.scoped(
            Effect.gen(function* () {
              const group = yield* TaskGroup.make<string>({ name: "policy" })
              yield* group.spawn(Effect.fail("flaky"), { retry: { while: () => Effect.die("the predicate broke") } })
              yield* settle
            })
          )
        )
        assert.deepStrictEqual(defectsOf(causeOf(exit)), ["the predicate broke"])
      })
  )

  it.effect("a later attempt reads the schedule's metadata: its start, elapsed time and time since the last step", () =>
    Effect.gen(function* () {
      yield* TestClock.adjust("1 second")
      const seen: Array<readonly [number, number, number]> = []
      yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          yield* group.spawn(
            Effect.flatMap(Schedule.CurrentMetadata, (metadata) =>
              Effect.suspend(() => {
                seen.push([metadata.start, metadata.elapsed, metadata.elapsedSincePrevious])
                return metadata.attempt < 2 ? Effect.fail("again") : Effect.void
              })
            ),
            { retry: Schedule.spaced("10 millis") }
          )
          for (let i = 0; i < 2; i++) {
            yield* settle
            yield* TestClock.adjust("10 millis")
          }
        })
      )
      // The first attempt has no step yet; the second reads the first step (at 1 s), the third the second (10 ms on).
      assert.deepStrictEqual(seen.slice(1), [
        [1000, 0, 0],
        [1000, 10, 10]
      ])
    })
  )

  it.effect("never retries a failure that comes with a defect", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          group.spawn(
            Effect.andThen(
              Ref.update(runs, (n) => n + 1),
              Effect.failCause(Cause.combine(Cause.fail("failed"), Cause.die("bug")))
            ),
            { retry: Schedule.recurs(3) }
          )
        )
      )
      assert.deepStrictEqual(defectsOf(causeOf(exit)), ["bug"])
      assert.strictEqual(yield* Ref.get(runs), 1)
    })
  )

  it.effect("soon.attempt is the schedule's own attempt, read from its metadata at each attempt", () =>
    Effect.gen(function* () {
      const seen: Array<number> = []
      const soon = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const soon = yield* group.spawn(
            Effect.flatMap(Schedule.CurrentMetadata, (metadata) =>
              Effect.suspend(() => {
                seen.push(soon.attempt)
                return metadata.attempt < 2 ? Effect.fail("again") : Effect.succeed(metadata.attempt)
              })
            ),
            { retry: Schedule.spaced("10 millis") }
          )
          yield* settle
          yield* TestClock.adjust("10 millis")
          yield* settle
          yield* TestClock.adjust("10 millis")
          return soon
        })
      )
      assert.strictEqual(yield* soon.value, 2)
      assert.deepStrictEqual(seen, [1, 2, 3])
    })
  )

  it("a schedule or predicate that would fail or need services of its own does not compile", () => {
    TaskGroup.run((group) =>
      group.spawn(Effect.fail("x" as const), {
        // @ts-expect-error: the predicate's own failure would not show in the task's types
        retry: { while: () => Effect.fail("predicate failed") }
      })
    )
  })
})

describe("the Debug log of failed attempts", () => {
  it.effect("says nothing of a retried task's last, successful attempt, nor of a task with no retry", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const logs: Array<unknown> = []
      const collector = Logger.make((options) => logs.push(options.message))
      yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            yield* group.spawn(flaky(runs, 1), { name: "retried", retry: Schedule.recurs(1) })
            yield* group.spawn(Effect.fail("once"), { name: "not retried" })
            yield* group.spawn(Effect.succeed(1), { name: "fine" })
          }),
        { mode: "settle" }
      ).pipe(Effect.provide(Logger.layer([collector])), Effect.provideService(References.MinimumLogLevel, "Debug"))
      yield* settle
      assert.deepStrictEqual(logs, [['TaskGroup: task "retried" failed on attempt 1']])
    })
  )
})
