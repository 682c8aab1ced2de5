import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Option } from "effect"
import { TestClock } from "effect/testing"
import { isPendingValue, PendingValue, SoonValue, TaskGroup } from "@soonify/core"
import { causeOf, settle } from "./support.ts"

/** A group that hands back a cancelled task's handle, and that of an interrupted fiber. */
const interruptedTask = TaskGroup.run((group) =>
  Effect.gen(function* () {
    const soon = yield* group.spawn(Effect.never, { name: "stopped" })
    yield* Effect.yieldNow
    yield* soon.cancel
    return soon
  })
)

describe("SoonValue", () => {
  describe("value", () => {
    it.effect("fails with PendingValue before the task ends", () =>
      Effect.gen(function* () {
        const error = yield* TaskGroup.run((group) =>
          Effect.gen(function* () {
            const soon = yield* group.spawn(Effect.as(Effect.sleep("1 second"), 1), { name: "slow" })
            // Typed: the error channel holds PendingValue, so flip gives it with no cast.
            const error: PendingValue = yield* Effect.flip(soon.value)
            yield* soon.cancel
            return error
          })
        )
        assert.instanceOf(error, PendingValue)
        assert.isTrue(isPendingValue(error))
        assert.strictEqual(error._tag, "PendingValue")
        assert.strictEqual(error.task, "slow")
        assert.include(error.message, '"slow"')
        assert.include(error.message, "before the task ended")
        assert.include(error.message, "await")
      })
    )

    it.effect("can be caught by its tag", () =>
      Effect.gen(function* () {
        const value = yield* TaskGroup.run((group) =>
          Effect.gen(function* () {
            const soon = yield* group.spawn(Effect.never)
            const read = yield* soon.value.pipe(Effect.catchTag("PendingValue", () => Effect.succeed("fallback")))
            yield* soon.cancel
            return read
          })
        )
        assert.strictEqual(value, "fallback")
      })
    )

    it.effect("replays the task's success after the group, every time", () =>
      Effect.gen(function* () {
        const soon = yield* TaskGroup.run((group) => group.spawn(Effect.succeed({ id: 1 })))
        const first = yield* soon.value
        const second = yield* soon.value
        assert.deepStrictEqual(first, { id: 1 })
        assert.strictEqual(first, second, "the value was recomputed")
      })
    )

    it.effect("replays the task's failure", () =>
      Effect.gen(function* () {
        const error = new Error("not found")
        const soon = yield* TaskGroup.run((group) => group.spawn(Effect.fail(error)), { mode: "settle" })
        assert.strictEqual(yield* Effect.flip(soon.value), error)
        assert.strictEqual(yield* Effect.flip(soon.value), error)
      })
    )

    it.effect("replays the task's defect", () =>
      Effect.gen(function* () {
        const soon = yield* TaskGroup.run((group) => group.spawn(Effect.die("kaput")), { mode: "settle" })
        const exit = yield* Effect.exit(soon.value)
        assert.isTrue(Cause.hasDies(causeOf(exit)))
        assert.isFalse(Cause.hasFails(causeOf(exit)))
      })
    )

    it.effect("replays an interruption as an interruption, as Fiber.join does", () =>
      Effect.gen(function* () {
        const soon = yield* interruptedTask
        const exit = yield* Effect.exit(soon.value)
        assert.isTrue(Cause.hasInterruptsOnly(causeOf(exit)))
        // The same shape as joining an interrupted fiber.
        const fiber = yield* Effect.forkChild(Effect.never)
        yield* Fiber.interrupt(fiber)
        const joined = yield* Effect.exit(Fiber.join(fiber))
        assert.strictEqual(Cause.hasInterruptsOnly(causeOf(joined)), Cause.hasInterruptsOnly(causeOf(exit)))
      })
    )

    it.effect("treats falsy results as values, not as pending", () =>
      Effect.gen(function* () {
        const handles = yield* TaskGroup.run((group) =>
          Effect.forEach([0, "", undefined, false, null], (v) => group.spawn(Effect.succeed(v)))
        )
        for (const soon of handles) {
          assert.isTrue(soon.ready)
          assert.isTrue(Option.isSome(yield* soon.poll))
        }
        assert.deepStrictEqual(yield* Effect.forEach(handles, (h) => h.value), [0, "", undefined, false, null])
      })
    )
  })

  describe("await", () => {
    it.effect("waits for the task inside the group", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              const soon = yield* group.spawn(Effect.as(Effect.sleep("1 second"), 21))
              const value = yield* soon.await
              return value * 2
            })
          )
        )
        yield* settle
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("1 second")
        assert.strictEqual(yield* Fiber.join(fiber), 42)
      })
    )

    it.effect("replays a failure once the task has failed", () =>
      Effect.gen(function* () {
        const error = yield* TaskGroup.run(
          (group) =>
            Effect.flatMap(group.spawn(Effect.andThen(Effect.yieldNow, Effect.fail("nope"))), (s) =>
              Effect.flip(s.await)
            ),
          { mode: "settle" }
        )
        assert.strictEqual(error, "nope")
      })
    )

    it.effect("replays an interruption once the task was cancelled", () =>
      Effect.gen(function* () {
        const soon = yield* interruptedTask
        assert.isTrue(Cause.hasInterruptsOnly(causeOf(yield* Effect.exit(soon.await))))
      })
    )

    it.effect("gives the value at once after the group", () =>
      Effect.gen(function* () {
        const soon = yield* TaskGroup.run((group) => group.spawn(Effect.succeed("now")))
        assert.strictEqual(yield* soon.await, "now")
      })
    )
  })

  describe("poll and ready", () => {
    it.effect("poll is None while the task runs and Some(exit) once it has ended", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              const soon = yield* group.spawn(Effect.as(Effect.sleep("1 second"), "late"))
              const before = yield* soon.poll
              const readyBefore = soon.ready
              yield* Effect.sleep("2 seconds")
              return { before, readyBefore, after: yield* soon.poll, readyAfter: soon.ready }
            })
          )
        )
        yield* settle
        yield* TestClock.adjust("2 seconds")
        const { before, readyBefore, after, readyAfter } = yield* Fiber.join(fiber)
        assert.isTrue(Option.isNone(before))
        assert.isFalse(readyBefore)
        assert.deepStrictEqual(after, Option.some(Exit.succeed("late")))
        assert.isTrue(readyAfter)
      })
    )

    it.effect("ready becomes true for a failure and for an interruption too", () =>
      Effect.gen(function* () {
        const [failed, cancelled] = yield* TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              const failed = yield* group.spawn(Effect.fail("x"))
              const cancelled = yield* group.spawn(Effect.never)
              yield* Effect.yieldNow
              yield* cancelled.cancel
              return [failed, cancelled] as const
            }),
          { mode: "settle" }
        )
        assert.isTrue(failed.ready)
        assert.isTrue(cancelled.ready)
        const polled = yield* failed.poll
        assert.isTrue(Option.isSome(polled) && Exit.isFailure(polled.value))
      })
    )
  })

  describe("cancel", () => {
    it.effect("interrupts one task and waits for its finalizers", () =>
      Effect.gen(function* () {
        let finalized = false
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              const sibling = yield* group.spawn(Effect.as(Effect.sleep("10 seconds"), "sibling"))
              const victim = yield* group.spawn(
                Effect.never.pipe(
                  Effect.onInterrupt(() =>
                    Effect.andThen(
                      Effect.sleep("3 seconds"),
                      Effect.sync(() => (finalized = true))
                    )
                  )
                )
              )
              yield* Effect.yieldNow
              yield* victim.cancel
              // cancel returned: the victim has ended, its finalizer ran.
              return { finalizedAtReturn: finalized, victim, sibling, siblingReady: sibling.ready }
            })
          )
        )
        yield* settle
        yield* TestClock.adjust("2 seconds")
        yield* settle
        assert.isFalse(finalized)
        yield* TestClock.adjust("8 seconds")
        const { finalizedAtReturn, victim, sibling, siblingReady } = yield* Fiber.join(fiber)
        assert.isTrue(finalizedAtReturn, "cancel returned before the task's finalizer finished")
        assert.isFalse(siblingReady, "cancel stopped a sibling too")
        assert.isTrue(Cause.hasInterruptsOnly(causeOf(yield* Effect.exit(victim.value))))
        assert.strictEqual(yield* sibling.value, "sibling")
      })
    )

    it.effect("is not a failure of the group, in fail-fast mode", () =>
      Effect.gen(function* () {
        const value = yield* TaskGroup.run((group) =>
          Effect.gen(function* () {
            const soon = yield* group.spawn(Effect.never)
            yield* soon.cancel
            return "group succeeded"
          })
        )
        assert.strictEqual(value, "group succeeded")
      })
    )

    it.effect("may be called from another task", () =>
      Effect.gen(function* () {
        const [victim, killer] = yield* TaskGroup.run((group) =>
          Effect.gen(function* () {
            const victim = yield* group.spawn(Effect.never)
            const killer = yield* group.spawn(Effect.as(victim.cancel, "done"))
            return [victim, killer] as const
          })
        )
        assert.isTrue(victim.ready)
        assert.strictEqual(yield* killer.value, "done")
      })
    )

    it.effect("stops a queued task before it ever runs", () =>
      Effect.gen(function* () {
        let ran = false
        const queued = yield* TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.sleep("1 second"))
              const queued = yield* group.spawn(Effect.sync(() => (ran = true)))
              yield* Effect.yieldNow
              yield* queued.cancel
              return queued
            }),
          { concurrency: 1 }
        ).pipe(
          Effect.forkChild,
          Effect.tap(() => settle),
          Effect.tap(() => TestClock.adjust("1 second")),
          Effect.flatMap(Fiber.join)
        )
        assert.isFalse(ran)
        assert.isTrue(Cause.hasInterruptsOnly(causeOf(yield* Effect.exit(queued.value))))
      })
    )

    it.effect("does nothing to a task that has ended", () =>
      Effect.gen(function* () {
        const soon = yield* TaskGroup.run((group) => group.spawn(Effect.succeed(5)))
        yield* soon.cancel
        assert.strictEqual(yield* soon.value, 5)
      })
    )
  })

  describe("name", () => {
    it.effect("is the given name, the function's name, or task-N", () =>
      Effect.gen(function* () {
        const download = (url: string) => Effect.succeed(url.length)
        const [given, fromFunction, defaulted] = yield* TaskGroup.run((group) =>
          Effect.all([
            group.spawn(Effect.void, { name: "cleanup" }),
            group.soonify(download)("https://example.com"),
            group.spawn(Effect.void)
          ])
        )
        assert.strictEqual(given.name, "cleanup")
        assert.strictEqual(fromFunction.name, "download")
        assert.strictEqual(defaulted.name, "task-1")
      })
    )
  })

  describe("guards and display", () => {
    it.effect("isSoonValue tells a handle from other values", () =>
      Effect.gen(function* () {
        const soon = yield* TaskGroup.run((group) => group.spawn(Effect.void))
        assert.isTrue(SoonValue.isSoonValue(soon))
        assert.isFalse(SoonValue.isSoonValue({ ready: true, value: Effect.void }))
        assert.isFalse(SoonValue.isSoonValue(null))
      })
    )

    it.effect("shows its name and state when printed", () =>
      Effect.gen(function* () {
        const soon = yield* TaskGroup.run((group) => group.spawn(Effect.succeed(1), { name: "printed" }))
        const shown = String(soon)
        assert.include(shown, "printed")
        assert.include(shown, "Success")
        const pending = yield* TaskGroup.run((group) =>
          Effect.gen(function* () {
            const soon = yield* group.spawn(Effect.never)
            const shown = String(soon)
            yield* soon.cancel
            return shown
          })
        )
        assert.include(pending, "pending")
      })
    )

    it.effect("pipes", () =>
      Effect.gen(function* () {
        const soon = yield* TaskGroup.run((group) => group.spawn(Effect.succeed(2)))
        assert.strictEqual(
          soon.pipe((s) => s.name),
          "task-1"
        )
      })
    )
  })
})

describe("SoonValue reads are lazy", () => {
  it.effect("value and poll taken before the task ends give its outcome when run after", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { value, poll } = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const soon = yield* group.spawn(Effect.as(Deferred.await(gate), 42))
          const taken = { value: soon.value, poll: soon.poll }
          yield* Deferred.succeed(gate, undefined)
          return taken
        })
      )
      assert.strictEqual(yield* value, 42)
      assert.deepStrictEqual(yield* poll, Option.some(Exit.succeed(42)))
    })
  )

  it.effect("repeating poll until it is Some ends once the task has ended", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const soon = yield* group.spawn(Effect.as(Deferred.await(gate), "done"))
            return yield* Effect.repeat(soon.poll, { until: Option.isSome })
          })
        )
      )
      yield* settle
      assert.isUndefined(fiber.pollUnsafe(), "poll was Some before the task ended")
      yield* Deferred.succeed(gate, undefined)
      yield* settle
      const exit = fiber.pollUnsafe()
      if (exit === undefined) yield* Fiber.interrupt(fiber)
      assert.isDefined(exit, "the repeat never saw the end: poll was evaluated once, when taken")
      assert.deepStrictEqual(exit, Exit.succeed(Option.some(Exit.succeed("done"))))
    })
  )
})
