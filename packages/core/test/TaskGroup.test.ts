import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Latch, Ref, Scheduler } from "effect"
import { TestClock } from "effect/testing"
import { isTaskGroupClosed, type SoonValue, TaskGroup, TaskGroupClosed } from "@soonify/core"
import { causeOf, defectsOf, failuresOf, isInterruptedOnly, settle } from "./support.ts"

type AnySoonValue = SoonValue.SoonValue<unknown, unknown>

describe("TaskGroup.run", () => {
  describe("success", () => {
    it.effect("succeeds with the body's value once every task has ended", () =>
      Effect.gen(function* () {
        const doWork = (name: string) => Effect.as(Effect.sleep("1 second"), `Hello, ${name}`)
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              const a = yield* group.soonify(doWork)("Yury")
              const b = yield* group.soonify(doWork)("Nathaniel")
              return { a, b, answer: 42 }
            })
          )
        )
        yield* settle
        assert.isUndefined(fiber.pollUnsafe(), "the group ended while its tasks slept")
        yield* TestClock.adjust("1 second")
        const { a, b, answer } = yield* Fiber.join(fiber)
        assert.strictEqual(answer, 42)
        assert.isTrue(a.ready && b.ready)
        assert.strictEqual(yield* a.value, "Hello, Yury")
        assert.strictEqual(yield* b.value, "Hello, Nathaniel")
      })
    )

    it.effect("runs tasks at the same time, not one after another", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.all([
              group.spawn(Effect.as(Effect.sleep("1 second"), 1)),
              group.spawn(Effect.as(Effect.sleep("1 second"), 2)),
              group.spawn(Effect.as(Effect.sleep("1 second"), 3))
            ])
          )
        )
        yield* settle
        yield* TestClock.adjust("1 second")
        yield* settle
        assert.isDefined(fiber.pollUnsafe(), "three 1-second tasks took more than 1 second")
        const handles = yield* Fiber.join(fiber)
        assert.deepStrictEqual(yield* Effect.forEach(handles, (h) => h.value), [1, 2, 3])
      })
    )

    it.effect("keeps results in spawn order whatever order the tasks end in", () =>
      Effect.gen(function* () {
        const ended: Array<string> = []
        const task = (name: string, seconds: number) =>
          Effect.sleep(`${seconds} seconds`).pipe(Effect.andThen(Effect.sync(() => ended.push(name))), Effect.as(name))
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.forEach(
              [
                ["a", 3],
                ["b", 1],
                ["c", 2]
              ] as const,
              ([name, seconds]) => group.soonify(task)(name, seconds)
            )
          )
        )
        yield* settle
        yield* TestClock.adjust("3 seconds")
        const handles = yield* Fiber.join(fiber)
        assert.deepStrictEqual(ended, ["b", "c", "a"])
        assert.deepStrictEqual(yield* Effect.forEach(handles, (h) => h.value), ["a", "b", "c"])
      })
    )

    it.effect("starts a task soon: when the spawner yields, not at spawn", () =>
      Effect.gen(function* () {
        let ran = false
        const seen = yield* TaskGroup.run((group) =>
          Effect.gen(function* () {
            yield* group.spawn(Effect.sync(() => (ran = true)))
            const atSpawn = ran
            yield* Effect.yieldNow
            return [atSpawn, ran]
          })
        )
        assert.deepStrictEqual(seen, [false, true])
      })
    )

    it.effect("succeeds at once with the body's value when no task was spawned", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(TaskGroup.run(() => Effect.succeed("done")))
        yield* settle
        assert.deepStrictEqual(fiber.pollUnsafe(), Exit.succeed("done"))
      })
    )

    it.effect("succeeds for a body that only yields", () =>
      Effect.gen(function* () {
        const value = yield* TaskGroup.run(() => Effect.as(Effect.yieldNow, 7))
        assert.strictEqual(value, 7)
      })
    )

    it.effect("treats falsy results as values", () =>
      Effect.gen(function* () {
        const handles = yield* TaskGroup.run((group) =>
          Effect.all([
            group.spawn(Effect.succeed(0)),
            group.spawn(Effect.succeed("")),
            group.spawn(Effect.succeed(undefined)),
            group.spawn(Effect.succeed(false)),
            group.spawn(Effect.succeed(null))
          ])
        )
        for (const handle of handles) assert.isTrue(handle.ready, `${handle.name} is not ready`)
        const values = yield* Effect.all(handles.map((h) => h.value))
        assert.deepStrictEqual(values, [0, "", undefined, false, null])
      })
    )

    it.effect("waits for a task spawned after the body returned", () =>
      Effect.gen(function* () {
        const late = yield* Deferred.make<string>()
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.asVoid(
              group.spawn(
                Effect.gen(function* () {
                  yield* Effect.sleep("1 second")
                  // The body has long returned: the group must still be open, and wait.
                  const inner = yield* group.spawn(Effect.as(Effect.sleep("1 second"), "late"))
                  yield* Deferred.succeed(late, inner.name)
                })
              )
            )
          )
        )
        yield* settle
        yield* TestClock.adjust("1 second")
        yield* settle
        assert.strictEqual(yield* Deferred.await(late), "task-2")
        assert.isUndefined(fiber.pollUnsafe(), "the group ended before the late task")
        yield* TestClock.adjust("1 second")
        yield* settle
        assert.deepStrictEqual(fiber.pollUnsafe(), Exit.void)
      })
    )

    it.effect("waits for tasks spawned by tasks, however deep", () =>
      Effect.gen(function* () {
        const ended: Array<number> = []
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) => {
            const nest = (depth: number): Effect.Effect<void> =>
              Effect.gen(function* () {
                if (depth < 3) yield* group.spawn(nest(depth + 1))
                yield* Effect.sleep(`${depth} seconds`)
                ended.push(depth)
              })
            return group.spawn(nest(0))
          })
        )
        yield* settle
        yield* TestClock.adjust("2 seconds")
        yield* settle
        assert.deepStrictEqual(ended, [0, 1, 2])
        assert.isUndefined(fiber.pollUnsafe(), "the group ended while a grandchild's child ran")
        yield* TestClock.adjust("1 second")
        const root = yield* Fiber.join(fiber)
        assert.deepStrictEqual(ended, [0, 1, 2, 3])
        assert.isTrue(root.ready)
      })
    )
  })

  describe("fail fast", () => {
    it.effect("interrupts running tasks when one fails", () =>
      Effect.gen(function* () {
        let finalized = false
        const fiber = yield* Effect.forkChild(
          Effect.exit(
            TaskGroup.run((group) =>
              Effect.gen(function* () {
                yield* group.spawn(Effect.andThen(Effect.sleep("1 second"), Effect.fail("boom")))
                return yield* group.spawn(
                  Effect.sleep("1 hour").pipe(
                    Effect.onInterrupt(() =>
                      Effect.sync(() => {
                        finalized = true
                      })
                    )
                  )
                )
              })
            )
          )
        )
        yield* settle
        yield* TestClock.adjust("1 second")
        yield* settle
        const exit = fiber.pollUnsafe()
        assert.isDefined(exit, "the group kept waiting for the sibling of a failed task")
        assert.deepStrictEqual(failuresOf(causeOf(yield* Fiber.join(fiber))), ["boom"])
        assert.isTrue(finalized, "the sibling's finalizer did not run")
      })
    )

    it.effect("interrupts the body when a task fails", () =>
      Effect.gen(function* () {
        let bodyFinalized = false
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.fail("boom"))
              return yield* Effect.never
            }).pipe(
              Effect.ensuring(
                Effect.sync(() => {
                  bodyFinalized = true
                })
              )
            )
          )
        )
        assert.deepStrictEqual(failuresOf(causeOf(exit)), ["boom"])
        assert.isTrue(bodyFinalized)
      })
    )

    it.effect("marks the handles of interrupted siblings as interrupted", () =>
      Effect.gen(function* () {
        const sibling = yield* Deferred.make<AnySoonValue>()
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              const handle = yield* group.spawn(Effect.never)
              yield* Deferred.succeed(sibling, handle)
              yield* group.spawn(Effect.fail("boom"))
            })
          )
        )
        assert.isTrue(Exit.isFailure(exit))
        const handle = yield* Deferred.await(sibling)
        assert.isTrue(handle.ready)
        assert.isTrue(isInterruptedOnly(yield* Effect.exit(handle.value)))
      })
    )

    it.effect("waits for slow finalizers of interrupted tasks before failing", () =>
      Effect.gen(function* () {
        let finalized = false
        const fiber = yield* Effect.forkChild(
          Effect.exit(
            TaskGroup.run((group) =>
              Effect.gen(function* () {
                yield* group.spawn(
                  Effect.never.pipe(
                    Effect.onInterrupt(() =>
                      Effect.sleep("5 seconds").pipe(
                        Effect.andThen(
                          Effect.sync(() => {
                            finalized = true
                          })
                        )
                      )
                    )
                  )
                )
                yield* group.spawn(Effect.andThen(Effect.sleep("1 second"), Effect.fail("boom")))
              })
            )
          )
        )
        yield* settle
        yield* TestClock.adjust("1 second")
        yield* settle
        assert.isUndefined(fiber.pollUnsafe(), "the group ended before an interrupted task's finalizer")
        yield* TestClock.adjust("5 seconds")
        const exit = yield* Fiber.join(fiber)
        assert.isTrue(finalized)
        assert.deepStrictEqual(failuresOf(causeOf(exit)), ["boom"])
      })
    )

    it.effect("reports every failure that happened, not the interruptions it caused", () =>
      Effect.gen(function* () {
        const go = yield* Latch.make()
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.andThen(go.await, Effect.fail("first")))
              // Uninterruptible: it fails even though the group is shutting down.
              yield* group.spawn(Effect.uninterruptible(Effect.andThen(go.await, Effect.fail("second"))))
              yield* group.spawn(Effect.never)
              yield* Effect.yieldNow
              yield* go.open
              return yield* Effect.never
            })
          )
        )
        const cause = causeOf(exit)
        assert.sameMembers(failuresOf(cause), ["first", "second"])
        assert.isFalse(Cause.hasInterrupts(cause), "the group reported the interruptions it caused")
      })
    )

    it.effect("reports several failures of tasks that fail at the same moment", () =>
      Effect.gen(function* () {
        // Each task finishes what it does at that moment (uninterruptibly), as tasks
        // that fail in the same tick would.
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.uninterruptible(Effect.andThen(Effect.sleep("1 second"), Effect.fail("a"))))
              yield* group.spawn(Effect.uninterruptible(Effect.andThen(Effect.sleep("1 second"), Effect.fail("b"))))
              yield* group.spawn(Effect.uninterruptible(Effect.andThen(Effect.sleep("1 second"), Effect.die("c"))))
            })
          )
        )
        yield* settle
        yield* TestClock.adjust("1 second")
        const cause = causeOf(yield* Fiber.await(fiber))
        assert.deepStrictEqual(failuresOf(cause), ["a", "b"])
        assert.deepStrictEqual(defectsOf(cause), ["c"])
      })
    )

    it.effect("fails with the body's own failure and interrupts every task", () =>
      Effect.gen(function* () {
        let finalized = 0
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              for (let i = 0; i < 3; i++) {
                yield* group.spawn(Effect.never.pipe(Effect.ensuring(Effect.sync(() => finalized++))))
              }
              yield* Effect.yieldNow
              return yield* Effect.fail("body failed")
            })
          )
        )
        assert.deepStrictEqual(failuresOf(causeOf(exit)), ["body failed"])
        assert.isFalse(Cause.hasInterrupts(causeOf(exit)))
        assert.strictEqual(finalized, 3)
      })
    )

    it.effect("reports a task's defect as a defect", () =>
      Effect.gen(function* () {
        const defect = new Error("kaput")
        const exit = yield* Effect.exit(TaskGroup.run((group) => group.spawn(Effect.die(defect))))
        const cause = causeOf(exit)
        assert.deepStrictEqual(defectsOf(cause), [defect])
        assert.deepStrictEqual(failuresOf(cause), [])
      })
    )

    it.effect("reports a defect thrown by the body", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.never)
              return yield* Effect.die("body broke")
            })
          )
        )
        assert.deepStrictEqual(defectsOf(causeOf(exit)), ["body broke"])
      })
    )

    it.effect("adds the failure of a finalizer run during shutdown to the group's failure", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.never.pipe(Effect.onInterrupt(() => Effect.fail("finalizer failed"))))
              yield* group.spawn(Effect.never.pipe(Effect.ensuring(Effect.die("finalizer died"))))
              yield* Effect.yieldNow
              yield* group.spawn(Effect.fail("boom"))
            })
          )
        )
        const cause = causeOf(exit)
        assert.strictEqual(failuresOf(cause)[0], "boom", "the first failure was replaced")
        assert.sameMembers(failuresOf(cause), ["boom", "finalizer failed"])
        assert.deepStrictEqual(defectsOf(cause), ["finalizer died"])
      })
    )

    it.effect("ends, and starts no task after the failure, whatever the scheduler's yield points", () =>
      Effect.gen(function* () {
        // The scheduler makes a fiber yield after so many steps: vary where that falls,
        // so that it falls inside a spawn too, with the group failing meanwhile.
        const hung: Array<number> = []
        const ranLate: Array<number> = []
        for (let ops = 3; ops <= 60; ops++) {
          let ran = 0
          // Detached: a group that never ends would otherwise hold the test until its timeout.
          const fiber = yield* Effect.forkDetach(
            TaskGroup.run((group) =>
              Effect.gen(function* () {
                // Runs first, at the body's first yield: no other task may start after it.
                yield* group.spawn(Effect.fail("boom"))
                for (let i = 0; i < 20; i++) yield* group.spawn(Effect.sync(() => ran++))
              })
            ).pipe(Effect.provideService(Scheduler.MaxOpsBeforeYield, ops))
          )
          for (let i = 0; i < 200; i++) yield* Effect.yieldNow
          if (ran > 0) ranLate.push(ops)
          const exit = fiber.pollUnsafe()
          if (exit === undefined) {
            hung.push(ops)
            continue
          }
          assert.deepStrictEqual(failuresOf(causeOf(exit)), ["boom"])
        }
        assert.deepStrictEqual(hung, [], "the group never ended for these MaxOpsBeforeYield values")
        assert.deepStrictEqual(ranLate, [], "a task started after the failure for these MaxOpsBeforeYield values")
      })
    )

    it.effect("keeps the body's failure beside a task's failure that came during shutdown", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.uninterruptible(Effect.andThen(Effect.yieldNow, Effect.fail("task"))))
              yield* Effect.yieldNow
              return yield* Effect.fail("body")
            })
          )
        )
        assert.deepStrictEqual(failuresOf(causeOf(exit)), ["body", "task"])
      })
    )

    it.effect("treats a task that interrupts itself as cancelled, not as a failure", () =>
      Effect.gen(function* () {
        const [quitter, sibling] = yield* TaskGroup.run((group) =>
          Effect.all([
            group.spawn(Effect.andThen(Effect.yieldNow, Effect.interrupt)),
            group.spawn(Effect.as(Effect.sleep("1 second"), "still here"))
          ])
        ).pipe(
          Effect.forkChild,
          Effect.tap(() => settle),
          Effect.tap(() => TestClock.adjust("1 second")),
          Effect.flatMap(Fiber.join)
        )
        assert.isTrue(isInterruptedOnly(yield* Effect.exit(quitter.value)))
        assert.strictEqual(yield* sibling.value, "still here")
      })
    )

    it.effect("gives a task that interrupts itself its own Exit: the interruption names the task's fiber", () =>
      Effect.gen(function* () {
        let own: number | undefined
        const quitter = yield* TaskGroup.run((group) =>
          group.spawn(
            Effect.gen(function* () {
              own = yield* Effect.fiberId
              yield* Effect.yieldNow
              return yield* Effect.interrupt
            })
          )
        )
        const exit = yield* Effect.exit(quitter.await)
        assert.isTrue(isInterruptedOnly(exit))
        assert.deepStrictEqual([...Cause.interruptors(causeOf(exit))], [own])
      })
    )

    it.effect("ends interrupted, with every task stopped, when the body interrupts itself", () =>
      Effect.gen(function* () {
        let finalized = false
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.never.pipe(Effect.ensuring(Effect.sync(() => (finalized = true)))))
              yield* Effect.yieldNow
              return yield* Effect.interrupt
            })
          )
        )
        const exit = yield* Fiber.await(fiber)
        assert.isTrue(isInterruptedOnly(exit))
        assert.isTrue(finalized)
      })
    )

    it.effect("does not end a task interrupted by the group as a failure of the group", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.never)
              yield* group.spawn(Effect.never)
              yield* Effect.yieldNow
              return yield* Effect.fail("only")
            })
          )
        )
        assert.deepStrictEqual(
          causeOf(exit).reasons.map((r) => r._tag),
          ["Fail"]
        )
      })
    )
  })

  describe("interruption from outside", () => {
    it.effect("interrupts the body and every task and waits for their slow finalizers", () =>
      Effect.gen(function* () {
        const finalized: Array<string> = []
        const slowFinalizer = (name: string) =>
          Effect.onInterrupt(() =>
            Effect.andThen(
              Effect.sleep("5 seconds"),
              Effect.sync(() => finalized.push(name))
            )
          )
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              // The tasks sleep rather than wait forever: the TestClock's first sleep in a
              // test briefly turns interruptible, so it must not be a finalizer's.
              yield* group.spawn(slowFinalizer("a")(Effect.sleep("1 hour")))
              yield* group.spawn(slowFinalizer("b")(Effect.sleep("1 hour")))
              return yield* Effect.never
            }).pipe(slowFinalizer("body"))
          )
        )
        yield* settle
        const interrupter = yield* Effect.forkChild(Fiber.interrupt(fiber))
        yield* settle
        assert.isUndefined(interrupter.pollUnsafe(), "the interruption did not wait for the finalizers")
        assert.isUndefined(fiber.pollUnsafe())
        yield* TestClock.adjust("5 seconds")
        yield* Fiber.join(interrupter)
        assert.sameMembers(finalized, ["a", "b", "body"])
        assert.isTrue(isInterruptedOnly(fiber.pollUnsafe()), "the interruption became something else")
      })
    )

    it.effect("stays an interruption when tasks were running", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(Effect.sleep("1 hour"))
              yield* group.spawn(Effect.sleep("2 hours"))
            })
          )
        )
        yield* settle
        yield* Fiber.interrupt(fiber)
        const exit = yield* Fiber.await(fiber)
        assert.isTrue(isInterruptedOnly(exit))
      })
    )

    it.effect("adds a finalizer's failure to the interruption without replacing it", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) => group.spawn(Effect.never.pipe(Effect.ensuring(Effect.die("finalizer died")))))
        )
        yield* settle
        yield* Fiber.interrupt(fiber)
        const cause = causeOf(yield* Fiber.await(fiber))
        assert.isTrue(Cause.hasInterrupts(cause), "the interruption was replaced")
        assert.deepStrictEqual(defectsOf(cause), ["finalizer died"])
      })
    )

    it.effect("never lets a task outlive the interrupted group", () =>
      Effect.gen(function* () {
        const handles = yield* Deferred.make<ReadonlyArray<AnySoonValue>>()
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              const spawned = yield* Effect.all([
                group.spawn(Effect.never),
                group.spawn(Effect.uninterruptible(Effect.sleep("1 second"))),
                group.spawn(Effect.sleep("1 hour"))
              ])
              yield* Deferred.succeed(handles, spawned)
              return yield* Effect.never
            })
          )
        )
        yield* settle
        const interrupter = yield* Effect.forkChild(Fiber.interrupt(fiber))
        yield* settle
        assert.isUndefined(interrupter.pollUnsafe(), "the group ended while an uninterruptible task ran")
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(interrupter)
        for (const handle of yield* Deferred.await(handles)) assert.isTrue(handle.ready)
      })
    )
  })

  describe("settle mode", () => {
    it.effect(
      "adds a finalizer's failure during an outside interruption to the group's, and keeps it in the handle",
      () =>
        Effect.gen(function* () {
          const handle = yield* Deferred.make<AnySoonValue>()
          const fiber = yield* Effect.forkChild(
            TaskGroup.run(
              (group) =>
                Effect.andThen(
                  Effect.flatMap(
                    group.spawn(Effect.never.pipe(Effect.ensuring(Effect.die("finalizer died")))),
                    (soon) => Deferred.succeed(handle, soon)
                  ),
                  Effect.never
                ),
              { mode: "settle" }
            )
          )
          yield* settle
          yield* Fiber.interrupt(fiber)
          const cause = causeOf(yield* Fiber.await(fiber))
          assert.isTrue(Cause.hasInterrupts(cause), "the interruption was replaced")
          assert.deepStrictEqual(defectsOf(cause), ["finalizer died"])
          const taskCause = causeOf(yield* Effect.exit((yield* Deferred.await(handle)).await))
          assert.deepStrictEqual(defectsOf(taskCause), ["finalizer died"])
        })
    )

    it.effect("keeps a task's failure in its handle and leaves its siblings running", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          TaskGroup.run(
            (group) =>
              Effect.all([
                group.spawn(Effect.andThen(Effect.sleep("1 second"), Effect.fail("boom"))),
                group.spawn(Effect.as(Effect.sleep("2 seconds"), "fine"))
              ]),
            { mode: "settle" }
          )
        )
        yield* settle
        yield* TestClock.adjust("1 second")
        yield* settle
        assert.isUndefined(fiber.pollUnsafe(), "the failure ended the settle group early")
        yield* TestClock.adjust("1 second")
        const [failed, fine] = yield* Fiber.join(fiber)
        assert.deepStrictEqual(yield* Effect.flip(failed.value), "boom")
        assert.strictEqual(yield* fine.value, "fine")
      })
    )

    it.effect("keeps a task's defect in its handle", () =>
      Effect.gen(function* () {
        const handle = yield* TaskGroup.run((group) => group.spawn(Effect.die("kaput")), { mode: "settle" })
        const exit = yield* Effect.exit(handle.value)
        assert.deepStrictEqual(defectsOf(causeOf(exit)), ["kaput"])
      })
    )

    it.effect("still cancels every task when the body fails", () =>
      Effect.gen(function* () {
        let finalized = 0
        const exit = yield* Effect.exit(
          TaskGroup.run(
            (group) =>
              Effect.gen(function* () {
                yield* group.spawn(Effect.never.pipe(Effect.ensuring(Effect.sync(() => finalized++))))
                yield* group.spawn(Effect.never.pipe(Effect.ensuring(Effect.sync(() => finalized++))))
                yield* Effect.yieldNow
                return yield* Effect.fail("body failed")
              }),
            { mode: "settle" }
          )
        )
        assert.deepStrictEqual(failuresOf(causeOf(exit)), ["body failed"])
        assert.strictEqual(finalized, 2)
      })
    )

    it.effect("still stops for an interruption from outside", () =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(TaskGroup.run((group) => group.spawn(Effect.never), { mode: "settle" }))
        yield* settle
        yield* Fiber.interrupt(fiber)
        assert.isTrue(isInterruptedOnly(yield* Fiber.await(fiber)))
      })
    )
  })

  describe("concurrency", () => {
    it.effect("never runs more than `concurrency` tasks at once", () =>
      Effect.gen(function* () {
        const running = yield* Ref.make(0)
        const most = yield* Ref.make(0)
        const task = Effect.gen(function* () {
          const now = yield* Ref.updateAndGet(running, (n) => n + 1)
          yield* Ref.update(most, (m) => Math.max(m, now))
          yield* Effect.sleep("1 second")
          yield* Ref.update(running, (n) => n - 1)
        })
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) => Effect.forEach(Array.from({ length: 6 }), () => group.spawn(task)), {
            concurrency: 2
          })
        )
        for (let second = 1; second <= 3; second++) {
          yield* settle
          assert.strictEqual(yield* Ref.get(running), 2, `at second ${second}`)
          assert.isUndefined(fiber.pollUnsafe())
          yield* TestClock.adjust("1 second")
        }
        yield* Fiber.join(fiber)
        assert.strictEqual(yield* Ref.get(most), 2)
      })
    )

    it.effect("starts queued tasks in spawn order", () =>
      Effect.gen(function* () {
        const started: Array<number> = []
        const task = (i: number) =>
          Effect.andThen(
            Effect.sync(() => started.push(i)),
            Effect.sleep("1 second")
          )
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) => Effect.forEach([0, 1, 2, 3, 4], (i) => group.soonify(task)(i)), {
            concurrency: 1
          })
        )
        for (let i = 0; i < 5; i++) {
          yield* settle
          yield* TestClock.adjust("1 second")
        }
        yield* Fiber.join(fiber)
        assert.deepStrictEqual(started, [0, 1, 2, 3, 4])
      })
    )

    it.effect("never starts a queued task once the group has failed; it ends interrupted", () =>
      Effect.gen(function* () {
        let queuedRan = false
        const fiber = yield* Effect.forkChild(
          TaskGroup.run(
            (group) =>
              Effect.gen(function* () {
                yield* group.spawn(Effect.andThen(Effect.sleep("1 second"), Effect.fail("boom")))
                yield* group.spawn(Effect.sync(() => (queuedRan = true)))
                yield* group.spawn(Effect.sync(() => (queuedRan = true)))
              }),
            { concurrency: 1 }
          )
        )
        yield* settle
        yield* TestClock.adjust("1 second")
        assert.deepStrictEqual(failuresOf(causeOf(yield* Fiber.await(fiber))), ["boom"])
        assert.isFalse(queuedRan, "a queued task started after the group failed")
      })
    )

    it.effect("ends the handles of queued tasks interrupted when the group fails", () =>
      Effect.gen(function* () {
        const queued = yield* Deferred.make<AnySoonValue>()
        yield* Effect.exit(
          TaskGroup.run(
            (group) =>
              Effect.gen(function* () {
                yield* group.spawn(Effect.andThen(Effect.yieldNow, Effect.fail("boom")))
                yield* Deferred.succeed(queued, yield* group.spawn(Effect.void))
              }),
            { concurrency: 1 }
          )
        )
        const handle = yield* Deferred.await(queued)
        assert.isTrue(handle.ready)
        assert.isTrue(isInterruptedOnly(yield* Effect.exit(handle.value)))
      })
    )

    it.effect("lets the next queued task start when a running one is cancelled", () =>
      Effect.gen(function* () {
        const values = yield* TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              const first = yield* group.spawn(Effect.never)
              const second = yield* group.spawn(Effect.succeed("second"))
              yield* Effect.yieldNow
              yield* first.cancel
              return yield* second.await
            }),
          { concurrency: 1 }
        )
        assert.strictEqual(values, "second")
      })
    )

    it.effect("a queued task cancelled before its turn gives the turn up: the others still run", () =>
      Effect.gen(function* () {
        const values = yield* TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              const first = yield* group.spawn(Effect.as(Effect.sleep("1 second"), "first"))
              const skipped = yield* group.spawn(Effect.succeed("skipped"))
              const next = yield* group.spawn(Effect.succeed("next"))
              yield* Effect.yieldNow
              yield* skipped.cancel
              assert.isTrue(isInterruptedOnly(yield* Effect.exit(skipped.await)))
              yield* TestClock.adjust("1 second")
              // Every start queued has ended or given its turn up: a newcomer finds a permit free.
              const late = yield* group.spawn(Effect.succeed("late"))
              return [yield* first.await, yield* next.await, yield* late.await]
            }),
          { concurrency: 1 }
        )
        assert.deepStrictEqual(values, ["first", "next", "late"])
      })
    )

    it.effect('accepts "unbounded"', () =>
      Effect.gen(function* () {
        const running = yield* Ref.make(0)
        const fiber = yield* Effect.forkChild(
          TaskGroup.run(
            (group) =>
              Effect.forEach(Array.from({ length: 50 }), () =>
                group.spawn(
                  Effect.andThen(
                    Ref.update(running, (n) => n + 1),
                    Effect.sleep("1 second")
                  )
                )
              ),
            { concurrency: "unbounded" }
          )
        )
        yield* settle
        assert.strictEqual(yield* Ref.get(running), 50)
        yield* TestClock.adjust("1 second")
        yield* Fiber.join(fiber)
      })
    )
  })

  describe("spawning into an ended group", () => {
    it.effect("dies with TaskGroupClosed naming the group and the task", () =>
      Effect.gen(function* () {
        const group = yield* TaskGroup.run((group) => Effect.succeed(group), { name: "workers" })
        let ran = false
        const exit = yield* Effect.exit(
          group.spawn(
            Effect.sync(() => (ran = true)),
            { name: "late-job" }
          )
        )
        const [defect] = defectsOf(causeOf(exit))
        assert.instanceOf(defect, TaskGroupClosed)
        assert.isTrue(isTaskGroupClosed(defect))
        const closed = defect as TaskGroupClosed
        assert.strictEqual(closed._tag, "TaskGroupClosed")
        assert.strictEqual(closed.group, "workers")
        assert.strictEqual(closed.task, "late-job")
        assert.include(closed.message, '"workers"')
        assert.include(closed.message, '"late-job"')
        assert.include(closed.message, "has ended")
        yield* settle
        assert.isFalse(ran, "the refused task ran")
      })
    )

    it.effect("refuses soonify and start alike, naming the function", () =>
      Effect.gen(function* () {
        const group = yield* TaskGroup.run((group) => Effect.succeed(group))
        const fetchPage = (n: number) => Effect.succeed(n)
        const soonified = yield* Effect.exit(group.soonify(fetchPage)(1))
        const started = yield* Effect.exit(group.start((started: TaskGroup.Started<void>) => started()))
        const unnamed = yield* Effect.exit(group.spawn(Effect.void))
        const [a] = defectsOf(causeOf(soonified))
        const [b] = defectsOf(causeOf(started))
        const [c] = defectsOf(causeOf(unnamed))
        assert.instanceOf(a, TaskGroupClosed)
        assert.instanceOf(b, TaskGroupClosed)
        assert.instanceOf(c, TaskGroupClosed)
        assert.strictEqual((a as TaskGroupClosed).task, "fetchPage")
        assert.strictEqual((a as TaskGroupClosed).group, "TaskGroup")
        assert.match((c as TaskGroupClosed).task, /^task-\d+$/)
      })
    )

    it.effect("refuses a spawn into a group that ended with a failure", () =>
      Effect.gen(function* () {
        let escaped: TaskGroup.TaskGroup | undefined
        const failed = yield* Effect.exit(
          TaskGroup.run((group) => {
            escaped = group
            return Effect.andThen(group.spawn(Effect.fail("boom")), Effect.never)
          })
        )
        assert.deepStrictEqual(failuresOf(causeOf(failed)), ["boom"])
        assert.isDefined(escaped)
        const exit = yield* Effect.exit(escaped!.spawn(Effect.void))
        assert.instanceOf(defectsOf(causeOf(exit))[0], TaskGroupClosed)
      })
    )

    it.effect("gives a handle that ends interrupted, and never runs its task, while shutting down", () =>
      Effect.gen(function* () {
        let ran = false
        const late = yield* Deferred.make<AnySoonValue>()
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.spawn(
                Effect.never.pipe(
                  Effect.onInterrupt(() =>
                    // The group is shutting down: this spawn must not run its task.
                    Effect.flatMap(group.spawn(Effect.sync(() => (ran = true))), (handle) =>
                      Deferred.succeed(late, handle)
                    )
                  )
                )
              )
              yield* Effect.yieldNow
              yield* group.spawn(Effect.fail("boom"))
            })
          )
        )
        assert.deepStrictEqual(failuresOf(causeOf(exit)), ["boom"])
        const handle = yield* Deferred.await(late)
        assert.isTrue(handle.ready)
        assert.isTrue(isInterruptedOnly(yield* Effect.exit(handle.value)))
        yield* settle
        assert.isFalse(ran, "a task spawned during shutdown ran")
      })
    )

    it.effect("gives an interrupted handle to a spawn made while the group is interrupted from outside", () =>
      Effect.gen(function* () {
        let ran = false
        const late = yield* Deferred.make<AnySoonValue>()
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) =>
            Effect.never.pipe(
              Effect.onInterrupt(() =>
                Effect.flatMap(group.spawn(Effect.sync(() => (ran = true))), (handle) => Deferred.succeed(late, handle))
              )
            )
          )
        )
        yield* settle
        yield* Fiber.interrupt(fiber)
        const handle = yield* Deferred.await(late)
        assert.isTrue(handle.ready)
        assert.isTrue(isInterruptedOnly(yield* Effect.exit(handle.value)))
        yield* settle
        assert.isFalse(ran)
        assert.isTrue(isInterruptedOnly(yield* Fiber.await(fiber)))
      })
    )
  })

  describe("names", () => {
    it.effect("names a task by its option, its function's name, or task-N", () =>
      Effect.gen(function* () {
        function fetchUser(id: number) {
          return Effect.succeed(id)
        }
        const names = yield* TaskGroup.run((group) =>
          Effect.gen(function* () {
            const given = yield* group.spawn(Effect.void, { name: "given" })
            const fromFunction = yield* group.soonify(fetchUser)(1)
            const overridden = yield* group.soonify(fetchUser, { name: "user-2" })(2)
            const anonymous = yield* group.soonify((n: number) => Effect.succeed(n))(3)
            const first = yield* group.spawn(Effect.void)
            const second = yield* group.spawn(Effect.void)
            return [given, fromFunction, overridden, anonymous, first, second].map((h) => h.name)
          })
        )
        assert.deepStrictEqual(names.slice(0, 3), ["given", "fetchUser", "user-2"])
        assert.deepStrictEqual(names.slice(3), ["task-1", "task-2", "task-3"])
      })
    )

    it.effect("names the group by its option, or TaskGroup", () =>
      Effect.gen(function* () {
        const named = yield* TaskGroup.run((group) => Effect.succeed(group.name), { name: "crawler" })
        const unnamed = yield* TaskGroup.run((group) => Effect.succeed(group.name))
        assert.deepStrictEqual([named, unnamed], ["crawler", "TaskGroup"])
      })
    )

    it.effect("recognises a group with isTaskGroup", () =>
      Effect.gen(function* () {
        assert.isTrue(yield* TaskGroup.run((group) => Effect.succeed(TaskGroup.isTaskGroup(group))))
        assert.isFalse(TaskGroup.isTaskGroup({ name: "TaskGroup" }))
      })
    )
  })

  describe("bad input", () => {
    for (const concurrency of [0, -1, 1.5, Number.NaN, "x"]) {
      it.effect(`dies at once with IllegalArgumentError for concurrency ${String(concurrency)}`, () =>
        Effect.gen(function* () {
          let bodyRan = false
          const exit = yield* Effect.exit(
            TaskGroup.run(() => Effect.sync(() => (bodyRan = true)), { concurrency: concurrency as number })
          )
          const [defect] = defectsOf(causeOf(exit))
          assert.isTrue(Cause.isIllegalArgumentError(defect), `got ${String(defect)}`)
          const message = (defect as Error).message
          assert.include(message, "concurrency")
          assert.include(message, String(concurrency))
          assert.isFalse(bodyRan, "the body ran despite a bad option")
        })
      )
    }

    it.effect("dies with IllegalArgumentError for an unknown mode", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(TaskGroup.run(() => Effect.void, { mode: "yolo" as "settle" }))
        const [defect] = defectsOf(causeOf(exit))
        assert.isTrue(Cause.isIllegalArgumentError(defect))
        assert.include((defect as Error).message, "mode")
        assert.include((defect as Error).message, "yolo")
      })
    )

    it.effect("dies with IllegalArgumentError for a body that is not a function", () =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(TaskGroup.run<void, never, never>("body" as never))
        const [defect] = defectsOf(causeOf(exit))
        assert.isTrue(Cause.isIllegalArgumentError(defect))
        assert.include((defect as Error).message, "body")
      })
    )

    it.effect("throws an IllegalArgumentError at once when soonify is given a non-function", () =>
      Effect.gen(function* () {
        const thrown = yield* TaskGroup.run((group) =>
          Effect.sync(() => {
            try {
              group.soonify(42 as never)
              return undefined
            } catch (error) {
              return error
            }
          })
        )
        assert.isTrue(Cause.isIllegalArgumentError(thrown))
        assert.include((thrown as Error).message, "soonify")
        assert.include((thrown as Error).message, "42")
      })
    )

    it.effect("dies with a clear TypeError when a soonified function returns something else than an Effect", () =>
      Effect.gen(function* () {
        const fetchJson = async (url: string) => url
        const exit = yield* Effect.exit(
          TaskGroup.run((group) => group.soonify(fetchJson as unknown as (url: string) => Effect.Effect<string>)("/"))
        )
        const [defect] = defectsOf(causeOf(exit))
        assert.instanceOf(defect, TypeError)
        const message = (defect as TypeError).message
        assert.include(message, "fetchJson")
        assert.include(message, "not an Effect")
      })
    )
  })
})

