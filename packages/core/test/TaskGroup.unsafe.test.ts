import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import { SoonValue, TaskGroup, TaskGroupClosed } from "@soonify/core"
import { causeOf, defectsOf, isInterruptedOnly, plain, settle } from "./support.ts"

const failureOf = (exit: Exit.Exit<unknown, unknown>) => (Exit.isFailure(exit) ? exit.cause : undefined)

describe("TaskGroup.makeUnsafe + spawnUnsafe", () => {
  it("starts a task at once and gives its handle synchronously", async () => {
    const group = TaskGroup.makeUnsafe({ name: "eager" })
    assert.strictEqual(group.name, "eager")
    const done = TaskGroup.spawnUnsafe(group, Effect.succeed(1), { name: "one" })
    assert.isTrue(done.ready)
    assert.strictEqual(done.name, "one")
    const later = TaskGroup.spawnUnsafe(
      group,
      Effect.as(
        Effect.promise(() => Promise.resolve()),
        2
      )
    )
    assert.isFalse(later.ready)
    await Effect.runPromise(TaskGroup.join(group))
    assert.strictEqual(await Effect.runPromise(later.value), 2)
  })

  it("join fails with every failure, fail fast interrupting the rest", async () => {
    const group = TaskGroup.makeUnsafe()
    const forever = TaskGroup.spawnUnsafe(group, Effect.never)
    TaskGroup.spawnUnsafe(group, Effect.fail("boom"))
    const exit = await Effect.runPromiseExit(TaskGroup.join(group))
    assert.deepStrictEqual(plain(exit), Exit.fail("boom"))
    assert.isTrue(forever.ready)
    const foreverExit = await Effect.runPromiseExit(forever.await)
    assert.isTrue(Cause.hasInterruptsOnly(failureOf(foreverExit)!))
  })

  it("settle mode keeps failures in the handles", async () => {
    const group = TaskGroup.makeUnsafe({ mode: "settle" })
    const failed = TaskGroup.spawnUnsafe(group, Effect.fail("kept"))
    const ok = TaskGroup.spawnUnsafe(group, Effect.succeed("fine"))
    await Effect.runPromise(TaskGroup.join(group))
    assert.deepStrictEqual(await Effect.runPromiseExit(failed.value), Exit.fail("kept"))
    assert.strictEqual(await Effect.runPromise(ok.value), "fine")
  })

  it("respects concurrency: queued tasks wait for a slot", async () => {
    const group = TaskGroup.makeUnsafe({ concurrency: 1 })
    let release!: () => void
    const first = TaskGroup.spawnUnsafe(
      group,
      Effect.promise(() => new Promise<void>((resolve) => (release = resolve)))
    )
    let secondRan = false
    const second = TaskGroup.spawnUnsafe(
      group,
      Effect.sync(() => (secondRan = true))
    )
    await new Promise((resolve) => setTimeout(resolve, 1))
    assert.isFalse(secondRan)
    release()
    await Effect.runPromise(TaskGroup.join(group))
    assert.isTrue(first.ready && second.ready && secondRan)
  })

  it("throws TaskGroupClosed into an ended group", async () => {
    const group = TaskGroup.makeUnsafe({ name: "done" })
    await Effect.runPromise(TaskGroup.join(group))
    assert.throws(() => TaskGroup.spawnUnsafe(group, Effect.void, { name: "late" }), TaskGroupClosed)
    try {
      TaskGroup.spawnUnsafe(group, Effect.void, { name: "late" })
    } catch (error) {
      assert.include((error as Error).message, `"late"`)
      assert.include((error as Error).message, `"done"`)
    }
  })

  it("throws at once on bad options or a non-group", () => {
    assert.throws(() => TaskGroup.makeUnsafe({ concurrency: 0 }), /"concurrency".*number 0/)
    assert.throws(() => TaskGroup.makeUnsafe({ mode: "eager" as any }), /"mode"/)
    assert.throws(() => TaskGroup.spawnUnsafe({} as any, Effect.void), /expected a TaskGroup/)
  })
})

