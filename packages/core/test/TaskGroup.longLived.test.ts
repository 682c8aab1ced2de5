// DESIGN §3 "Long-lived groups lose nothing": a group that is no longer open refuses
// spawns from outside it with what closed it, `onTaskError` sees every failure of a
// settle group as it happens.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Logger, Scope } from "effect"
import { TestClock } from "effect/testing"
import { isTaskGroupClosed, SoonValue, TaskGroup, TaskGroupClosed, type TaskGroupTimeout } from "@soonify/core"
import { defectOf, defectsOf, failuresOf, isInterruptedOnly, settle } from "./support.ts"

/** The TaskGroupClosed an exit died with; fails the test for anything else. */
const closedOf = (exit: Exit.Exit<unknown, unknown>): TaskGroupClosed => {
  const defect = defectOf(exit)
  assert.isTrue(isTaskGroupClosed(defect), `expected TaskGroupClosed, got ${String(defect)}`)
  return defect as TaskGroupClosed
}

/** Collects the logs of an effect run with it provided. */
const collectLogs = () => {
  const logs: Array<{ level: string; message: unknown; cause: Cause.Cause<unknown> }> = []
  const layer = Logger.layer([
    Logger.make((options) => logs.push({ level: options.logLevel, message: options.message, cause: options.cause }))
  ])
  return { logs, layer }
}

describe("spawning into a group that is no longer open, from outside", () => {
  it.effect("a failFast make group that failed: spawn, soonify and start die with the failure as the cause", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const bg = yield* Scope.provide(TaskGroup.make<string>({ name: "background" }), scope)
      yield* bg.spawn(Effect.fail("one job failed"))
      yield* settle
      const spawned = closedOf(yield* Effect.exit(bg.spawn(Effect.succeed("later"), { name: "later" })))
      assert.deepStrictEqual([spawned.group, spawned.task, spawned.ended], ["background", "later", false])
      assert.deepStrictEqual(failuresOf(spawned.cause!), ["one job failed"])
      assert.include(spawned.message, 'task group "background": the group is shutting down after a failure')
      assert.include(spawned.message, "one job failed")
      let called = false
      const later = (x: string) =>
        Effect.sync(() => {
          called = true
          return x
        })
      const soonified = closedOf(yield* Effect.exit(bg.soonify(later)("x")))
      assert.strictEqual(soonified.task, "later")
      assert.isFalse(called, "soonify called the function into a closed group")
      const started = closedOf(yield* Effect.exit(bg.start((ready: TaskGroup.Started<void>) => ready(undefined))))
      assert.deepStrictEqual(failuresOf(started.cause!), ["one job failed"])
      yield* Effect.exit(Scope.close(scope, Exit.void))
    })
  )

  it.effect("a cancelled group: the cause is the interruption", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "jobs" })
      const stopping = yield* Deferred.make<void>()
      TaskGroup.spawnUnsafe(
        group,
        Effect.onInterrupt(Effect.never, () => Deferred.await(stopping))
      )
      TaskGroup.cancelUnsafe(group)
      const closed = closedOf(yield* Effect.exit(group.spawn(Effect.void)))
      assert.isTrue(Cause.hasInterruptsOnly(closed.cause!))
      assert.include(closed.message, "shutting down after it was cancelled or interrupted")
      yield* Deferred.succeed(stopping, undefined)
      yield* Effect.exit(TaskGroup.join(group))
    })
  )

  it.effect("a group that timed out: the cause is its TaskGroupTimeout, and the message says so", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const group = yield* Scope.provide(TaskGroup.make<TaskGroupTimeout>({ name: "slow", timeout: "1 second" }), scope)
      const stopping = yield* Deferred.make<void>()
      yield* group.spawn(Effect.onInterrupt(Effect.never, () => Deferred.await(stopping)))
      yield* settle
      yield* TestClock.adjust("1 second")
      const closed = closedOf(yield* Effect.exit(group.spawn(Effect.void)))
      assert.include(closed.message, "shutting down after it timed out after 1s")
      assert.strictEqual(
        (failuresOf(closed.cause!)[0] as { readonly _tag?: string } | undefined)?._tag,
        "TaskGroupTimeout"
      )
      yield* Deferred.succeed(stopping, undefined)
      yield* Effect.exit(Scope.close(scope, Exit.void))
    })
  )

  it.effect("a group that has ended: ended, with its failures as the cause (none if it ended well)", () =>
    Effect.gen(function* () {
      let kept: TaskGroup.TaskGroup | undefined
      yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.andThen(
            group.spawn(Effect.fail("boom")),
            Effect.sync(() => (kept = group))
          )
        )
      )
      const afterFailure = closedOf(yield* Effect.exit(kept!.spawn(Effect.void)))
      assert.isTrue(afterFailure.ended)
      assert.deepStrictEqual(failuresOf(afterFailure.cause!), ["boom"])
      assert.include(afterFailure.message, "the group has ended after a failure (boom)")
      const fine = yield* TaskGroup.run((group) => Effect.succeed(group))
      const afterSuccess = closedOf(yield* Effect.exit(fine.spawn(Effect.void)))
      assert.isTrue(afterSuccess.ended)
      assert.isUndefined(afterSuccess.cause)
    })
  )
})

