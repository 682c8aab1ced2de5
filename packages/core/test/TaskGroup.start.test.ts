import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, type Duration, Effect, Exit, Fiber, Scheduler } from "effect"
import { TestClock } from "effect/testing"
import { TaskGroup, TaskGroupClosed } from "@soonify/core"
import { causeOf, defectsOf, failuresOf, settle } from "./support.ts"

/** A server-like task: gets ready after `setup`, reports its port, then serves. */
const server =
  (setup: Duration.Input, serve: Effect.Effect<string>) =>
  (started: TaskGroup.Started<number>): Effect.Effect<string> =>
    Effect.gen(function* () {
      yield* Effect.sleep(setup)
      yield* started(8080)
      return yield* serve
    })

describe("group.start", () => {
  it.effect("returns [value, handle] once started is called, while the task goes on", () =>
    Effect.gen(function* () {
      const stop = yield* Deferred.make<void>()
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const [port, handle] = yield* group.start(server("1 second", Effect.as(Deferred.await(stop), "served")), {
              name: "server"
            })
            const readyAtStart = handle.ready
            yield* Deferred.succeed(stop, undefined)
            return { port, handle, readyAtStart }
          })
        )
      )
      yield* settle
      assert.isUndefined(fiber.pollUnsafe(), "start returned before the task called started")
      yield* TestClock.adjust("1 second")
      const { port, handle, readyAtStart } = yield* Fiber.join(fiber)
      assert.strictEqual(port, 8080)
      assert.isFalse(readyAtStart, "the task had ended when start returned")
      assert.strictEqual(handle.name, "server")
      assert.strictEqual(yield* handle.value, "served")
    })
  )

  it.effect("does not return before started is called", () =>
    Effect.gen(function* () {
      const returned = yield* Deferred.make<number>()
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const [port] = yield* group.start(server("3 seconds", Effect.succeed("done")))
            yield* Deferred.succeed(returned, port)
          })
        )
      )
      yield* settle
      yield* TestClock.adjust("2 seconds")
      yield* settle
      assert.isFalse(yield* Deferred.isDone(returned))
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* Deferred.await(returned), 8080)
      yield* Fiber.join(fiber)
    })
  )

  it.effect("fails with the task's failure when it fails before started; the group still succeeds", () =>
    Effect.gen(function* () {
      const [startExit, handle] = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(
            group.start((_started: TaskGroup.Started<number>) => Effect.fail("port in use"), { name: "server" })
          )
          const sibling = yield* group.spawn(Effect.as(Effect.yieldNow, "sibling"))
          return [exit, sibling] as const
        })
      )
      assert.deepStrictEqual(failuresOf(causeOf(startExit)), ["port in use"])
      assert.strictEqual(yield* handle.value, "sibling", "the failure before started hit a sibling")
    })
  )

  it.effect("fails with a defect when the task ends without calling started; the group still succeeds", () =>
    Effect.gen(function* () {
      const startExit = yield* TaskGroup.run((group) =>
        Effect.exit(group.start((_started: TaskGroup.Started<void>) => Effect.succeed(1), { name: "lazy" }))
      )
      const [defect] = defectsOf(causeOf(startExit))
      assert.instanceOf(defect, Error)
      assert.include((defect as Error).message, '"lazy"')
      assert.include((defect as Error).message, "without calling started")
    })
  )

  it.effect("fails with the interruption when the task is interrupted before started", () =>
    Effect.gen(function* () {
      const startExit = yield* TaskGroup.run((group) =>
        Effect.exit(group.start((_started: TaskGroup.Started<void>) => Effect.interrupt))
      )
      assert.isTrue(Exit.isFailure(startExit) && Cause.hasInterruptsOnly(startExit.cause))
    })
  )

  it.effect("keeps a failure before started out of the group even when the scheduler yields anywhere", () =>
    Effect.gen(function* () {
      // The scheduler makes a fiber yield after so many steps: vary where that falls.
      for (let ops = 3; ops <= 30; ops++) {
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.exit(group.start((_started: TaskGroup.Started<void>) => Effect.fail("early")))
          ).pipe(Effect.provideService(Scheduler.MaxOpsBeforeYield, ops))
        )
        assert.isTrue(Exit.isSuccess(exit), `the group failed with MaxOpsBeforeYield ${ops}: ${String(exit)}`)
        if (Exit.isSuccess(exit)) assert.deepStrictEqual(failuresOf(causeOf(exit.value)), ["early"])
      }
    })
  )

  it.effect("dies when started is called twice, naming the task", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          group.start(
            (started: TaskGroup.Started<number>) =>
              Effect.gen(function* () {
                yield* started(1)
                yield* started(2)
              }),
            { name: "eager" }
          )
        )
      )
      const [defect] = defectsOf(causeOf(exit))
      assert.instanceOf(defect, Error)
      assert.include((defect as Error).message, "twice")
      assert.include((defect as Error).message, '"eager"')
    })
  )

  it.effect("fails the group when the task fails after started", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const [value] = yield* group.start((started: TaskGroup.Started<string>) =>
              Effect.andThen(started("up"), Effect.fail("crashed later"))
            )
            assert.strictEqual(value, "up")
            return yield* Effect.never
          })
        )
      )
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["crashed later"])
    })
  )

  it.effect("keeps a failure after started in the handle in settle mode", () =>
    Effect.gen(function* () {
      const handle = yield* TaskGroup.run(
        (group) =>
          Effect.map(
            group.start((started: TaskGroup.Started<void>) => Effect.andThen(started(), Effect.fail("crashed later"))),
            ([, handle]) => handle
          ),
        { mode: "settle" }
      )
      assert.strictEqual(yield* Effect.flip(handle.value), "crashed later")
    })
  )

  it.effect("cancels the task when the caller of start is interrupted before started", () =>
    Effect.gen(function* () {
      let finalized = false
      const waiting = yield* Deferred.make<void>()
      const value = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const starter = yield* Effect.forkChild(
            group.start(() =>
              Effect.andThen(Deferred.succeed(waiting, undefined), Effect.never).pipe(
                Effect.ensuring(Effect.sync(() => (finalized = true)))
              )
            )
          )
          yield* Deferred.await(waiting)
          yield* Fiber.interrupt(starter)
          return "body done"
        })
      )
      assert.strictEqual(value, "body done")
      assert.isTrue(finalized, "the half-started task was left running")
    })
  )

  it.effect("names the task after the function, like soonify", () =>
    Effect.gen(function* () {
      const listen = (started: TaskGroup.Started<void>) => started()
      const name = yield* TaskGroup.run((group) => Effect.map(group.start(listen), ([, handle]) => handle.name))
      assert.strictEqual(name, "listen")
    })
  )

  it.effect("dies with TaskGroupClosed in an ended group", () =>
    Effect.gen(function* () {
      const group = yield* TaskGroup.run((group) => Effect.succeed(group))
      const exit = yield* Effect.exit(group.start((started: TaskGroup.Started<void>) => started(), { name: "late" }))
      const [defect] = defectsOf(causeOf(exit))
      assert.instanceOf(defect, TaskGroupClosed)
      assert.strictEqual((defect as TaskGroupClosed).task, "late")
    })
  )

  it.effect("fails with an interruption while the group shuts down, and never runs the task", () =>
    Effect.gen(function* () {
      let ran = false
      const startExit = yield* Deferred.make<Exit.Exit<unknown, unknown>>()
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            yield* group.spawn(
              Effect.never.pipe(
                Effect.onInterrupt(() =>
                  Effect.flatMap(
                    Effect.exit(
                      group.start((started: TaskGroup.Started<void>) =>
                        Effect.sync(() => (ran = true)).pipe(Effect.andThen(started()))
                      )
                    ),
                    (exit) => Deferred.succeed(startExit, exit)
                  )
                )
              )
            )
            yield* Effect.yieldNow
            return yield* Effect.fail("boom")
          })
        )
      )
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["boom"])
      const started = yield* Deferred.await(startExit)
      assert.isTrue(Exit.isFailure(started) && Cause.hasInterruptsOnly(started.cause))
      assert.isFalse(ran)
    })
  )
})

