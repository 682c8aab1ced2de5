import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Ref } from "effect"
import { TestClock } from "effect/testing"
import { isTaskGroupClosed, isTaskGroupTimeout, TaskGroup, type TaskGroupClosed, TaskGroupTimeout } from "@soonify/core"
import { causeOf, defectOf, defectsOf, failuresOf, isInterruptedOnly, settle, thrown } from "./support.ts"

const after = <A>(millis: number, value: A) => Effect.as(Effect.sleep(millis), value)

describe("TaskGroup.run with timeout", () => {
  it.effect(
    "interrupts the body and every task when it runs out, waits for them, then fails with TaskGroupTimeout",
    () =>
      Effect.gen(function* () {
        const finalized = yield* Ref.make<Array<string>>([])
        const note = (what: string) => Ref.update(finalized, (all) => [...all, what])
        const fiber = yield* Effect.forkChild(
          TaskGroup.run(
            (group) =>
              Effect.gen(function* () {
                yield* group.spawn(Effect.ensuring(Effect.never, note("task")))
                yield* group.spawn(after(10, "quick"))
                return yield* Effect.ensuring(Effect.never, note("body"))
              }),
            { name: "pages", timeout: "1 second" }
          )
        )
        yield* settle
        yield* TestClock.adjust(999)
        yield* settle
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust(1)
        const exit = yield* Fiber.await(fiber)
        const [error] = failuresOf(causeOf(exit))
        assert.isTrue(isTaskGroupTimeout(error))
        assert.strictEqual(error.group, "pages")
        assert.isTrue(Duration.equals(error.timeout, Duration.seconds(1)))
        assert.include(error.message, `"pages" timed out after 1s`)
        assert.isFalse(Cause.hasInterrupts(causeOf(exit)), "the interruptions the timeout caused are not reported")
        assert.sameMembers(yield* Ref.get(finalized), ["task", "body"])
      })
  )

  it.effect("succeeds as usual when the group ends in time, and the deadline never fires afterwards", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) => Effect.as(group.spawn(Effect.sleep(50)), "done"), { timeout: 100 })
      )
      yield* settle
      yield* TestClock.adjust(50)
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.succeed("done"))
      yield* TestClock.adjust(1000)
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.succeed("done"))
    })
  )

  it.effect("adds TaskGroupTimeout to the error type only when timeout is given", () =>
    Effect.gen(function* () {
      const body = (group: TaskGroup.TaskGroup) => Effect.asVoid(group.spawn(Effect.fail("boom" as const)))
      expectTypeOf(TaskGroup.run(body)).toEqualTypeOf<Effect.Effect<void, "boom">>()
      expectTypeOf(TaskGroup.run(body, { mode: "settle" })).toEqualTypeOf<Effect.Effect<void, "boom">>()
      expectTypeOf(TaskGroup.run(body, { timeout: "2 seconds" })).toEqualTypeOf<
        Effect.Effect<void, "boom" | TaskGroupTimeout>
      >()
      expectTypeOf(TaskGroup.run(body, { timeout: undefined })).toEqualTypeOf<Effect.Effect<void, "boom">>()
      const someOptions: TaskGroup.Options = {}
      expectTypeOf(TaskGroup.run(body, someOptions)).toEqualTypeOf<Effect.Effect<void, "boom" | TaskGroupTimeout>>()
      const exit = yield* Effect.exit(TaskGroup.run(body, { timeout: "2 seconds" }))
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["boom"])
    })
  )

  it.effect("times out a settle group too", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) => group.spawn(Effect.never), { mode: "settle", timeout: 10 })
      )
      yield* settle
      yield* TestClock.adjust(10)
      const errors = failuresOf(causeOf(yield* Fiber.await(fiber)))
      assert.strictEqual(errors.length, 1)
      assert.isTrue(isTaskGroupTimeout(errors[0]))
    })
  )

  it.effect("a group that failed before its deadline fails with that failure alone", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              // Its finalizer outlives the deadline: the group is shutting down, not timing out.
              yield* group.spawn(Effect.ensuring(Effect.never, Effect.sleep(100)))
              yield* group.spawn(Effect.andThen(Effect.sleep(5), Effect.fail("first")))
            }),
          { timeout: 10 }
        )
      )
      yield* settle
      yield* TestClock.adjust(5)
      yield* settle
      yield* TestClock.adjust(200)
      assert.deepStrictEqual(failuresOf(causeOf(yield* Fiber.await(fiber))), ["first"])
    })
  )

  it.effect("a failure a finalizer raises while the timeout stops the group adds to the timeout", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) => group.spawn(Effect.ensuring(Effect.never, Effect.die("finalizer broke"))), {
          timeout: 10
        })
      )
      yield* settle
      yield* TestClock.adjust(10)
      const cause = causeOf(yield* Fiber.await(fiber))
      assert.isTrue(isTaskGroupTimeout(failuresOf(cause)[0]))
      assert.deepStrictEqual(defectsOf(cause), ["finalizer broke"])
    })
  )

  it.effect("interrupted from outside before its deadline, it ends interrupted, not timed out", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(TaskGroup.run((group) => group.spawn(Effect.never), { timeout: 100 }))
      yield* settle
      yield* Fiber.interrupt(fiber)
      assert.isTrue(isInterruptedOnly(yield* Fiber.await(fiber)))
      yield* TestClock.adjust(200)
    })
  )

  it.effect("an infinite timeout is no timeout", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) => Effect.as(group.spawn(Effect.sleep("1 day")), 1), { timeout: "Infinity" })
      )
      yield* settle
      yield* TestClock.adjust("1 day")
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.succeed(1))
    })
  )

  describe("bad input", () => {
    for (const timeout of [-1, Number.NaN, "soon", "-2 seconds", null]) {
      it.effect(`dies at once with IllegalArgumentError naming the option for timeout ${String(timeout)}`, () =>
        Effect.gen(function* () {
          for (const exit of [
            yield* Effect.exit(TaskGroup.run(() => Effect.void, { timeout: timeout as any })),
            yield* Effect.exit(Effect.scoped(TaskGroup.make({ timeout: timeout as any }))),
            yield* Effect.exit(TaskGroup.gather([Effect.void], { timeout: timeout as any }))
          ]) {
            const defect = defectOf(exit)
            assert.isTrue(Cause.isIllegalArgumentError(defect), `got ${String(defect)}`)
            assert.include((defect as Error).message, `option "timeout" must be a non-negative Duration.Input`)
          }
          const error = thrown(() => TaskGroup.makeUnsafe({ timeout: timeout as any }))
          assert.isTrue(Cause.isIllegalArgumentError(error))
          assert.include((error as Error).message, 'TaskGroup.makeUnsafe: option "timeout"')
        })
      )
    }
  })
})

