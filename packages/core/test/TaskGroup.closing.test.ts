// What a group does while it shuts down and once it has ended: who its interruptions come
// from, which spawns still run, and how an external task that was asked to stop ends.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import { isTaskGroupClosed, SoonValue, TaskGroup } from "@soonify/core"
import { defectOf, plain, settle, thrown } from "./support.ts"

describe("a group that is shutting down", () => {
  it.effect("never runs a task spawned with spawnUnsafe, and still waits for the tasks that are stopping", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const stopped = yield* Deferred.make<void>()
      // A task whose finalizer takes a while: the group stays shutting down until it ends.
      TaskGroup.spawnUnsafe(
        group,
        Effect.onInterrupt(Effect.never, () => Deferred.await(stopped))
      )
      TaskGroup.cancelUnsafe(group)
      let ran = false
      // From outside (this fiber is not the group's): refused, with what closed the group.
      const refused = (() => {
        try {
          TaskGroup.spawnUnsafe(
            group,
            Effect.sync(() => (ran = true))
          )
        } catch (error) {
          return error
        }
      })()
      assert.isTrue(isTaskGroupClosed(refused) && !refused.ended && Cause.hasInterruptsOnly(refused.cause!))
      assert.isFalse(ran, "a task spawned into a group that is shutting down never runs")
      const joined = yield* Effect.forkChild(TaskGroup.join(group).pipe(Effect.exit))
      yield* settle
      assert.isUndefined(joined.pollUnsafe(), "the group has not ended while a task is still stopping")
      yield* Deferred.succeed(stopped, undefined)
      const exit = yield* Fiber.join(joined)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
    })
  )
})

describe("a fiber woken by a task's first steps", () => {
  it.effect("spawns as from inside the group: into a group shutting down, its task ends cancelled, not refused", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "waking" })
      const wake = Deferred.makeUnsafe<void>()
      // A fiber of nobody's group, waiting to spawn into the group.
      const outsider = yield* Effect.forkChild(
        Effect.andThen(Deferred.await(wake), Effect.exit(group.spawn(Effect.void, { name: "woken" })))
      )
      yield* settle
      // A task whose first steps shut its group down, then wake the outsider, which runs on at once, on this stack.
      TaskGroup.spawnUnsafe(
        group,
        Effect.sync(() => {
          TaskGroup.cancelUnsafe(group)
          Deferred.doneUnsafe(wake, Exit.void)
        })
      )
      const spawned = yield* Fiber.join(outsider)
      assert.isTrue(Exit.isSuccess(spawned), "not refused")
      const handle = (spawned as Exit.Success<SoonValue.SoonValue<void>>).value
      assert.isTrue(Exit.isFailure(yield* Effect.exit(handle.await)), "ended cancelled")
      yield* Effect.exit(TaskGroup.join(group))
    })
  )
})

describe("a fiber forked by a group's body", () => {
  it.effect("spawns as from inside the group: while the group shuts down, its task ends cancelled, not refused", () =>
    Effect.gen(function* () {
      let spawned: Exit.Exit<unknown> | undefined
      yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            // Its finalizer spawns into the group as the shutdown interrupts it.
            yield* Effect.forkChild(
              Effect.onInterrupt(Effect.never, () =>
                Effect.flatMap(Effect.exit(group.spawn(Effect.void)), (exit) => Effect.sync(() => (spawned = exit)))
              )
            )
            yield* settle
            // A task's failure shuts the group down: the body is interrupted, and the fiber it forked with it.
            yield* group.spawn(Effect.fail("stop"))
            return yield* Effect.never
          })
        )
      )
      assert.isTrue(spawned !== undefined && Exit.isSuccess(spawned), "not refused")
    })
  )
})

describe("a group's interruptions", () => {
  it.effect("come from the fiber that opened the group, when it stops a task after a failure", () =>
    Effect.gen(function* () {
      const opener = yield* Effect.fiberId
      let stopped: SoonValue.SoonValue<never> | undefined
      const exit = yield* Effect.exit(
        TaskGroup.run((g) =>
          Effect.gen(function* () {
            stopped = yield* g.spawn(Effect.never)
            yield* settle
            yield* g.spawn(Effect.fail("boom"))
          })
        )
      )
      assert.deepStrictEqual(plain(exit), Exit.fail("boom"))
      const stoppedExit = SoonValue.pollUnsafe(stopped!)
      assert.isTrue(stoppedExit !== undefined && Exit.isFailure(stoppedExit))
      assert.deepStrictEqual(
        [...Cause.interruptors((stoppedExit as Exit.Failure<never, never>).cause)],
        [opener],
        "the task is interrupted by the group's opener"
      )
    })
  )
})

