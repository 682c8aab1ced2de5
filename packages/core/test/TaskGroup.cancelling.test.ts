import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Logger, Ref, Schedule } from "effect"
import { TestClock } from "effect/testing"
import { isTaskTimeout, SoonValue, TaskGroup, TaskTimeout } from "@soonify/core"
import { causeOf, defectOf, failuresOf, settle } from "./support.ts"

// Stuck cancellations and a task's own timeout (DESIGN §3 "Cancellation that reaches real
// I/O", §4 guarantee 7, §5 the "cancelling" status).

interface Log {
  readonly level: string
  readonly message: string
}

/** A logger that keeps the Warning logs, and the logs it kept. */
const collecting = () => {
  const logs: Array<Log> = []
  const logger = Logger.make((options) => {
    if (options.logLevel === "Warn") logs.push({ level: options.logLevel, message: String(options.message) })
  })
  return { logs, layer: Logger.layer([logger]) }
}

/** A task that ignores its interruption for `millis` (an uninterruptible sleep). */
const deaf = (millis: number) => Effect.uninterruptible(Effect.sleep(millis))

describe("stuck cancellations", () => {
  it.effect("reports once, at Warning level, a task that has ignored its cancellation for stuckAfter", () =>
    Effect.gen(function* () {
      const { layer, logs } = collecting()
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              yield* group.spawn(deaf(60_000), { name: "upload" })
              yield* group.spawn(Effect.fail("boom"))
            }),
          { name: "jobs" }
        ).pipe(Effect.provide(layer))
      )
      yield* settle
      yield* TestClock.adjust(9_999)
      yield* settle
      assert.deepStrictEqual(logs, [], "not before the default 10 s")
      yield* TestClock.adjust(1)
      yield* settle
      assert.strictEqual(logs.length, 1)
      assert.include(logs[0]!.message, 'TaskGroup "jobs": task "upload" was asked to stop 10.0 s ago')
      assert.include(logs[0]!.message, "uninterruptible")
      assert.include(logs[0]!.message, "ignores interruption")
      yield* TestClock.adjust(30_000)
      yield* settle
      assert.strictEqual(logs.length, 1, "reported once")
      yield* TestClock.adjust(20_000)
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["boom"], "the group still waited for it")
    })
  )

  it.effect("says in full why a stuck task may not stop, and what to do", () =>
    Effect.gen(function* () {
      const { layer, logs } = collecting()
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              yield* group.spawn(deaf(5_000), { name: "upload" })
              yield* group.spawn(Effect.fail("boom"))
            }),
          { name: "jobs", stuckAfter: "1 second" }
        ).pipe(Effect.provide(layer))
      )
      yield* settle
      yield* TestClock.adjust(1_000)
      yield* settle
      assert.strictEqual(
        logs[0]?.message,
        'TaskGroup "jobs": task "upload" was asked to stop 1.0 s ago and has not ended; the group waits for it. ' +
          "Its fiber is uninterruptible (Effect.uninterruptible, a finalizer, the acquire of acquireRelease) or " +
          "awaits something that ignores interruption (Effect.promise without its AbortSignal, a callback without a " +
          "canceller): pass the signal on (Effect.tryPromise((signal) => fetch(url, { signal }))), make that step " +
          "interruptible, or give it a timeout. (Reported once, after the group's stuckAfter.)"
      )
      yield* TestClock.adjust(5_000)
      yield* Fiber.await(fiber)
    })
  )

  it.effect("shows a task asked to stop as cancelling, with cancelledAt, until it ends", () =>
    Effect.gen(function* () {
      yield* TestClock.adjust(1_000)
      const group = yield* TaskGroup.make({ name: "server", stuckAfter: "Infinity" })
      const soon = yield* group.spawn(deaf(500), { name: "handler" })
      yield* group.spawn(Effect.never, { name: "idle" })
      yield* settle
      const before = yield* TaskGroup.snapshot(group)
      assert.deepStrictEqual(
        before.tasks.map((task) => task.status),
        ["running", "running"]
      )
      yield* TestClock.adjust(250)
      const cancelling = yield* Effect.forkChild(soon.cancel)
      yield* settle
      const during = yield* TaskGroup.snapshot(group)
      assert.deepStrictEqual(during.tasks[0], {
        name: "handler",
        status: "cancelling",
        startedAt: 1_000,
        cancelledAt: 1_250,
        groups: []
      })
      assert.strictEqual(during.tasks[1]!.status, "running", "its sibling was not asked to stop")
      assert.strictEqual(during.counts.running, 2, "a cancelling task still runs")
      assert.include(TaskGroup.renderSnapshot(during, { now: 1_500 }), "cancelling")
      assert.include(TaskGroup.renderSnapshot(during, { now: 1_500 }), "asked to stop 0.3 s ago")
      yield* TestClock.adjust(500)
      yield* Fiber.join(cancelling)
      const after = yield* TaskGroup.snapshot(group)
      assert.deepStrictEqual(
        after.tasks.map((task) => task.name),
        ["idle"]
      )
      yield* TaskGroup.cancel(group)
    }).pipe(Effect.scoped)
  )

  it.effect("reports a task that ignores soon.cancel, naming it, its group and how long", () =>
    Effect.gen(function* () {
      const { layer, logs } = collecting()
      yield* Effect.gen(function* () {
        const group = yield* TaskGroup.make({ name: "app", stuckAfter: "2 seconds" })
        const soon = yield* group.spawn(deaf(5_000), { name: "flush" })
        yield* settle
        yield* Effect.forkChild(soon.cancel)
        yield* settle
        yield* TestClock.adjust(1_999)
        yield* settle
        assert.strictEqual(logs.length, 0)
        yield* TestClock.adjust(1)
        yield* settle
        assert.strictEqual(logs.length, 1)
        assert.include(logs[0]!.message, 'TaskGroup "app": task "flush" was asked to stop 2.0 s ago and has not ended')
        yield* TestClock.adjust(5_000)
      }).pipe(Effect.scoped, Effect.provide(layer))
    })
  )

  it.effect("reports nothing for tasks that end when asked, nor with stuckAfter Infinity", () =>
    Effect.gen(function* () {
      const { layer, logs } = collecting()
      const quick = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            yield* group.spawn(Effect.never)
            yield* group.spawn(Effect.ensuring(Effect.never, Effect.sleep(100)))
            yield* group.spawn(Effect.fail("boom"))
          })
        ).pipe(Effect.provide(layer))
      )
      const never = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              yield* group.spawn(deaf(60_000))
              yield* group.spawn(Effect.fail("boom"))
            }),
          { stuckAfter: "Infinity" }
        ).pipe(Effect.provide(layer))
      )
      yield* settle
      yield* TestClock.adjust(60_000)
      yield* Fiber.await(quick)
      yield* Fiber.await(never)
      assert.deepStrictEqual(logs, [])
    })
  )

  it.effect("reports every stuck task of a group, each once, through onStuckUnsafe when set", () =>
    Effect.gen(function* () {
      const reports: Array<TaskGroup.StuckTask> = []
      const { layer, logs } = collecting()
      yield* Effect.gen(function* () {
        const group = yield* TaskGroup.make({ name: "pool", stuckAfter: 1_000 })
        TaskGroup.onStuckUnsafe(group, (stuck) => reports.push(stuck))
        yield* group.spawn(deaf(5_000), { name: "a" })
        yield* group.spawn(deaf(5_000), { name: "b" })
        yield* settle
        yield* TestClock.adjust(300)
        TaskGroup.cancelUnsafe(group)
        yield* TestClock.adjust(999)
        yield* settle
        assert.deepStrictEqual(reports, [])
        yield* TestClock.adjust(1)
        yield* settle
        assert.deepStrictEqual(reports, [
          { task: "a", group: "pool", cancelledAt: 300, ignoredFor: 1_000 },
          { task: "b", group: "pool", cancelledAt: 300, ignoredFor: 1_000 }
        ])
        yield* TestClock.adjust(5_000)
        assert.strictEqual(reports.length, 2)
      }).pipe(Effect.scoped, Effect.provide(layer))
      assert.deepStrictEqual(logs, [], "onStuckUnsafe replaces the log")
    })
  )

  it("onStuckUnsafe rejects what is not a group or a function", () => {
    const group = TaskGroup.makeUnsafe()
    assert.throws(
      () => TaskGroup.onStuckUnsafe({} as TaskGroup.TaskGroup, () => {}),
      /TaskGroup.onStuckUnsafe: expected a TaskGroup/
    )
    assert.throws(
      () => TaskGroup.onStuckUnsafe(group, "log" as unknown as () => void),
      /TaskGroup.onStuckUnsafe: expected a function, received string "log"/
    )
  })

  it("rejects a bad stuckAfter, naming it", () => {
    for (const stuckAfter of [-1, Number.NaN, "soon"]) {
      const thrown = (() => {
        try {
          TaskGroup.makeUnsafe({ stuckAfter: stuckAfter as Duration.Input })
        } catch (error) {
          return error
        }
      })()
      assert.instanceOf(thrown, Cause.IllegalArgumentError)
      assert.include((thrown as Error).message, 'TaskGroup.makeUnsafe: option "stuckAfter" must be a non-negative')
    }
  })
})

