import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber } from "effect"
import { isTaskGroupClosed, SoonValue, TaskGroup } from "@soonify/core"
import { causeOf, defectsOf, failuresOf, isInterruptedOnly, settle } from "./support.ts"

/**
 * A task run outside Effect, ended by hand with `end`. Asked to stop, it ends with
 * `whenStopped(fiberId)` (an interruption by default).
 */
const handMade = <A, E = never>(
  whenStopped: (fiberId: number | undefined) => Exit.Exit<A, E> = (fiberId) => Exit.interrupt(fiberId)
) => {
  let observer: ((exit: Exit.Exit<A, E>) => void) | undefined
  let ended: Exit.Exit<A, E> | undefined
  const stops: Array<number | undefined> = []
  const end = (exit: Exit.Exit<A, E>): void => {
    if (ended !== undefined) return
    ended = exit
    observer?.(exit)
  }
  const task: TaskGroup.ExternalTask<A, E> = {
    addObserver: (f) => {
      observer = f
      if (ended !== undefined) f(ended)
    },
    interruptUnsafe: (fiberId) => {
      stops.push(fiberId)
      end(whenStopped(fiberId))
    }
  }
  return { task, end, stops }
}

describe("TaskGroup.startExternalUnsafe", () => {
  it.effect("calls the task function at once; started gives the value while the task goes on", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const { task, end } = handMade<string>()
      const calls: Array<string> = []
      const { soon, started } = TaskGroup.startExternalUnsafe(group, (started: (port: number) => void) => {
        calls.push("f")
        started(8080)
        return task
      })
      calls.push("returned")
      assert.deepStrictEqual(calls, ["f", "returned"], "f was not called before startExternalUnsafe returned")
      assert.strictEqual(yield* started, 8080)
      assert.isFalse(soon.ready)
      end(Exit.succeed("served"))
      yield* TaskGroup.join(group)
      assert.strictEqual(yield* soon.value, "served")
    })
  )

  it.effect("started waits until the task calls started(value), however late", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const { task, end } = handMade<void>()
      let ready: ((port: number) => void) | undefined
      const { started } = TaskGroup.startExternalUnsafe(group, (started: (port: number) => void) => {
        ready = started
        return task
      })
      const waiter = yield* Effect.forkChild(started)
      yield* settle
      assert.isUndefined(waiter.pollUnsafe(), "started did not wait for started(value)")
      ready!(9090)
      assert.strictEqual(yield* Fiber.join(waiter), 9090)
      end(Exit.void)
      yield* TaskGroup.join(group)
    })
  )

  it.effect("a task that fails before started: started fails with it, the group does not", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const { task, end } = handMade<void, string>()
      const { soon, started } = TaskGroup.startExternalUnsafe(group, () => task)
      end(Exit.fail("could not bind"))
      assert.deepStrictEqual(failuresOf(causeOf(yield* Effect.exit(started))), ["could not bind"])
      assert.deepStrictEqual(yield* Effect.exit(TaskGroup.join(group)), Exit.void)
      assert.deepStrictEqual(failuresOf(causeOf(SoonValue.pollUnsafe(soon))), ["could not bind"])
    })
  )

  it.effect("a task that succeeds without calling started: started dies saying so", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const { started } = TaskGroup.startExternalUnsafe(
        group,
        () => ({ addObserver: (f) => f(Exit.succeed(1)), interruptUnsafe: () => undefined }),
        { name: "quitter" }
      )
      const [defect] = defectsOf(causeOf(yield* Effect.exit(started)))
      assert.include((defect as Error).message, "without calling started")
      assert.include((defect as Error).message, "quitter")
      yield* TaskGroup.join(group)
    })
  )

  it.effect("a task function that throws: started dies with the throw, the group does not fail", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const { started } = TaskGroup.startExternalUnsafe(group, () => {
        throw new Error("no port")
      })
      const [defect] = defectsOf(causeOf(yield* Effect.exit(started)))
      assert.strictEqual((defect as Error).message, "no port")
      assert.deepStrictEqual(yield* Effect.exit(TaskGroup.join(group)), Exit.void)
    })
  )

  it.effect("calling started a second time throws at that call", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const { task, end } = handMade<void>()
      let second: unknown
      const { started } = TaskGroup.startExternalUnsafe(
        group,
        (started: (n: number) => void) => {
          started(1)
          try {
            started(2)
          } catch (error) {
            second = error
          }
          return task
        },
        { name: "eager" }
      )
      assert.instanceOf(second, Error)
      assert.include((second as Error).message, "twice")
      assert.include((second as Error).message, "eager")
      assert.strictEqual(yield* started, 1, "the first value stays")
      end(Exit.void)
      yield* TaskGroup.join(group)
    })
  )

  it.effect("interrupting started before the start cancels the task, which is not a failure", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const { task, stops } = handMade<void>()
      const { soon, started } = TaskGroup.startExternalUnsafe(group, () => task)
      const waiter = yield* Effect.forkChild(started)
      yield* settle
      yield* Fiber.interrupt(waiter)
      assert.lengthOf(stops, 1, "the task was not asked to stop")
      assert.isTrue(isInterruptedOnly(SoonValue.pollUnsafe(soon)))
      assert.deepStrictEqual(yield* Effect.exit(TaskGroup.join(group)), Exit.void)
    })
  )

  it.effect("once its starter gave up, a failure the task meets while stopping fails the group", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const { task } = handMade<void, never>((fiberId) =>
        Exit.failCause(Cause.combine(Cause.interrupt(fiberId), Cause.die("cleanup failed")))
      )
      const { started } = TaskGroup.startExternalUnsafe(group, () => task)
      const waiter = yield* Effect.forkChild(started)
      yield* settle
      yield* Fiber.interrupt(waiter)
      assert.deepStrictEqual(defectsOf(causeOf(yield* Effect.exit(TaskGroup.join(group)))), ["cleanup failed"])
    })
  )

  it.effect("with concurrency, the task function waits for a slot, and so does started", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ concurrency: 1 })
      const holder = handMade<void>()
      TaskGroup.spawnExternalUnsafe(group, () => holder.task)
      let called = false
      const second = handMade<void>()
      const { started } = TaskGroup.startExternalUnsafe(group, (started: (n: number) => void) => {
        called = true
        started(2)
        return second.task
      })
      const waiter = yield* Effect.forkChild(started)
      yield* settle
      assert.isFalse(called, "the task function ran without a slot")
      assert.isUndefined(waiter.pollUnsafe())
      holder.end(Exit.void)
      yield* settle
      assert.isTrue(called)
      assert.strictEqual(yield* Fiber.join(waiter), 2)
      second.end(Exit.void)
      yield* TaskGroup.join(group)
    })
  )

  it.effect("into a group shutting down: the handle ends interrupted, f never runs, started fails", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      // A task slow to stop keeps the group shutting down until it ends.
      let finish: ((exit: Exit.Exit<void>) => void) | undefined
      TaskGroup.spawnExternalUnsafe(group, () => ({ addObserver: (f) => void (finish = f), interruptUnsafe: () => {} }))
      TaskGroup.cancelUnsafe(group)
      let called = false
      const { soon, started } = TaskGroup.startExternalUnsafe(group, () => {
        called = true
        return handMade<void>().task
      })
      assert.isFalse(called)
      assert.isTrue(isInterruptedOnly(SoonValue.pollUnsafe(soon)))
      assert.isTrue(isInterruptedOnly(yield* Effect.exit(started)))
      finish!(Exit.interrupt())
      assert.isTrue(isInterruptedOnly(yield* Effect.exit(TaskGroup.join(group))))
    })
  )

  it.effect("into an ended group: throws TaskGroupClosed", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      yield* TaskGroup.join(group)
      let thrown: unknown
      try {
        TaskGroup.startExternalUnsafe(group, () => handMade<void>().task)
      } catch (error) {
        thrown = error
      }
      assert.isTrue(isTaskGroupClosed(thrown), `threw ${String(thrown)}`)
    })
  )

  it("throws an IllegalArgumentError for a bad argument", () => {
    const group = TaskGroup.makeUnsafe()
    for (const call of [
      () => TaskGroup.startExternalUnsafe(group, 42 as never),
      () => TaskGroup.startExternalUnsafe({} as never, () => handMade<void>().task),
      () => TaskGroup.startExternalUnsafe(group, () => handMade<void>().task, { name: 7 as never })
    ]) {
      let thrown: unknown
      try {
        call()
      } catch (error) {
        thrown = error
      }
      assert.isTrue(Cause.isIllegalArgumentError(thrown), `threw ${String(thrown)}`)
      assert.include((thrown as Error).message, "TaskGroup.startExternalUnsafe")
    }
  })

  it("types started by the value and the task's error, soon by the task", () => {
    const group = TaskGroup.makeUnsafe()
    const start = () =>
      TaskGroup.startExternalUnsafe(group, (started: (port: number) => void) => {
        started(1)
        return handMade<string, "bind failed">().task
      })
    expectTypeOf<ReturnType<typeof start>["started"]>().toEqualTypeOf<Effect.Effect<number, "bind failed">>()
    expectTypeOf<ReturnType<typeof start>["soon"]>().toEqualTypeOf<SoonValue.SoonValue<string, "bind failed">>()
  })
})

describe("TaskGroup.startExternalUnsafe, given up before started, in settle mode", () => {
  it.effect("a failure the task meets while stopping stays in the handle its caller kept", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ mode: "settle" })
      const { task } = handMade<void, never>((fiberId) =>
        Exit.failCause(Cause.combine(Cause.interrupt(fiberId), Cause.die("cleanup failed")))
      )
      const { soon, started } = TaskGroup.startExternalUnsafe(group, () => task)
      const waiter = yield* Effect.forkChild(started)
      yield* settle
      yield* Fiber.interrupt(waiter)
      assert.deepStrictEqual(yield* Effect.exit(TaskGroup.join(group)), Exit.void)
      assert.deepStrictEqual(defectsOf(causeOf(SoonValue.pollUnsafe(soon))), ["cleanup failed"])
    })
  )
})