describe("a soonify'd function and a closed group", () => {
  it.effect(
    "is called at once, by the caller, but what it builds never runs: the spawn dies with TaskGroupClosed",
    () =>
      Effect.gen(function* () {
        let group: TaskGroup.TaskGroup | undefined
        yield* TaskGroup.run((g) =>
          Effect.sync(() => {
            group = g
          })
        )
        let calls = 0
        let ran = 0
        const task = group!.soonify((n: number) => {
          calls++
          return Effect.sync(() => ++ran + n)
        })
        const spawn = task(1)
        // called when the soonify'd function is, not when its spawn runs (DESIGN §2)
        assert.strictEqual(calls, 1)
        const exit = yield* Effect.exit(spawn)
        assert.isTrue(isTaskGroupClosed(defectOf(exit)))
        assert.deepStrictEqual([calls, ran], [1, 0])
      })
  )

  it.effect("a group that ended without failing gives a TaskGroupClosed with no cause at all", () =>
    Effect.gen(function* () {
      const group = yield* TaskGroup.run((g) => Effect.succeed(g))
      for (const spawn of [group.spawn(Effect.void), group.soonify(() => Effect.void)()]) {
        const closed = defectOf(yield* Effect.exit(spawn)) as object
        assert.isTrue(isTaskGroupClosed(closed))
        assert.isFalse("cause" in closed)
      }
    })
  )
})

describe("a settle group, and one task cancelled alone whose finalizer fails", () => {
  it.effect("keeps the finalizer's failure in the task's handle: the group is not failed", () =>
    Effect.gen(function* () {
      let cancelled: SoonValue.SoonValue<never> | undefined
      const value = yield* TaskGroup.run(
        (g) =>
          Effect.gen(function* () {
            cancelled = yield* g.spawn(Effect.onInterrupt(Effect.never, () => Effect.die("finalizer")))
            yield* settle
            yield* cancelled.cancel
            return "body"
          }),
        { mode: "settle" }
      )
      assert.strictEqual(value, "body")
      const exit = SoonValue.pollUnsafe(cancelled!)
      assert.isTrue(exit !== undefined && Exit.isFailure(exit))
      const cause = (exit as Exit.Failure<never, never>).cause
      assert.isTrue(Cause.hasInterrupts(cause))
      assert.deepStrictEqual(
        cause.reasons.filter(Cause.isDieReason).map((r) => r.defect),
        ["finalizer"]
      )
    })
  )
})

describe("a task waiting for a concurrency slot", () => {
  it.effect("cancelled while it waits, gives its turn up: the slot goes to the next waiting task", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const outcome = yield* TaskGroup.run(
        (g) =>
          Effect.gen(function* () {
            const running = yield* g.spawn(Deferred.await(gate))
            const waiting = yield* g.spawn(Effect.succeed("cancelled one"))
            const next = yield* g.spawn(Effect.succeed("next"))
            yield* settle
            yield* waiting.cancel
            yield* Deferred.succeed(gate, undefined)
            yield* running.await
            yield* settle
            return { waiting: SoonValue.pollUnsafe(waiting), next: SoonValue.pollUnsafe(next) }
          }),
        { concurrency: 1 }
      )
      assert.isTrue(outcome.waiting !== undefined && Exit.isFailure(outcome.waiting))
      assert.deepStrictEqual(outcome.next, Exit.succeed("next"))
    })
  )
})

describe("a body whose own first steps cancel its group", () => {
  it.effect("is interrupted all the same, and the group ends interrupted", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        TaskGroup.run((g) =>
          Effect.suspend(() => {
            TaskGroup.cancelUnsafe(g)
            return Effect.never
          })
        )
      )
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), String(exit))
    })
  )
})