describe("TaskGroup.cancel", () => {
  it("cancelUnsafe interrupts every task; join then gives an interruption", async () => {
    const group = TaskGroup.makeUnsafe()
    const a = TaskGroup.spawnUnsafe(group, Effect.never)
    const b = TaskGroup.spawnUnsafe(group, Effect.never)
    TaskGroup.cancelUnsafe(group)
    const exit = await Effect.runPromiseExit(TaskGroup.join(group))
    assert.isTrue(Cause.hasInterruptsOnly(failureOf(exit)!))
    assert.isTrue(a.ready && b.ready)
  })

  it("cancelling an ended group changes nothing", async () => {
    const group = TaskGroup.makeUnsafe()
    TaskGroup.spawnUnsafe(group, Effect.succeed(1))
    await Effect.runPromise(TaskGroup.join(group))
    TaskGroup.cancelUnsafe(group)
    assert.deepStrictEqual(await Effect.runPromiseExit(TaskGroup.join(group)), Exit.void)
  })

  it.effect("cancel interrupts body and tasks of a running group and waits for them", () =>
    Effect.gen(function* () {
      const finalized: Array<string> = []
      let captured: TaskGroup.TaskGroup | undefined
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            captured = group
            yield* group.spawn(Effect.never.pipe(Effect.ensuring(Effect.sync(() => finalized.push("task")))))
            return yield* Effect.never.pipe(Effect.ensuring(Effect.sync(() => finalized.push("body"))))
          })
        )
      )
      yield* Effect.repeat(Effect.yieldNow, { times: 3 })
      yield* TaskGroup.cancel(captured!)
      assert.deepStrictEqual(finalized.toSorted(), ["body", "task"])
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
    })
  )

  it.effect("cancel of a scoped group ends it once its tasks have ended", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const group = yield* TaskGroup.make()
        const soon = yield* group.spawn(Effect.never)
        yield* Effect.yieldNow
        yield* TaskGroup.cancel(group)
        assert.isTrue(soon.ready)
        const exit = yield* Effect.exit(TaskGroup.join(group))
        assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
      })
    )
  )
})

describe("TaskGroup.cancel and a failing finalizer", () => {
  const dyingWhenStopped = Effect.never.pipe(Effect.ensuring(Effect.die("finalizer died")))

  it("cancelUnsafe: join gives the interruption plus the finalizer's failure", async () => {
    const group = TaskGroup.makeUnsafe()
    TaskGroup.spawnUnsafe(group, dyingWhenStopped)
    TaskGroup.cancelUnsafe(group)
    const cause = failureOf(await Effect.runPromiseExit(TaskGroup.join(group)))!
    assert.isTrue(Cause.hasInterrupts(cause), "the interruption was replaced")
    assert.deepStrictEqual(defectsOf(cause), ["finalizer died"])
  })

  it.effect("cancel of a running group: it ends with the interruption plus the finalizer's failure", () =>
    Effect.gen(function* () {
      let captured: TaskGroup.TaskGroup | undefined
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            captured = group
            yield* group.spawn(dyingWhenStopped)
            return yield* Effect.never
          })
        )
      )
      yield* settle
      yield* TaskGroup.cancel(captured!)
      const cause = causeOf(yield* Fiber.await(fiber))
      assert.isTrue(Cause.hasInterrupts(cause), "the interruption was replaced")
      assert.deepStrictEqual(defectsOf(cause), ["finalizer died"])
    })
  )
})