describe("concurrency, turns", () => {
  /** A task that records its start in `log` and ends when `end` is called. */
  const external = (log: Array<string>, name: string) => {
    const done = Deferred.makeUnsafe<void>()
    const start = Effect.suspend(() => {
      log.push(name)
      return Deferred.await(done)
    })
    return { start, end: () => Deferred.doneUnsafe(done, Exit.void) }
  }

  it.effect("a permit given back goes to the task that waited, not to one spawned before it is handed on", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ concurrency: 1 })
      const log: Array<string> = []
      const [a, b, c] = [external(log, "a"), external(log, "b"), external(log, "c")]
      TaskGroup.spawnUnsafe(group, a.start)
      TaskGroup.spawnUnsafe(group, b.start)
      a.end()
      TaskGroup.spawnUnsafe(group, c.start)
      yield* settle
      assert.deepStrictEqual(log, ["a", "b"], "c jumped the queue")
      b.end()
      yield* settle
      assert.deepStrictEqual(log, ["a", "b", "c"])
      c.end()
      yield* TaskGroup.join(group)
    })
  )

  it.effect("a task cancelled before its soon start gives back no permit it never took", () =>
    Effect.gen(function* () {
      const log: Array<string> = []
      yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            const gate = yield* Deferred.make<void>()
            yield* group.spawn(
              Effect.andThen(
                Effect.sync(() => log.push("a")),
                Deferred.await(gate)
              )
            )
            yield* settle
            const b = yield* group.spawn(Effect.sync(() => log.push("b")))
            yield* b.cancel
            yield* group.spawn(Effect.sync(() => log.push("c")))
            yield* settle
            assert.deepStrictEqual(log, ["a"], "c ran beside a, past the limit of one")
            yield* Deferred.succeed(gate, undefined)
          }),
        { concurrency: 1 }
      )
      assert.deepStrictEqual(log, ["a", "c"])
    })
  )
})