describe("who a cancel's interruption comes from", () => {
  it.effect("a task cancelled before it starts is interrupted by the fiber that cancelled it", () =>
    Effect.gen(function* () {
      const [canceller, exit] = yield* TaskGroup.run((g) =>
        Effect.gen(function* () {
          // Spawned soon: it starts once this fiber yields, so the cancel finds it queued.
          const queued = yield* g.spawn(Effect.void)
          yield* queued.cancel
          return [yield* Effect.fiberId, SoonValue.pollUnsafe(queued)] as const
        })
      )
      assert.isTrue(exit !== undefined && Exit.isFailure(exit), String(exit))
      assert.deepStrictEqual([...Cause.interruptors((exit as Exit.Failure<void, never>).cause)], [canceller])
    })
  )

  it.effect("a group cancelled with TaskGroup.cancel ends interrupted by the fiber that cancelled it", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      TaskGroup.spawnUnsafe(group, Effect.never)
      const canceller = yield* Effect.forkChild(Effect.andThen(TaskGroup.cancel(group), Effect.fiberId))
      const cancellerId = yield* Fiber.join(canceller)
      const exit = yield* Effect.exit(TaskGroup.join(group))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), String(exit))
      assert.deepStrictEqual([...Cause.interruptors((exit as Exit.Failure<void, never>).cause)], [cancellerId])
    })
  )
})

describe("a cancel from outside the group", () => {
  it.effect("TaskGroup.cancel waits until every task has stopped", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const stopped = yield* Deferred.make<void>()
      TaskGroup.spawnUnsafe(
        group,
        Effect.onInterrupt(Effect.never, () => Deferred.await(stopped))
      )
      const cancelling = yield* Effect.forkChild(TaskGroup.cancel(group))
      yield* settle
      assert.isUndefined(cancelling.pollUnsafe(), "the cancel returned while a task was still stopping")
      yield* Deferred.succeed(stopped, undefined)
      yield* Fiber.join(cancelling)
    })
  )

  it.effect("TaskGroup.cancelUnsafe of a run block: the block returns only once its body has stopped", () =>
    Effect.gen(function* () {
      const stopped = yield* Deferred.make<void>()
      const opened = yield* Deferred.make<TaskGroup.TaskGroup>()
      const running = yield* Effect.forkChild(
        Effect.exit(
          TaskGroup.run((g) =>
            Effect.andThen(
              Deferred.succeed(opened, g),
              Effect.onInterrupt(Effect.never, () => Deferred.await(stopped))
            )
          )
        )
      )
      TaskGroup.cancelUnsafe(yield* Deferred.await(opened))
      yield* settle
      assert.isUndefined(running.pollUnsafe(), "the block returned while its body was still stopping")
      yield* Deferred.succeed(stopped, undefined)
      const exit = yield* Fiber.join(running)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), String(exit))
    })
  )
})

describe("a task spawned soon by a body that fails before it yields", () => {
  it.effect("never runs", () =>
    Effect.gen(function* () {
      let ran = false
      const exit = yield* Effect.exit(
        TaskGroup.run((group) => Effect.andThen(group.spawn(Effect.sync(() => (ran = true))), Effect.fail("boom")))
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.isFalse(ran, "a task queued to start soon ran after its group began shutting down")
    })
  )
})

describe("a spawn from outside into a group that is shutting down", () => {
  it.effect("dies with TaskGroupClosed, not ended, while the group waits for a task that is stopping", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "closing" })
      const finish = Deferred.makeUnsafe<void>()
      // A task that ignores its interruption until `finish` keeps the group shutting down.
      TaskGroup.spawnUnsafe(group, Effect.uninterruptible(Deferred.await(finish)))
      TaskGroup.cancelUnsafe(group)
      const exit = yield* Effect.exit(group.spawn(Effect.succeed(1)))
      const defect = defectOf(exit)
      assert.isTrue(isTaskGroupClosed(defect))
      assert.isFalse((defect as { ended: boolean }).ended)
      Deferred.doneUnsafe(finish, Exit.void)
      yield* Effect.exit(TaskGroup.join(group))
    })
  )
})

describe("spawnUnsafe from code outside any fiber into a group that is shutting down", () => {
  it("throws TaskGroupClosed, not ended: such code is outside the group", async () => {
    const group = TaskGroup.makeUnsafe({ name: "closing" })
    const finish = Deferred.makeUnsafe<void>()
    // A task that ignores its interruption until `finish` keeps the group shutting down.
    TaskGroup.spawnUnsafe(group, Effect.uninterruptible(Deferred.await(finish)))
    TaskGroup.cancelUnsafe(group)
    const refused = thrown(() => TaskGroup.spawnUnsafe(group, Effect.void))
    assert.isTrue(isTaskGroupClosed(refused))
    assert.isFalse((refused as { ended: boolean }).ended)
    Deferred.doneUnsafe(finish, Exit.void)
    await Effect.runPromiseExit(TaskGroup.join(group))
  })
})