describe("TaskGroup.make with timeout", () => {
  it.effect("counts from the group's creation; join then fails with TaskGroupTimeout", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make<TaskGroupTimeout>({ name: "jobs", timeout: "30 millis" })
            const soon = yield* group.spawn(Effect.never)
            return [yield* Effect.exit(TaskGroup.join(group)), soon] as const
          })
        )
      )
      yield* settle
      yield* TestClock.adjust(30)
      const [joined, soon] = yield* Fiber.join(fiber)
      const taskExit = yield* Effect.exit(soon.value)
      const [error] = failuresOf(causeOf(joined))
      assert.isTrue(isTaskGroupTimeout(error))
      assert.strictEqual((error as TaskGroupTimeout).group, "jobs")
      assert.isTrue(isInterruptedOnly(taskExit))
    })
  )

  it.effect("a group whose scope closes in time never times out", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make<TaskGroupTimeout>({ timeout: 30 })
            yield* group.spawn(Effect.void)
          })
        )
      )
      assert.deepStrictEqual(exit, Exit.void)
      yield* TestClock.adjust(100)
    })
  )
})

describe("TaskGroup.make with timeout, and who observed it", () => {
  /** A make group timing out after 30 ms with a task that waits for ever; `then` runs once it has timed out. */
  const timesOut = <A>(then: (group: TaskGroup.TaskGroup<any, any>) => Effect.Effect<A>) =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        Effect.exit(
          Effect.scoped(
            Effect.gen(function* () {
              const group = yield* TaskGroup.make<TaskGroupTimeout>({ name: "jobs", timeout: "30 millis" })
              yield* group.spawn(Effect.never)
              yield* Effect.sleep("50 millis")
              return yield* then(group)
            })
          )
        )
      )
      yield* settle
      yield* TestClock.adjust(50)
      return yield* Fiber.join(fiber)
    })

  it.effect("a timeout nobody observed is raised as a defect when the scope closes", () =>
    Effect.gen(function* () {
      const exit = yield* timesOut(() => Effect.void)
      const defects = defectsOf(causeOf(exit))
      assert.strictEqual(defects.length, 1)
      assert.isTrue(isTaskGroupTimeout(defects[0]))
    })
  )

  it.effect("a timeout handed to a refused spawn (the cause of its TaskGroupClosed) is not raised again", () =>
    Effect.gen(function* () {
      const exit = yield* timesOut((group) => Effect.exit(group.spawn(Effect.void)))
      assert.isTrue(Exit.isSuccess(exit))
      const refused = defectOf((exit as Exit.Success<Exit.Exit<unknown>>).value)
      assert.isTrue(isTaskGroupClosed(refused))
      assert.isTrue(isTaskGroupTimeout(failuresOf((refused as { cause: Cause.Cause<unknown> }).cause)[0]))
    })
  )
})

