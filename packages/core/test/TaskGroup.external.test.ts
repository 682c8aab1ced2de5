import { AsyncLocalStorage, createHook } from "node:async_hooks"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber } from "effect"
import { SoonValue, TaskGroup, TaskGroupClosed } from "@soonify/core"
import { plain } from "./support.ts"

/**
 * An external task driven by hand: `finish` ends it; `interruptUnsafe` records the call
 * and, unless `stubborn`, ends it interrupted at once.
 */
const manual = <A, E = never>(options?: { readonly stubborn?: boolean }) => {
  let observer: ((exit: Exit.Exit<A, E>) => void) | undefined
  let exit: Exit.Exit<A, E> | undefined
  const interrupts: Array<number | undefined> = []
  const finish = (end: Exit.Exit<A, E>) => {
    if (exit !== undefined) return
    exit = end
    observer?.(end)
  }
  const task: TaskGroup.ExternalTask<A, E> = {
    addObserver: (f) => (exit === undefined ? void (observer = f) : f(exit)),
    interruptUnsafe: (fiberId) => {
      interrupts.push(fiberId)
      if (options?.stubborn !== true) finish(Exit.interrupt(fiberId))
    }
  }
  return { task, finish, interrupts }
}

const exitOf = <A, E>(soon: SoonValue.SoonValue<A, E>) => SoonValue.pollUnsafe(soon)

describe("TaskGroup.spawnExternalUnsafe", () => {
  it("calls start at once and ends the handle with the task's Exit", async () => {
    const group = TaskGroup.makeUnsafe()
    const { task, finish } = manual<number>()
    let started = false
    const soon = TaskGroup.spawnExternalUnsafe(
      group,
      () => {
        started = true
        return task
      },
      { name: "by hand" }
    )
    assert.isTrue(started)
    assert.strictEqual(soon.name, "by hand")
    assert.isFalse(soon.ready)
    finish(Exit.succeed(1))
    assert.deepStrictEqual(exitOf(soon), Exit.succeed(1))
    assert.deepStrictEqual(await Effect.runPromiseExit(TaskGroup.join(group)), Exit.void)
  })

  it("fails the group with the task's failure, interrupting the others and waiting for them", async () => {
    const group = TaskGroup.makeUnsafe()
    const slow = manual<number, string>({ stubborn: true })
    const failing = manual<number, string>()
    const slowSoon = TaskGroup.spawnExternalUnsafe(group, () => slow.task)
    TaskGroup.spawnExternalUnsafe(group, () => failing.task)
    failing.finish(Exit.fail("boom"))
    assert.strictEqual(slow.interrupts.length, 1)
    const joined = Effect.runPromiseExit(TaskGroup.join(group))
    await new Promise((resolve) => setTimeout(resolve, 5))
    assert.isFalse(slowSoon.ready, "the group waits for a task that has not stopped yet")
    slow.finish(Exit.interrupt(slow.interrupts[0]))
    assert.deepStrictEqual(plain(await joined), Exit.fail("boom"))
  })

  it("reports a failure the task meets while stopping, with the first one", async () => {
    const group = TaskGroup.makeUnsafe()
    const slow = manual<number, string>({ stubborn: true })
    const failing = manual<number, string>()
    TaskGroup.spawnExternalUnsafe(group, () => slow.task)
    TaskGroup.spawnExternalUnsafe(group, () => failing.task)
    failing.finish(Exit.fail("first"))
    slow.finish(Exit.failCause(Cause.fromReasons([Cause.makeInterruptReason(-1), Cause.makeFailReason("second")])))
    const exit = await Effect.runPromiseExit(TaskGroup.join(group))
    assert.deepStrictEqual(
      Exit.isFailure(exit)
        ? exit.cause.reasons.map((reason) => (reason._tag === "Fail" ? reason.error : reason._tag))
        : [],
      ["first", "second"]
    )
  })

  it("interrupts the task when its handle is cancelled, not failing the group", async () => {
    const group = TaskGroup.makeUnsafe()
    const { task, interrupts } = manual<number>()
    const soon = TaskGroup.spawnExternalUnsafe(group, () => task)
    await Effect.runPromise(soon.cancel)
    assert.strictEqual(interrupts.length, 1)
    assert.isTrue(
      Exit.isFailure(exitOf(soon)!) && Cause.hasInterruptsOnly((exitOf(soon) as Exit.Failure<number, never>).cause)
    )
    assert.deepStrictEqual(await Effect.runPromiseExit(TaskGroup.join(group)), Exit.void)
  })

  it("never starts a task spawned while the group shuts down, and refuses an ended group", async () => {
    const group = TaskGroup.makeUnsafe()
    const stubborn = manual<number>({ stubborn: true })
    TaskGroup.spawnExternalUnsafe(group, () => stubborn.task)
    TaskGroup.cancelUnsafe(group)
    let started = false
    const late = TaskGroup.spawnExternalUnsafe(group, () => {
      started = true
      return manual<number>().task
    })
    assert.isFalse(started)
    assert.isTrue(late.ready)
    stubborn.finish(Exit.interrupt(stubborn.interrupts[0]))
    await Effect.runPromiseExit(TaskGroup.join(group))
    assert.throws(() => TaskGroup.spawnExternalUnsafe(group, () => manual<number>().task), TaskGroupClosed)
  })

  it("turns a start that throws into a defect of the task", async () => {
    const group = TaskGroup.makeUnsafe({ mode: "settle" })
    const soon = TaskGroup.spawnExternalUnsafe(group, () => {
      throw new Error("no start")
    })
    assert.deepStrictEqual(exitOf(soon), Exit.die(new Error("no start")))
    await Effect.runPromise(TaskGroup.join(group))
  })

  it("waits for a concurrency slot before starting the task", async () => {
    const group = TaskGroup.makeUnsafe({ concurrency: 1 })
    const first = manual<number>()
    const second = manual<number>()
    let secondStarted = false
    TaskGroup.spawnExternalUnsafe(group, () => first.task)
    const soon = TaskGroup.spawnExternalUnsafe(group, () => {
      secondStarted = true
      return second.task
    })
    await new Promise((resolve) => setTimeout(resolve, 1))
    assert.isFalse(secondStarted)
    first.finish(Exit.succeed(1))
    await new Promise((resolve) => setTimeout(resolve, 1))
    assert.isTrue(secondStarted)
    second.finish(Exit.succeed(2))
    await Effect.runPromise(TaskGroup.join(group))
    assert.deepStrictEqual(exitOf(soon), Exit.succeed(2))
  })

  it("starts a task that waited for its slot in the async context it was spawned in", async () => {
    const storage = new AsyncLocalStorage<string>()
    const group = TaskGroup.makeUnsafe({ concurrency: 1 })
    const first = manual<number>()
    const seen: Array<string | undefined> = []
    storage.run("first", () => TaskGroup.spawnExternalUnsafe(group, () => first.task))
    const queued = ["second", "third"].map((name) =>
      storage.run(name, () =>
        TaskGroup.spawnExternalUnsafe(group, () => {
          seen.push(storage.getStore())
          const task = manual<number>()
          task.finish(Exit.succeed(0))
          return task.task
        })
      )
    )
    // Ended from somewhere else entirely: the queued ones still see their own context.
    storage.run("elsewhere", () => setTimeout(() => first.finish(Exit.succeed(1)), 1))
    await Effect.runPromise(TaskGroup.join(group))
    assert.deepStrictEqual(seen, ["second", "third"])
    assert.isTrue(queued.every((soon) => soon.ready))
  })

  it("rejects what is not a start function", () => {
    assert.throws(() => TaskGroup.spawnExternalUnsafe(TaskGroup.makeUnsafe(), 1 as any), /expected a start function/)
  })
})