describe("TaskGroup.cancel from inside the group", () => {
  it.effect("from an uninterruptible task: does not wait for the task itself", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const sibling = yield* group.spawn(Effect.never)
            yield* group.spawn(Effect.uninterruptible(TaskGroup.cancel(group)))
            return sibling
          })
        )
      )
      yield* settle
      const exit = fiber.pollUnsafe()
      assert.isDefined(exit, "the cancel waited for its own task")
      assert.isTrue(isInterruptedOnly(exit))
    })
  )

  it.effect("from a task past its first steps, and from the body: neither waits for itself", () =>
    Effect.gen(function* () {
      const fromTask = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          group.spawn(Effect.andThen(Effect.yieldNow, Effect.uninterruptible(TaskGroup.cancel(group))))
        )
      )
      const fromBody = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.uninterruptible(
            Effect.andThen(Effect.andThen(group.spawn(Effect.never), Effect.yieldNow), TaskGroup.cancel(group))
          )
        )
      )
      yield* settle
      assert.isTrue(isInterruptedOnly(fromTask.pollUnsafe()), "a task's cancel waited for itself")
      assert.isTrue(isInterruptedOnly(fromBody.pollUnsafe()), "the body's cancel waited for itself")
    })
  )

  it.effect("from an interruptible task: the task is interrupted at the cancel, as every other task", () =>
    Effect.gen(function* () {
      const after: Array<string> = []
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          group.spawn(
            Effect.andThen(
              TaskGroup.cancel(group),
              Effect.sync(() => after.push("ran on"))
            )
          )
        )
      )
      assert.isTrue(isInterruptedOnly(exit))
      assert.deepStrictEqual(after, [])
    })
  )

  it.effect("interrupts a task whose own first steps cancel the group with cancelUnsafe", () =>
    Effect.gen(function* () {
      let handle: SoonValue.SoonValue<never> | undefined
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            handle = yield* group.spawn(
              Effect.suspend(() => {
                TaskGroup.cancelUnsafe(group)
                return Effect.never
              })
            )
          })
        )
      )
      yield* settle
      assert.isTrue(isInterruptedOnly(fiber.pollUnsafe()), "the group did not end interrupted")
      assert.isTrue(isInterruptedOnly(SoonValue.pollUnsafe(handle!)), "the task was not interrupted")
    })
  )
})

describe("spawnUnsafe while the group shuts down", () => {
  it.effect("gives a handle ended interrupted from inside the group, whose effect never runs", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      // A task that ignores its interruption until `finish` keeps the group shutting down.
      const finished = Deferred.makeUnsafe<void>()
      const finish = (exit: Exit.Exit<void>) => Deferred.doneUnsafe(finished, exit)
      TaskGroup.spawnUnsafe(group, Effect.uninterruptible(Deferred.await(finished)))
      let ran = false
      let late: SoonValue.SoonValue<boolean> | undefined
      // A task that spawns from its own fiber (its finalizer) while the group shuts down: from inside.
      TaskGroup.spawnUnsafe(
        group,
        Effect.onInterrupt(Effect.never, () =>
          Effect.sync(() => {
            late = TaskGroup.spawnUnsafe(
              group,
              Effect.sync(() => (ran = true))
            )
          })
        )
      )
      TaskGroup.cancelUnsafe(group)
      yield* settle
      assert.isTrue(late!.ready)
      assert.isTrue(isInterruptedOnly(SoonValue.pollUnsafe(late!)!))
      assert.isFalse(ran, "the effect of a task spawned into a group shutting down ran")
      finish(Exit.interrupt())
      yield* Effect.exit(TaskGroup.join(group))
      assert.isFalse(ran)
    })
  )

  it.effect("throws TaskGroupClosed from outside, with the cause that closed the group", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "jobs" })
      const finished = Deferred.makeUnsafe<void>()
      const finish = (exit: Exit.Exit<void>) => Deferred.doneUnsafe(finished, exit)
      TaskGroup.spawnUnsafe(group, Effect.uninterruptible(Deferred.await(finished)))
      TaskGroup.spawnUnsafe(group, Effect.fail("one job failed"))
      let ran = false
      const refused = (() => {
        try {
          TaskGroup.spawnUnsafe(
            group,
            Effect.sync(() => (ran = true)),
            { name: "later" }
          )
        } catch (error) {
          return error
        }
      })()
      assert.instanceOf(refused, TaskGroupClosed)
      const closed = refused as TaskGroupClosed
      assert.deepStrictEqual([closed.group, closed.task, closed.ended], ["jobs", "later", false])
      assert.deepStrictEqual(Cause.squash(closed.cause!), "one job failed")
      assert.include(closed.message, "is shutting down after a failure (one job failed)")
      assert.isFalse(ran)
      finish(Exit.interrupt())
      yield* Effect.exit(TaskGroup.join(group))
    })
  )
})