describe("TaskGroup.gather with timeout", () => {
  it.effect("without returnExceptions fails with TaskGroupTimeout, its type in E", () =>
    Effect.gen(function* () {
      const effects = [after(10, 1), after(1000, "late")] as const
      const timed = TaskGroup.gather(effects, { timeout: 100 })
      expectTypeOf(timed).toEqualTypeOf<Effect.Effect<[number, string], TaskGroupTimeout>>()
      expectTypeOf(TaskGroup.gather(effects)).toEqualTypeOf<Effect.Effect<[number, string], never>>()
      const fiber = yield* Effect.forkChild(timed)
      yield* settle
      yield* TestClock.adjust(100)
      const errors = failuresOf(causeOf(yield* Fiber.await(fiber)))
      assert.strictEqual(errors.length, 1)
      assert.isTrue(isTaskGroupTimeout(errors[0]))
    })
  )

  it.effect(
    "with returnExceptions keeps what finished and puts a timeout in every slot still running, in input order",
    () =>
      Effect.gen(function* () {
        const interrupted = yield* Ref.make(0)
        const slow = Effect.onInterrupt(after(5000, "slow"), () => Ref.update(interrupted, (n) => n + 1))
        const fiber = yield* Effect.forkChild(
          TaskGroup.gather(
            [slow, after(10, "fast"), Effect.andThen(Effect.sleep(20), Effect.fail("broken" as const)), slow],
            { timeout: "2 seconds", returnExceptions: true }
          )
        )
        yield* settle
        yield* TestClock.adjust(10)
        yield* settle
        yield* TestClock.adjust(10)
        yield* settle
        yield* TestClock.adjust(1980)
        const slots = yield* Fiber.join(fiber)
        expectTypeOf(slots).toEqualTypeOf<
          [
            Exit.Exit<string, TaskGroupTimeout>,
            Exit.Exit<string, TaskGroupTimeout>,
            Exit.Exit<never, "broken" | TaskGroupTimeout>,
            Exit.Exit<string, TaskGroupTimeout>
          ]
        >()
        assert.deepStrictEqual(slots[1], Exit.succeed("fast"))
        assert.deepStrictEqual(slots[2], Exit.fail("broken"))
        for (const slot of [slots[0], slots[3]]) {
          const errors = failuresOf(causeOf(slot))
          assert.strictEqual(errors.length, 1)
          assert.isTrue(isTaskGroupTimeout(errors[0]))
          assert.isFalse(Cause.hasInterrupts(causeOf(slot)))
        }
        assert.strictEqual(yield* Ref.get(interrupted), 2, "the late effects were interrupted")
      })
  )

  it.effect(
    "with returnExceptions and concurrency, a slot still queued at the deadline never starts and times out",
    () =>
      Effect.gen(function* () {
        const started = yield* Ref.make(0)
        const task = (ms: number) =>
          Effect.andThen(
            Ref.update(started, (n) => n + 1),
            after(ms, ms)
          )
        const fiber = yield* Effect.forkChild(
          TaskGroup.gather(
            { a: task(10), b: task(1000), c: task(10) },
            {
              timeout: 100,
              returnExceptions: true,
              concurrency: 1
            }
          )
        )
        yield* settle
        yield* TestClock.adjust(10)
        yield* settle
        yield* TestClock.adjust(90)
        const { a, b, c } = yield* Fiber.join(fiber)
        assert.deepStrictEqual(a, Exit.succeed(10))
        assert.isTrue(isTaskGroupTimeout(failuresOf(causeOf(b))[0]))
        assert.isTrue(isTaskGroupTimeout(failuresOf(causeOf(c))[0]))
        assert.strictEqual(yield* Ref.get(started), 2)
      })
  )

  it.effect("with returnExceptions, a late slot whose finalizer fails keeps that failure beside the timeout", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.gather([Effect.ensuring(Effect.never, Effect.die("cleanup broke"))], {
          timeout: 10,
          returnExceptions: true
        })
      )
      yield* settle
      yield* TestClock.adjust(10)
      const [slot] = yield* Fiber.join(fiber)
      assert.isTrue(isTaskGroupTimeout(failuresOf(causeOf(slot))[0]))
      assert.deepStrictEqual(defectsOf(causeOf(slot)), ["cleanup broke"])
    })
  )

  it.effect("with returnExceptions, everything ending in time gives every Exit and no timeout", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.gather([after(10, 1), Effect.fail("no")], { timeout: 100, returnExceptions: true })
      )
      yield* settle
      yield* TestClock.adjust(10)
      assert.deepStrictEqual(yield* Fiber.join(fiber), [Exit.succeed(1), Exit.fail("no")])
      yield* TestClock.adjust(200)
    })
  )

  it.effect("with returnExceptions, an input that is an Exit keeps it in its slot while a late one times out", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.gather([Exit.succeed(1), Effect.never, Exit.fail("no")], { timeout: 100, returnExceptions: true })
      )
      yield* settle
      yield* TestClock.adjust(100)
      const slots = yield* Fiber.join(fiber)
      assert.deepStrictEqual(slots[0], Exit.succeed(1))
      assert.isTrue(isTaskGroupTimeout(failuresOf(causeOf(slots[1]))[0]))
      assert.deepStrictEqual(slots[2], Exit.fail("no"))
    })
  )

  it.effect("with returnExceptions, interrupted from outside, it ends interrupted", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(TaskGroup.gather([Effect.never], { timeout: 100, returnExceptions: true }))
      yield* settle
      yield* Fiber.interrupt(fiber)
      assert.isTrue(isInterruptedOnly(yield* Fiber.await(fiber)))
    })
  )
})