describe("a make group's scope close, after a spawn was refused", () => {
  it.effect("raises only the failures the refused spawner was not handed", () =>
    Effect.gen(function* () {
      const late = yield* Deferred.make<void>()
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make<string>()
            // Fails while the group shuts down (it cannot be interrupted): after the refusal below.
            yield* group.spawn(Effect.uninterruptible(Effect.andThen(Deferred.await(late), Effect.die("later"))))
            yield* settle
            yield* group.spawn(Effect.fail("first"))
            yield* settle
            const refused = closedOf(yield* Effect.exit(group.spawn(Effect.void)))
            assert.deepStrictEqual(failuresOf(refused.cause!), ["first"])
            yield* Deferred.succeed(late, undefined)
          })
        )
      )
      // "first" was handed to the spawner; "later" nobody saw: the close raises it.
      assert.deepStrictEqual(defectsOf(Exit.isFailure(exit) ? exit.cause : Cause.empty), ["later"])
    })
  )

  it.effect("raises nothing when the spawner was handed every failure", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make<string>()
            yield* group.spawn(Effect.fail("only"))
            yield* settle
            closedOf(yield* Effect.exit(group.spawn(Effect.void)))
          })
        )
      )
      assert.isTrue(Exit.isSuccess(exit))
    })
  )
})

describe("spawning into a group that is shutting down, from inside", () => {
  it.effect(
    "its tasks, fibers they fork (also inside Effect.timeout) and groups they open get handles that end interrupted",
    () =>
      Effect.gen(function* () {
        const handles: Array<SoonValue.SoonValue<void>> = []
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              // Each of these spawns once the group shuts down (from a finalizer: still running).
              const spawnLate = Effect.onInterrupt(Effect.never, () =>
                Effect.flatMap(group.spawn(Effect.void), (h) => Effect.sync(() => handles.push(h)))
              )
              yield* group.spawn(spawnLate, { name: "task" })
              yield* group.spawn(Effect.timeout(spawnLate, "1 hour"), { name: "in a timeout" })
              yield* group.spawn(
                Effect.flatMap(Effect.forkChild(spawnLate), (fiber) => Fiber.join(fiber)),
                { name: "forked" }
              )
              yield* group.spawn(
                TaskGroup.run((inner) => inner.spawn(spawnLate)),
                { name: "nested" }
              )
              yield* settle
              yield* group.spawn(Effect.fail("boom"))
            })
          )
        )
        assert.deepStrictEqual(failuresOf(Exit.isFailure(exit) ? exit.cause : Cause.empty), ["boom"])
        assert.strictEqual(handles.length, 4)
        for (const handle of handles) assert.isTrue(isInterruptedOnly(SoonValue.pollUnsafe(handle)))
      })
  )

  it.effect("the fiber that made a make group is not inside it: a task it spawns is refused", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const group = yield* Scope.provide(TaskGroup.make(), scope)
      const stopping = yield* Deferred.make<void>()
      yield* group.spawn(Effect.onInterrupt(Effect.never, () => Deferred.await(stopping)))
      yield* settle
      yield* Effect.forkChild(TaskGroup.cancel(group))
      yield* settle
      const exit = yield* Effect.exit(group.spawn(Effect.void))
      assert.isTrue(isTaskGroupClosed(defectOf(exit)))
      yield* Deferred.succeed(stopping, undefined)
      yield* Effect.exit(Scope.close(scope, Exit.void))
    })
  )
})