describe("group.start, given up before started", () => {
  /** A task that never calls `started` and whose finalizer dies when it is stopped. */
  const dyingWhenStopped = () => Effect.never.pipe(Effect.ensuring(Effect.die("finalizer died")))

  it.effect("keeps the finalizer's failure when the caller of start is interrupted", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const starter = yield* Effect.forkChild(group.start(dyingWhenStopped))
            yield* settle
            yield* Fiber.interrupt(starter)
          })
        )
      )
      assert.deepStrictEqual(defectsOf(causeOf(exit)), ["finalizer died"])
    })
  )

  it.effect("keeps the finalizer's failure when a sibling's failure stops the waiting caller", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            yield* group.spawn(Effect.andThen(Effect.sleep("1 second"), Effect.fail("sibling failed")))
            yield* group.start(dyingWhenStopped)
          })
        )
      )
      yield* settle
      yield* TestClock.adjust("1 second")
      const cause = causeOf(yield* Fiber.await(fiber))
      assert.deepStrictEqual(failuresOf(cause), ["sibling failed"])
      assert.deepStrictEqual(defectsOf(cause), ["finalizer died"])
    })
  )

  it.effect("keeps it in settle mode too: nobody else has the task's handle to read it from", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              const starter = yield* Effect.forkChild(group.start(dyingWhenStopped))
              yield* settle
              yield* Fiber.interrupt(starter)
            }),
          { mode: "settle" }
        )
      )
      const cause = causeOf(exit)
      assert.deepStrictEqual(defectsOf(cause), ["finalizer died"])
      assert.isFalse(Cause.hasInterrupts(cause), "the cancel of the task became a failure of the group")
    })
  )
})