describe("TaskGroup.makeUnsafe with timeout", () => {
  it.effect("counts from the group's creation; join then fails with TaskGroupTimeout", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "loose", timeout: "30 millis" })
      const soon = TaskGroup.spawnUnsafe(group, Effect.never)
      const fiber = yield* Effect.forkChild(TaskGroup.join(group))
      yield* settle
      yield* TestClock.adjust(30)
      const [error] = failuresOf(causeOf(yield* Fiber.await(fiber)))
      assert.isTrue(isTaskGroupTimeout(error))
      assert.strictEqual((error as TaskGroupTimeout).group, "loose")
      assert.isTrue(isInterruptedOnly(yield* Effect.exit(soon.value)))
    })
  )
})

describe("the TaskGroupTimeout of a group", () => {
  it.effect("is one error: the TaskGroupClosed of a later spawn carries the very error the group failed with", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "late", timeout: "30 millis" })
      TaskGroup.spawnUnsafe(group, Effect.never)
      yield* TestClock.adjust(30)
      const [failedWith] = failuresOf(causeOf(yield* Effect.exit(TaskGroup.join(group))))
      assert.isTrue(isTaskGroupTimeout(failedWith))
      const closed = thrown(() => TaskGroup.spawnUnsafe(group, Effect.void))
      assert.isTrue(isTaskGroupClosed(closed))
      const [carried] = failuresOf((closed as TaskGroupClosed).cause!)
      assert.strictEqual(carried, failedWith)
    })
  )
})

describe("TaskGroup.gather with timeout, what the timeout says", () => {
  it.effect("with returnExceptions, a late slot's TaskGroupTimeout names the gather's group and its timeout", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(TaskGroup.gather([Effect.never], { timeout: 100, returnExceptions: true }))
      yield* settle
      yield* TestClock.adjust(100)
      const [slot] = yield* Fiber.join(fiber)
      const [error] = failuresOf(causeOf(slot))
      assert.isTrue(isTaskGroupTimeout(error))
      assert.strictEqual((error as TaskGroupTimeout).group, "TaskGroup")
      assert.isTrue(Duration.equals((error as TaskGroupTimeout).timeout, Duration.millis(100)))
    })
  )

  it.effect("a bad timeout is reported by TaskGroup.gather itself", () =>
    Effect.gen(function* () {
      const defect = defectOf(yield* Effect.exit(TaskGroup.gather([Effect.void], { timeout: -1 as any })))
      assert.isTrue(Cause.isIllegalArgumentError(defect), `got ${String(defect)}`)
      assert.isTrue(
        (defect as Error).message.startsWith('TaskGroup.gather: option "timeout"'),
        (defect as Error).message
      )
    })
  )
})

describe("TaskGroup.gather with a bad timeout", () => {
  it.effect("dies with the option's own message, naming the value given", () =>
    Effect.gen(function* () {
      const defect = defectOf(yield* Effect.exit(TaskGroup.gather([Effect.void], { timeout: -1 as any })))
      assert.strictEqual(
        (defect as Error).message,
        'TaskGroup.gather: option "timeout" must be a non-negative Duration.Input (such as "2 seconds" or 2000 millis), received number -1'
      )
    })
  )
})

describe("timers that did not fire", () => {
  /** The timers the process has pending now (Node's own count: what keeps it alive). */
  const pendingTimers = () => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length

  it.live("a group's deadline and a task's timeout leave no timer behind once what they timed has ended", () =>
    Effect.gen(function* () {
      const before = pendingTimers()
      const value = yield* TaskGroup.run(
        (group) => Effect.flatMap(group.spawn(Effect.succeed("in time"), { timeout: "1 hour" }), (soon) => soon.await),
        { timeout: "1 hour" }
      )
      assert.strictEqual(value, "in time")
      // At most as many as before (a timer of another test may have fired meanwhile).
      assert.isAtMost(pendingTimers(), before)
    })
  )
})