describe("a task's own timeout", () => {
  it.effect("interrupts the task when it runs out; the task then fails with TaskTimeout, failing its group", () =>
    Effect.gen(function* () {
      const finalized = yield* Ref.make<Array<string>>([])
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              yield* group.spawn(
                Effect.ensuring(
                  Effect.never,
                  Ref.update(finalized, (all) => [...all, "slow"])
                ),
                {
                  name: "slow",
                  timeout: "1 second"
                }
              )
              yield* group.spawn(
                Effect.ensuring(
                  Effect.never,
                  Ref.update(finalized, (all) => [...all, "sibling"])
                )
              )
            }),
          { name: "pages" }
        )
      )
      yield* settle
      yield* TestClock.adjust(999)
      yield* settle
      assert.isUndefined(fiber.pollUnsafe())
      yield* TestClock.adjust(1)
      const exit = yield* Fiber.await(fiber)
      const [error] = failuresOf(causeOf(exit))
      assert.isTrue(isTaskTimeout(error))
      assert.instanceOf(error, TaskTimeout)
      assert.strictEqual(error.task, "slow")
      assert.strictEqual(error.group, "pages")
      assert.isTrue(Duration.equals(error.timeout, Duration.seconds(1)))
      assert.include(error.message, 'Task "slow" of task group "pages" timed out after 1s')
      assert.sameMembers(yield* Ref.get(finalized), ["slow", "sibling"], "fail fast stopped the sibling too")
    })
  )

  it.effect("keeps the timeout in the task's handle in settle mode; a task ending in time is untouched", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.all([
              group.spawn(Effect.never, { timeout: 100 }),
              group.spawn(Effect.as(Effect.sleep(50), "in time"), { timeout: 100 }),
              group.soonify((ms: number) => Effect.as(Effect.sleep(ms), ms), { timeout: "100 millis" })(500)
            ]),
          { mode: "settle" }
        )
      )
      yield* settle
      yield* TestClock.adjust(100)
      const [never, quick, late] = yield* Fiber.join(fiber)
      assert.isTrue(isTaskTimeout(failuresOf(causeOf(SoonValue.pollUnsafe(never)))[0]))
      assert.deepStrictEqual(SoonValue.pollUnsafe(quick), Exit.succeed("in time"))
      assert.isTrue(isTaskTimeout(failuresOf(causeOf(SoonValue.pollUnsafe(late)))[0]))
    })
  )

  it.effect("gives each attempt of a retried task the timeout: a timed-out attempt is retried", () =>
    Effect.gen(function* () {
      let attempts = 0
      const slowThenQuick = Effect.suspend(() => (++attempts < 3 ? Effect.never : Effect.succeed("answer")))
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          group.spawn(slowThenQuick, { name: "flaky", timeout: "1 second", retry: Schedule.recurs(5) })
        )
      )
      yield* settle
      yield* TestClock.adjust(1_000)
      yield* settle
      yield* TestClock.adjust(1_000)
      const soon = yield* Fiber.join(fiber)
      assert.deepStrictEqual(SoonValue.pollUnsafe(soon), Exit.succeed("answer"))
      assert.strictEqual(soon.attempt, 3)
    })
  )

  it.effect("times out a started task from when it runs, and reports it stuck if it ignores the timeout", () =>
    Effect.gen(function* () {
      const { layer, logs } = collecting()
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              const [port] = yield* group.start<number>((started) => Effect.andThen(started(8080), deaf(20_000)), {
                name: "listener",
                timeout: "1 second"
              })
              return port
            }),
          { name: "server", stuckAfter: "5 seconds" }
        ).pipe(Effect.provide(layer))
      )
      yield* settle
      yield* TestClock.adjust(1_000)
      yield* settle
      yield* TestClock.adjust(5_000)
      yield* settle
      assert.strictEqual(logs.length, 1)
      assert.include(logs[0]!.message, 'task "listener" was asked to stop 5.0 s ago')
      yield* TestClock.adjust(20_000)
      const exit = yield* Fiber.await(fiber)
      assert.strictEqual(failuresOf(causeOf(exit))[0]!._tag, "TaskTimeout")
    })
  )

  it.effect("dies with an IllegalArgumentError for a negative or NaN timeout, as the group's does", () =>
    Effect.gen(function* () {
      for (const timeout of [-1, Number.NaN]) {
        const exit = yield* Effect.exit(TaskGroup.run((group) => group.spawn(Effect.void, { timeout })))
        const defect = defectOf(exit)
        assert.instanceOf(defect, Cause.IllegalArgumentError)
        assert.include((defect as Error).message, 'TaskGroup.spawn: option "timeout" must be a non-negative')
      }
      const group = TaskGroup.makeUnsafe()
      assert.throws(() => group.soonify(() => Effect.void, { timeout: -5 }), /TaskGroup.soonify: option "timeout"/)
    })
  )

  it("adds TaskTimeout to the task's error type only when the option is given", () => {
    const task = Effect.fail("nope" as const)
    const program = TaskGroup.run((group) =>
      Effect.gen(function* () {
        const plain = yield* group.spawn(task, { name: "plain" })
        const timed = yield* group.spawn(task, { timeout: "1 second" })
        const soonified = yield* group.soonify((n: number) => Effect.as(task, n), { timeout: 10 })(1)
        const started = yield* group.start((started: (port: number) => Effect.Effect<void>) => started(1), {
          timeout: "1 second"
        })
        expectTypeOf(plain).toEqualTypeOf<SoonValue.SoonValue<never, "nope">>()
        expectTypeOf(timed).toEqualTypeOf<SoonValue.SoonValue<never, "nope" | TaskTimeout>>()
        expectTypeOf(soonified).toEqualTypeOf<SoonValue.SoonValue<number, "nope" | TaskTimeout>>()
        expectTypeOf(started[1]).toEqualTypeOf<SoonValue.SoonValue<void, TaskTimeout>>()
      })
    )
    expectTypeOf<Effect.Error<typeof program>>().toEqualTypeOf<"nope" | TaskTimeout>()
    const untimed = TaskGroup.run((group) => group.spawn(task))
    expectTypeOf<Effect.Error<typeof untimed>>().toEqualTypeOf<"nope">()
    // With a timeout, retry sees the TaskTimeout too (a timed-out attempt may be retried).
    TaskGroup.run((group) =>
      group.spawn(task, {
        timeout: "1 second",
        retry: {
          times: 2,
          while: (error) => {
            expectTypeOf(error).toEqualTypeOf<"nope" | TaskTimeout>()
            return isTaskTimeout(error)
          }
        }
      })
    )
    const maybe: Duration.Input | undefined = undefined as Duration.Input | undefined
    const unknown = TaskGroup.run((group) => group.spawn(task, { timeout: maybe }))
    expectTypeOf<Effect.Error<typeof unknown>>().toEqualTypeOf<"nope" | TaskTimeout>()
  })
})