describe("TaskGroup.external", () => {
  it("runs an external task as an Effect", async () => {
    const { task, finish } = manual<string>()
    const fiber = Effect.runFork(TaskGroup.external(() => task))
    finish(Exit.succeed("done"))
    assert.deepStrictEqual(await Effect.runPromise(Fiber.await(fiber)), Exit.succeed("done"))
  })

  it("interrupts the task when interrupted, waits for it, and keeps the failures it met while stopping", async () => {
    const { task, finish, interrupts } = manual<string, string>({ stubborn: true })
    const fiber = Effect.runFork(TaskGroup.external(() => task))
    fiber.interruptUnsafe()
    assert.strictEqual(interrupts.length, 1)
    assert.isUndefined(fiber.pollUnsafe(), "the fiber waits for the task to stop")
    finish(Exit.failCause(Cause.fromReasons([Cause.makeInterruptReason(), Cause.makeFailReason("cleanup")])))
    const exit = await Effect.runPromise(Fiber.await(fiber))
    assert.isTrue(Exit.isFailure(exit))
    const reasons = (exit as Exit.Failure<string, string>).cause.reasons
    assert.isTrue(reasons.some((reason) => reason._tag === "Interrupt"))
    assert.deepStrictEqual(
      reasons.filter((reason) => reason._tag === "Fail").map((reason) => (reason as Cause.Fail<string>).error),
      ["cleanup"]
    )
  })

  it("serves as a group body and a gather slot", async () => {
    const done = () => manual<number>()
    const ended = (n: number) => {
      const { task, finish } = done()
      finish(Exit.succeed(n))
      return task
    }
    const result = await Effect.runPromise(TaskGroup.run(() => TaskGroup.external(() => ended(1))))
    assert.strictEqual(result, 1)
    const gathered = await Effect.runPromise(
      TaskGroup.gather([TaskGroup.external(() => ended(2)), TaskGroup.external(() => ended(3))])
    )
    assert.deepStrictEqual(gathered, [2, 3])
  })
})

describe("a start waiting for its slot, as an async resource", () => {
  it("is a resource named @soonify/core/QueuedStart, destroyed once it starts or gives up", async () => {
    const made: Array<number> = []
    const destroyed = new Set<number>()
    const hook = createHook({
      init: (id, type) => void (type === "@soonify/core/QueuedStart" && made.push(id)),
      destroy: (id) => void destroyed.add(id)
    })
    hook.enable()
    try {
      const group = TaskGroup.makeUnsafe({ concurrency: 1 })
      const first = manual<number>()
      TaskGroup.spawnExternalUnsafe(group, () => first.task)
      const started = manual<number>()
      TaskGroup.spawnExternalUnsafe(group, () => started.task)
      const givenUp = TaskGroup.spawnExternalUnsafe(group, () => manual<number>().task)
      assert.lengthOf(made, 2, "each waiting start is a resource")
      await Effect.runPromise(givenUp.cancel)
      first.finish(Exit.succeed(1))
      await new Promise((resolve) => setTimeout(resolve, 1))
      started.finish(Exit.succeed(2))
      await Effect.runPromise(TaskGroup.join(group))
      await new Promise((resolve) => setTimeout(resolve, 1))
      assert.isTrue(
        made.every((id) => destroyed.has(id)),
        "a resource was never destroyed"
      )
    } finally {
      hook.disable()
    }
  })
})
