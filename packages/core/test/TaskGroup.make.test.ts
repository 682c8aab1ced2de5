import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Scope } from "effect"
import { TestClock } from "effect/testing"
import { isTaskGroupClosed, TaskGroup, TaskGroupClosed } from "@soonify/core"
import { causeOf, defectsOf, failuresOf, settle } from "./support.ts"

describe("TaskGroup.make", () => {
  describe("closing the scope", () => {
    it.effect("with success waits for the tasks", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Effect.scoped(
            Effect.gen(function* () {
              const group = yield* TaskGroup.make({ name: "jobs" })
              return yield* group.spawn(Effect.as(Effect.sleep("1 second"), "job done"))
            })
          )
        )
        yield* settle
        assert.isUndefined(fiber.pollUnsafe(), "the scope closed without waiting for its group's task")
        yield* TestClock.adjust("1 second")
        const soon = yield* Fiber.join(fiber)
        assert.strictEqual(yield* soon.value, "job done")
      })
    )

    it.effect("with a failure interrupts the tasks and waits for them", () =>
      Effect.gen(function* () {
        let finalized = false
        const scope = yield* Scope.make()
        const group = yield* Scope.provide(TaskGroup.make(), scope)
        const soon = yield* group.spawn(Effect.never.pipe(Effect.ensuring(Effect.sync(() => (finalized = true)))))
        yield* settle
        yield* Scope.close(scope, Exit.fail("owner failed"))
        assert.isTrue(finalized)
        assert.isTrue(soon.ready)
        assert.isTrue(Cause.hasInterruptsOnly(causeOf(yield* Effect.exit(soon.value))))
      })
    )

    it.effect("with a failure keeps the owner's failure as it is", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          Effect.scoped(
            Effect.gen(function* () {
              const group = yield* TaskGroup.make()
              yield* group.spawn(Effect.never)
              yield* Effect.yieldNow
              return yield* Effect.fail("owner failed")
            })
          )
        )
        assert.deepStrictEqual(failuresOf(causeOf(exit)), ["owner failed"])
      })
    )

    it.effect("with an interruption interrupts the tasks, waiting for slow finalizers", () =>
      Effect.gen(function* () {
        let finalized = false
        const fiber = yield* Effect.forkChild(
          Effect.scoped(
            Effect.gen(function* () {
              const group = yield* TaskGroup.make()
              yield* group.spawn(
                Effect.sleep("1 hour").pipe(
                  Effect.onInterrupt(() =>
                    Effect.andThen(
                      Effect.sleep("2 seconds"),
                      Effect.sync(() => (finalized = true))
                    )
                  )
                )
              )
              return yield* Effect.never
            })
          )
        )
        yield* settle
        const interrupter = yield* Effect.forkChild(Fiber.interrupt(fiber))
        yield* settle
        assert.isUndefined(interrupter.pollUnsafe(), "the scope closed before the task's finalizer ended")
        yield* TestClock.adjust("2 seconds")
        yield* Fiber.join(interrupter)
        assert.isTrue(finalized)
        assert.isTrue(Cause.hasInterruptsOnly(causeOf(yield* Fiber.await(fiber))))
      })
    )

    it.effect("raises failures nobody joined as defects, so none is lost", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          Effect.scoped(
            Effect.gen(function* () {
              const group = yield* TaskGroup.make<string>()
              yield* group.spawn(Effect.uninterruptible(Effect.andThen(Effect.yieldNow, Effect.die("unseen defect"))))
              yield* group.spawn(Effect.fail("unseen"))
              return "owner done"
            })
          )
        )
        const cause = causeOf(exit)
        assert.sameMembers(defectsOf(cause), ["unseen", "unseen defect"])
        assert.deepStrictEqual(failuresOf(cause), [])
      })
    )

    it.effect("succeeds for an empty group", () =>
      Effect.gen(function* () {
        const value = yield* Effect.scoped(Effect.as(TaskGroup.make(), "empty"))
        assert.strictEqual(value, "empty")
      })
    )

    it.effect("keeps failures in handles in settle mode, raising nothing", () =>
      Effect.gen(function* () {
        const soon = yield* Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make<string>({ mode: "settle" })
            return yield* group.spawn(Effect.fail("kept"))
          })
        )
        assert.strictEqual(yield* Effect.flip(soon.value), "kept")
      })
    )

    // Detached fibers, polled after a few yields: a close that cannot be interrupted fails
    // the test at once instead of holding the test's own scope open.
    describe("interrupting whoever closes the scope while it waits", () => {
      it.effect("a timeout around the scope settles on time: the tasks are interrupted, their finalizers run", () =>
        Effect.gen(function* () {
          let finalized = false
          const program = Effect.scoped(
            Effect.gen(function* () {
              const group = yield* TaskGroup.make()
              yield* group.spawn(Effect.never.pipe(Effect.ensuring(Effect.sync(() => (finalized = true)))))
            })
          )
          const fiber = yield* Effect.forkDetach(Effect.timeout(program, "100 millis"))
          yield* settle
          assert.isUndefined(fiber.pollUnsafe(), "the scope closed without waiting for its group's task")
          yield* TestClock.adjust("100 millis")
          yield* settle
          // A bounded wait: a closing that cannot be interrupted leaves the fiber running.
          const exit = fiber.pollUnsafe()
          assert.isDefined(exit, "the timeout did not end the scope's close")
          assert.isTrue(Exit.isFailure(exit!) && Cause.hasFails(exit.cause), String(exit))
          assert.isTrue(Cause.isTimeoutError(failuresOf(causeOf(exit))[0]), String(exit))
          assert.isTrue(finalized)
        })
      )

      // Effect's FiberSet test "interrupts running fibers when the scope closes", ported:
      // a group's scope closing with success waits for its tasks, so here the interruption
      // of whoever closes it is what interrupts them.
      it.effect("interrupts running fibers when the scope closes", () =>
        Effect.gen(function* () {
          let interrupted = 0
          const fiber = yield* Effect.forkDetach(
            Effect.scoped(
              Effect.gen(function* () {
                const group = yield* TaskGroup.make()
                yield* group
                  .spawn(Effect.onInterrupt(Effect.never, () => Effect.sync(() => interrupted++)))
                  .pipe(Effect.repeat({ times: 9 }))
                yield* Effect.yieldNow
              })
            )
          )
          yield* settle
          assert.isUndefined(fiber.pollUnsafe(), "the scope closed without waiting for its group's tasks")
          fiber.interruptUnsafe()
          yield* settle
          const exit = fiber.pollUnsafe()
          assert.isDefined(exit, "interrupting the scope's close did not end it")
          assert.isTrue(Exit.isFailure(exit!) && Cause.hasInterruptsOnly(exit.cause), String(exit))
          assert.strictEqual(interrupted, 10)
        })
      )

      it.effect("a task's failure during that shutdown is added to the interruption, as a defect", () =>
        Effect.gen(function* () {
          const fiber = yield* Effect.forkDetach(
            Effect.scoped(
              Effect.gen(function* () {
                const group = yield* TaskGroup.make()
                yield* group.spawn(Effect.onInterrupt(Effect.never, () => Effect.die("finalizer broke")))
              })
            )
          )
          yield* settle
          fiber.interruptUnsafe()
          yield* settle
          const exit = fiber.pollUnsafe()
          assert.isDefined(exit, "interrupting the scope's close did not end it")
          assert.isTrue(Exit.isFailure(exit!) && Cause.hasInterrupts(exit.cause), String(exit))
          assert.deepStrictEqual(defectsOf(causeOf(exit)), ["finalizer broke"])
        })
      )
    })
  })

  describe("TaskGroup.join", () => {
    it.effect("waits for the tasks and succeeds", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          Effect.scoped(
            Effect.gen(function* () {
              const group = yield* TaskGroup.make()
              const a = yield* group.spawn(Effect.as(Effect.sleep("1 second"), "a"))
              const b = yield* group.spawn(Effect.as(Effect.sleep("2 seconds"), "b"))
              yield* TaskGroup.join(group)
              return [a.ready, b.ready]
            })
          )
        )
        yield* settle
        yield* TestClock.adjust("1 second")
        yield* settle
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual(yield* Fiber.join(fiber), [true, true])
      })
    )

    it.effect("fails like run, with every failure and none of the interruptions", () =>
      Effect.gen(function* () {
        const [joined, closed] = yield* Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make<string>()
            yield* group.spawn(Effect.never)
            yield* group.spawn(Effect.uninterruptible(Effect.andThen(Effect.yieldNow, Effect.fail("second"))))
            yield* group.spawn(Effect.fail("first"))
            const joined = yield* Effect.exit(TaskGroup.join(group))
            const again = yield* Effect.exit(TaskGroup.join(group))
            return [joined, again] as const
          })
        )
        const cause = causeOf(joined)
        assert.sameMembers(failuresOf(cause), ["first", "second"])
        assert.isFalse(Cause.hasInterrupts(cause))
        assert.deepStrictEqual(failuresOf(causeOf(closed)), failuresOf(cause), "joining again gave another outcome")
      })
    )

    it.effect("keeps the scope's close quiet once the failures were joined", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          Effect.scoped(
            Effect.gen(function* () {
              const group = yield* TaskGroup.make<string>()
              yield* group.spawn(Effect.fail("seen"))
              return yield* Effect.exit(TaskGroup.join(group))
            })
          )
        )
        assert.isTrue(Exit.isSuccess(exit), `the joined failure was raised again: ${String(exit)}`)
      })
    )

    it.effect("lets tasks spawn more tasks while it waits", () =>
      Effect.gen(function* () {
        const inner = yield* Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make()
            const outer = yield* group.spawn(
              Effect.andThen(Effect.sleep("1 second"), group.spawn(Effect.as(Effect.sleep("1 second"), "inner")))
            )
            yield* TaskGroup.join(group)
            return yield* outer.value
          })
        ).pipe(
          Effect.forkChild,
          Effect.tap(() => settle),
          Effect.tap(() => TestClock.adjust("1 second")),
          Effect.tap(() => settle),
          Effect.tap(() => TestClock.adjust("1 second")),
          Effect.flatMap(Fiber.join)
        )
        assert.strictEqual(yield* inner.value, "inner")
      })
    )

    it.effect("makes a later spawn die with TaskGroupClosed once the group has ended", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make({ name: "jobs" })
            yield* group.spawn(Effect.void)
            yield* TaskGroup.join(group)
            return yield* Effect.exit(group.spawn(Effect.void, { name: "too-late" }))
          })
        )
        const [defect] = defectsOf(causeOf(exit))
        assert.instanceOf(defect, TaskGroupClosed)
        assert.strictEqual((defect as TaskGroupClosed).group, "jobs")
        assert.strictEqual((defect as TaskGroupClosed).task, "too-late")
      })
    )

    it.effect("makes a spawn after the scope closed die with TaskGroupClosed", () =>
      Effect.gen(function* () {
        const group = yield* Effect.scoped(TaskGroup.make())
        const [defect] = defectsOf(causeOf(yield* Effect.exit(group.spawn(Effect.void))))
        assert.instanceOf(defect, TaskGroupClosed)
      })
    )

    it.effect("refuses a group owned by a run block instead of ending it under its body", () =>
      Effect.gen(function* () {
        let bodyEnded = false
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.sleep("1 second"))
              const joined = yield* Effect.exit(TaskGroup.join(group))
              yield* Effect.sleep("5 seconds")
              bodyEnded = true
              return joined
            })
          )
        )
        yield* settle
        yield* TestClock.adjust("1 second")
        yield* settle
        assert.isUndefined(fiber.pollUnsafe(), "run returned while its body still ran")
        yield* TestClock.adjust("5 seconds")
        const joined = yield* Fiber.join(fiber)
        assert.isTrue(bodyEnded)
        const [defect] = defectsOf(causeOf(joined))
        assert.isTrue(Cause.isIllegalArgumentError(defect))
        assert.include((defect as Error).message, "TaskGroup.run")
      })
    )

    it.effect("dies with IllegalArgumentError for something that is not a group", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(TaskGroup.join({} as TaskGroup.TaskGroup))
        assert.isTrue(Cause.isIllegalArgumentError(defectsOf(causeOf(exit))[0]))
      })
    )
  })

  describe("bad input", () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN, "x"]) {
      it.effect(`dies with IllegalArgumentError for concurrency ${String(concurrency)}`, () =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(Effect.scoped(TaskGroup.make({ concurrency: concurrency as number })))
          const [defect] = defectsOf(causeOf(exit))
          assert.isTrue(Cause.isIllegalArgumentError(defect))
          assert.include((defect as Error).message, "concurrency")
          assert.include((defect as Error).message, String(concurrency))
        })
      )
    }

    it.effect("dies with IllegalArgumentError for an unknown mode", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(Effect.scoped(TaskGroup.make({ mode: "later" as "settle" })))
        const [defect] = defectsOf(causeOf(exit))
        assert.isTrue(Cause.isIllegalArgumentError(defect))
        assert.include((defect as Error).message, "mode")
      })
    )
  })
})