describe("onTaskError", () => {
  it.effect("is called once for each task that fails in a settle group, when it fails, with its cause and handle", () =>
    Effect.gen(function* () {
      const seen: Array<[string, Cause.Cause<unknown>, boolean]> = []
      const release = yield* Deferred.make<void>()
      let calledBeforeEnd = false
      yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            yield* group.spawn(Effect.fail("first"), { name: "a" })
            yield* group.spawn(Effect.succeed(1), { name: "ok" })
            yield* group.spawn(Effect.andThen(Deferred.await(release), Effect.die("second")), { name: "b" })
            const cancelled = yield* group.spawn(Effect.never, { name: "cancelled" })
            yield* settle
            calledBeforeEnd = seen.length === 1
            yield* cancelled.cancel
            yield* Deferred.succeed(release, undefined)
          }),
        {
          mode: "settle",
          onTaskError: (cause, handle) =>
            Effect.gen(function* () {
              // The handle holds the failure already.
              const read = yield* Effect.exit(handle.value)
              seen.push([handle.name, cause, Exit.isFailure(read)])
            })
        }
      )
      assert.isTrue(calledBeforeEnd, "onTaskError is called when the task fails, not when the group ends")
      assert.deepStrictEqual(
        seen.map(([name, , failed]) => [name, failed]),
        [
          ["a", true],
          ["b", true]
        ]
      )
      assert.deepStrictEqual(failuresOf(seen[0][1]), ["first"])
      assert.deepStrictEqual(defectsOf(seen[1][1]), ["second"])
    })
  )

  it.effect("a callback that fails, dies or throws is logged at Error level; the group and its tasks go on", () =>
    Effect.gen(function* () {
      const { logs, layer } = collectLogs()
      const results = yield* TaskGroup.run(
        (group) =>
          Effect.all([
            group.spawn(Effect.fail("one"), { name: "one" }),
            group.spawn(Effect.fail("two"), { name: "two" }),
            group.spawn(Effect.fail("three"), { name: "three" }),
            group.spawn(Effect.andThen(Effect.yieldNow, Effect.succeed("fine")), { name: "fine" })
          ]),
        {
          mode: "settle",
          name: "jobs",
          onTaskError: (_cause, handle) => {
            if (handle.name === "one") return Effect.fail("reporter down")
            if (handle.name === "two") throw new Error("reporter threw")
            return "not an effect" as never
          }
        }
      ).pipe(Effect.provide(layer))
      assert.strictEqual(yield* results[3].value, "fine")
      const errors = logs.filter((log) => log.level === "Error")
      assert.strictEqual(errors.length, 3)
      for (const log of errors) {
        assert.match(
          String((log.message as Array<unknown>)[0]),
          /TaskGroup: onTaskError of group "jobs" failed while reporting the failure of task "(one|two|three)"/
        )
      }
      const byTask = (name: string) =>
        errors.find((log) => String((log.message as Array<unknown>)[0]).includes(`task "${name}"`))!.cause
      // The callback's own failure, with the task's failure: nothing lost.
      assert.deepStrictEqual(failuresOf(byTask("one")), ["reporter down", "one"])
      assert.match(String(defectsOf(byTask("three"))[0]), /must return an Effect, received string "not an effect"/)
      for (const handle of results.slice(0, 3)) yield* Effect.exit(handle.value)
    })
  )

  it.effect(
    "is not called for tasks the group stops (the body failed, or it was interrupted), nor for what the group reports",
    () =>
      Effect.gen(function* () {
        const seen: Array<string> = []
        const onTaskError = (_cause: Cause.Cause<unknown>, handle: SoonValue.SoonValue<unknown, unknown>) =>
          Effect.sync(() => seen.push(handle.name))
        const bodyFailed = yield* Effect.exit(
          TaskGroup.run(
            (group) =>
              Effect.gen(function* () {
                yield* group.spawn(Effect.never, { name: "stopped" })
                // Its finalizer fails while the group stops it: the group reports that.
                yield* group.spawn(
                  Effect.onExit(Effect.never, () => Effect.die("finalizer")),
                  { name: "finalizer" }
                )
                yield* settle
                return yield* Effect.fail("body failed")
              }),
            { mode: "settle", onTaskError }
          )
        )
        assert.deepStrictEqual(failuresOf(Exit.isFailure(bodyFailed) ? bodyFailed.cause : Cause.empty), ["body failed"])
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) => group.spawn(Effect.never, { name: "interrupted" }), { mode: "settle", onTaskError })
        )
        yield* settle
        yield* Fiber.interrupt(fiber)
        assert.deepStrictEqual(seen, [])
      })
  )

  it.effect("the group waits for the callbacks", () =>
    Effect.gen(function* () {
      let reported = false
      yield* TaskGroup.run((group) => group.spawn(Effect.fail("x")), {
        mode: "settle",
        onTaskError: () =>
          Effect.andThen(
            Effect.sleep("1 second"),
            Effect.sync(() => (reported = true))
          )
      }).pipe(
        Effect.forkChild,
        Effect.tap(() => TestClock.adjust("1 second")),
        Effect.flatMap(Fiber.join)
      )
      assert.isTrue(reported)
    })
  )

  it.effect("in failFast mode, says in full what to do instead", () =>
    Effect.gen(function* () {
      const failFast = defectOf(
        yield* Effect.exit(TaskGroup.run(() => Effect.void, { onTaskError: () => Effect.void }))
      )
      assert.strictEqual(
        (failFast as Error).message,
        'TaskGroup.run: option "onTaskError" is for groups in settle mode, and this group is in failFast mode ' +
          '(the default), where a task\'s failure fails the group itself: add mode: "settle", or handle the ' +
          "group's failure instead"
      )
    })
  )

  it.effect("is a bad argument when not a function, or in failFast mode", () =>
    Effect.gen(function* () {
      const notAFunction = defectOf(
        yield* Effect.exit(TaskGroup.run(() => Effect.void, { mode: "settle", onTaskError: 42 as never }))
      )
      assert.match(
        String(notAFunction),
        /TaskGroup\.run: option "onTaskError" must be a function \(cause, handle\) => Effect, received number 42/
      )
      const failFast = defectOf(
        yield* Effect.exit(TaskGroup.run(() => Effect.void, { onTaskError: () => Effect.void }))
      )
      assert.match(
        String(failFast),
        /TaskGroup\.run: option "onTaskError" is for groups in settle mode.*add mode: "settle"/
      )
      assert.throws(
        () => TaskGroup.makeUnsafe({ mode: "failFast", onTaskError: () => Effect.void }),
        /TaskGroup\.makeUnsafe: option "onTaskError"/
      )
    })
  )
})