describe("a long-lived group", () => {
  /** How many tasks the group holds on to: `running` in its `toJSON`. */
  const liveTasks = <E, R>(group: TaskGroup.TaskGroup<E, R>): number =>
    (group.toJSON() as { readonly running: number }).running

  it.effect("made with make, keeps no ended task: 10,000 tasks one after another leave it flat", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const group = yield* TaskGroup.make<number>({ mode: "settle" })
        for (let i = 0; i < 10_000; i++) {
          const soon = yield* group.spawn(i % 2 === 0 ? Effect.yieldNow : Effect.fail(i))
          yield* Effect.exit(soon.await)
          if (i % 1000 === 0) assert.strictEqual(liveTasks(group), 0, `after ${i + 1} tasks`)
        }
        assert.strictEqual(liveTasks(group), 0)
      })
    )
  )

  it.effect("made with makeUnsafe, likewise", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ mode: "settle" })
      for (let i = 0; i < 10_000; i++) {
        yield* Effect.exit(TaskGroup.spawnUnsafe(group, i % 2 === 0 ? Effect.yieldNow : Effect.fail(i)).await)
      }
      assert.strictEqual(liveTasks(group), 0)
      yield* TaskGroup.join(group)
    })
  )

  it.effect("stays closed once joined, when its scope then closes with a failure", () =>
    Effect.gen(function* () {
      let captured: TaskGroup.TaskGroup<never, never> | undefined
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make()
            captured = group
            yield* group.spawn(Effect.void)
            yield* TaskGroup.join(group)
            return yield* Effect.fail("scope failed")
          })
        )
      )
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["scope failed"])
      const spawned = yield* Effect.exit(captured!.spawn(Effect.void))
      const [defect] = defectsOf(causeOf(spawned))
      assert.isTrue(isTaskGroupClosed(defect), `spawning gave ${String(defect ?? spawned)}`)
    })
  )
})
