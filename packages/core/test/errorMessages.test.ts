// An error for bad input says what it received, whatever its kind (guarantee 5): each
// kind of value is described by its type and, when short enough to read, the value.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { Future, isTaskGroupTimeout, PendingValue, SoonValue, TaskGroup, TaskGroupTimeout } from "@soonify/core"
import { causeOf, defectOf, failuresOf, settle, thrown } from "./support.ts"
import { describedValues } from "../../../test-setup/described-values.ts"

/** The message `TaskGroup.make` dies with for the `concurrency` option `concurrency`. */
const concurrencyMessage = (concurrency: unknown): Effect.Effect<string> =>
  Effect.map(Effect.exit(Effect.scoped(TaskGroup.make({ concurrency } as any))), (exit) => {
    const defect = defectOf(exit)
    assert.instanceOf(defect, Cause.IllegalArgumentError)
    return (defect as Error).message
  })

describe("an error for bad input describes the value it received", () => {
  for (const [kind, value, received] of describedValues) {
    it.effect(`${kind}`, () =>
      Effect.gen(function* () {
        const message = yield* concurrencyMessage(value)
        assert.strictEqual(
          message,
          `TaskGroup.make: option "concurrency" must be a positive integer or "unbounded", ${received}`
        )
      })
    )
  }
})

describe("an error for bad input names the function that received it", () => {
  const named: ReadonlyArray<readonly [where: string, input: string, run: () => Effect.Effect<unknown, unknown, any>]> =
    [
      ["TaskGroup.gather", "a bad option", () => TaskGroup.gather([Effect.void], { concurrency: 0 })],
      ["TaskGroup.gather", "a bad input", () => TaskGroup.gather(null as any)],
      ["TaskGroup.run", "a bad option", () => TaskGroup.run(() => Effect.void, { mode: "fast" } as any)],
      ["TaskGroup.make", "a bad option", () => Effect.scoped(TaskGroup.make({ mode: "fast" } as any))]
    ]
  for (const [where, input, run] of named) {
    it.effect(`${where}, for ${input}`, () =>
      Effect.gen(function* () {
        const defect = defectOf(yield* Effect.exit(run()))
        assert.instanceOf(defect, Cause.IllegalArgumentError)
        assert.isTrue((defect as Error).message.startsWith(`${where}: `), (defect as Error).message)
      })
    )
  }
})

describe("an error for misuse says what to do instead", () => {
  /** The message of the one defect `effect` dies with. */
  const defectMessage = (effect: Effect.Effect<unknown, unknown, any>) =>
    Effect.map(Effect.exit(effect), (exit) => (defectOf(exit) as Error).message)

  it.effect("a task function that returns no Effect", () =>
    Effect.gen(function* () {
      const message = yield* defectMessage(
        TaskGroup.run((g) =>
          Effect.flatMap(
            g.soonify(function notAnEffect() {
              return 1 as any
            })(),
            (soon) => soon.await
          )
        )
      )
      assert.strictEqual(
        message,
        "TaskGroup.soonify: the task function notAnEffect returned number 1, not an Effect. " +
          "Wrap Promise-returning functions with Effect.promise / Effect.tryPromise, " +
          "or use @soonify/interop for Promise code."
      )
    })
  )

  it.effect("a task function without a name that returns no Effect", () =>
    Effect.gen(function* () {
      const message = yield* defectMessage(
        TaskGroup.run((g) => Effect.flatMap(g.soonify(() => 1 as any)(), (soon) => soon.await))
      )
      assert.isTrue(
        message.startsWith("TaskGroup.soonify: the task function returned number 1, not an Effect. "),
        message
      )
    })
  )

  it.effect("a started task function that returns no Effect, named by group.start", () =>
    Effect.gen(function* () {
      const message = yield* defectMessage(
        TaskGroup.run((g) =>
          g.start(function listen() {
            return Promise.resolve(1) as any
          })
        )
      )
      assert.isTrue(
        message.startsWith(
          "TaskGroup.start: the task function listen returned object [object Promise], not an Effect. "
        ),
        message
      )
    })
  )

  it.effect("a started task that ends without calling started", () =>
    Effect.gen(function* () {
      const message = yield* defectMessage(TaskGroup.run((g) => g.start(() => Effect.void, { name: "silent" })))
      assert.strictEqual(
        message,
        'TaskGroup.start: task "silent" ended without calling started(value); ' +
          "call started once the task is ready, before it returns"
      )
    })
  )

  it.effect("a started task that calls started twice", () =>
    Effect.gen(function* () {
      const message = yield* defectMessage(
        TaskGroup.run((g) =>
          g.start((started: TaskGroup.Started<number>) => Effect.andThen(started(1), started(2)), { name: "eager" })
        )
      )
      assert.strictEqual(message, 'TaskGroup.start: started(value) was called twice by task "eager"')
    })
  )

  it.effect("TaskGroup.join of a run block's group", () =>
    Effect.gen(function* () {
      const message = yield* defectMessage(TaskGroup.run((g) => TaskGroup.join(g), { name: "block" }))
      assert.strictEqual(
        message,
        'TaskGroup.join: group "block" belongs to a TaskGroup.run block, which waits for its tasks when its ' +
          "body returns; join is for groups made with TaskGroup.make or makeUnsafe. " +
          "To wait for one task inside the block, use `yield* soon.await`."
      )
      const unnamed = yield* defectMessage(TaskGroup.run((g) => TaskGroup.join(g)))
      assert.isTrue(unnamed.startsWith("TaskGroup.join: this group belongs to a TaskGroup.run block, "), unnamed)
    })
  )

  it("TaskGroup.makeUnsafe names itself", () => {
    const error = (() => {
      try {
        TaskGroup.makeUnsafe({ mode: "fast" } as any)
      } catch (error) {
        return error
      }
    })()
    assert.instanceOf(error, Cause.IllegalArgumentError)
    assert.isTrue((error as Error).message.startsWith("TaskGroup.makeUnsafe: "), (error as Error).message)
  })

  it.effect("SoonValue.waitAny names itself", () =>
    Effect.gen(function* () {
      const message = yield* defectMessage(SoonValue.waitAny(42 as any))
      assert.isTrue(message.startsWith("SoonValue.waitAny: "), message)
    })
  )
})

describe("soonify's names and options, with capabilities", () => {
  it.effect("a keyed soonify'd function is named after the function", () =>
    Effect.gen(function* () {
      const name = yield* TaskGroup.run((g) =>
        Effect.map(
          g.soonify(
            function fetchUser(id: number) {
              return Effect.succeed(id)
            },
            { key: (id) => id }
          )(1),
          (soon) => soon.name
        )
      )
      assert.strictEqual(name, "fetchUser")
    })
  )

  it.effect("a soonify'd function with no name of its own, and no name option, gives task-N", () =>
    Effect.gen(function* () {
      const names = yield* TaskGroup.run((g) =>
        Effect.all([
          Effect.map(g.soonify(() => Effect.void)(), (soon) => soon.name),
          Effect.map(g.soonify(() => Effect.void, { key: "k" })(), (soon) => soon.name)
        ])
      )
      assert.deepStrictEqual(names, ["task-1", "task-2"])
    })
  )

  it.effect("soonify with options that are not an object throws an IllegalArgumentError naming soonify", () =>
    Effect.gen(function* () {
      const error = yield* TaskGroup.run((g) => Effect.sync(() => thrown(() => g.soonify(() => Effect.void, 5 as any))))
      assert.isTrue(Cause.isIllegalArgumentError(error))
      assert.strictEqual(
        (error as Error).message,
        "TaskGroup.soonify: options must be an object or undefined, received number 5"
      )
    })
  )
})

describe("an error for misuse says what to do instead, more", () => {
  it.effect("reportProgress outside a task", () =>
    Effect.gen(function* () {
      const defect = defectOf(yield* Effect.exit(TaskGroup.reportProgress(1, 2)))
      assert.isTrue(Cause.isIllegalArgumentError(defect))
      assert.strictEqual(
        (defect as Error).message,
        "TaskGroup.reportProgress: the calling fiber is not a task of a task group; " +
          "report progress from inside a task (spawn, soonify or start)"
      )
    })
  )

  it.effect("TaskGroup.make and TaskGroup.run name themselves for a bad timeout", () =>
    Effect.gen(function* () {
      for (const [where, exit] of [
        ["TaskGroup.make", yield* Effect.exit(Effect.scoped(TaskGroup.make<TaskGroupTimeout>({ timeout: -1 })))],
        ["TaskGroup.run", yield* Effect.exit(TaskGroup.run(() => Effect.void, { timeout: -1 }))]
      ] as const) {
        const message = (defectOf(exit) as Error).message
        assert.isTrue(message.startsWith(`${where}: option "timeout"`), message)
      }
    })
  )
})

describe("an error for bad input names the function that received it, more", () => {
  it.effect("SoonValue.waitAll and SoonValue.asCompleted", () =>
    Effect.gen(function* () {
      const waitAll = (defectOf(yield* Effect.exit(SoonValue.waitAll(42 as any))) as Error).message
      assert.isTrue(waitAll.startsWith("SoonValue.waitAll: "), waitAll)
      const asCompleted = thrownOrDefect(() => SoonValue.asCompleted(42 as any))
      assert.isTrue((yield* asCompleted).startsWith("SoonValue.asCompleted: "))
    })
  )

  it.effect("soonify's name function, and its key function, name soonify", () =>
    Effect.gen(function* () {
      const badName = yield* Effect.exit(
        TaskGroup.run((g) => g.soonify((id: number) => Effect.succeed(id), { name: (() => 1) as any })(1))
      )
      assert.strictEqual(
        (defectOf(badName) as Error).message,
        'TaskGroup.soonify: the "name" function must return a string, returned number 1'
      )
      const badKey = yield* Effect.exit(
        TaskGroup.run((g) => g.soonify((id: number) => Effect.succeed(id), { key: () => null as any })(1))
      )
      assert.isTrue((defectOf(badKey) as Error).message.startsWith("TaskGroup.soonify: "))
    })
  )
})

/** The message of what `f` throws, or of the defect the Stream or Effect it gives dies with. */
const thrownOrDefect = (f: () => unknown): Effect.Effect<string> =>
  Effect.suspend(() => {
    let made: unknown
    try {
      made = f()
    } catch (error) {
      return Effect.succeed((error as Error).message)
    }
    const effect = (Stream.isStream(made) ? Stream.runDrain(made) : made) as Effect.Effect<unknown, unknown>
    return Effect.map(Effect.exit(effect), (exit) => (defectOf(exit) as Error).message)
  })

describe("a timeout says where it ran out", () => {
  /** The message of the TaskGroupTimeout `effect` fails with after 1 s (or, for a late gather slot, holds). */
  const timeoutMessage = (effect: Effect.Effect<unknown, unknown>) =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(Effect.exit(effect))
      yield* settle
      yield* TestClock.adjust("1 second")
      const exit = yield* Fiber.join(fiber)
      const failure = Exit.isFailure(exit)
        ? failuresOf(exit.cause)[0]
        : failuresOf(causeOf((exit.value as ReadonlyArray<Exit.Exit<unknown, unknown>>)[0]))[0]
      assert.isTrue(isTaskGroupTimeout(failure), `got ${String(failure)}`)
      return (failure as TaskGroupTimeout).message
    })
  const advice =
    "Give it a longer `timeout`, or run the tasks with `TaskGroup.gather(effects, { timeout, returnExceptions: true })` " +
    "to keep what ended in time."
  const stillRunning = "the tasks still running were interrupted and have ended."

  it.effect("a named group, by its name", () =>
    Effect.gen(function* () {
      const message = yield* timeoutMessage(
        TaskGroup.run((group) => group.spawn(Effect.never), { name: "pages", timeout: "1 second" })
      )
      assert.strictEqual(message, `Task group "pages" timed out after 1s: ${stillRunning} ${advice}`)
    })
  )

  it.effect("a group without a name, by the function that made it: TaskGroup.run", () =>
    Effect.gen(function* () {
      const message = yield* timeoutMessage(
        TaskGroup.run((group) => group.spawn(Effect.never), { timeout: "1 second" })
      )
      assert.strictEqual(message, `The group of TaskGroup.run timed out after 1s: ${stillRunning} ${advice}`)
    })
  )

  it.effect("a group without a name, by the function that made it: TaskGroup.make", () =>
    Effect.gen(function* () {
      const message = yield* timeoutMessage(
        Effect.scoped(
          Effect.flatMap(TaskGroup.make<TaskGroupTimeout>({ timeout: "1 second" }), (group) =>
            Effect.andThen(group.spawn(Effect.never), TaskGroup.join(group))
          )
        )
      )
      assert.strictEqual(message, `The group of TaskGroup.make timed out after 1s: ${stillRunning} ${advice}`)
    })
  )

  it.effect("a group without a name, by the function that made it: TaskGroup.makeUnsafe", () =>
    Effect.gen(function* () {
      // Made outside Effect, it keeps the time of the default Clock, not the TestClock.
      const group = TaskGroup.makeUnsafe({ timeout: "20 millis" })
      TaskGroup.spawnUnsafe(group, Effect.never)
      const message = yield* timeoutMessage(TaskGroup.join(group))
      assert.strictEqual(message, `The group of TaskGroup.makeUnsafe timed out after 20ms: ${stillRunning} ${advice}`)
    })
  )

  it.effect("a gather, as TaskGroup.gather, suggesting returnExceptions (which it does not have)", () =>
    Effect.gen(function* () {
      const message = yield* timeoutMessage(TaskGroup.gather([Effect.never, Effect.void], { timeout: "1 second" }))
      assert.strictEqual(
        message,
        "TaskGroup.gather timed out after 1s: the effects still running were interrupted and have ended. " +
          "Give it a longer `timeout`, or pass `returnExceptions: true` as well to keep what ended in time."
      )
    })
  )

  it.effect("a late slot of a gather with returnExceptions: that effect was interrupted, nothing to suggest", () =>
    Effect.gen(function* () {
      const message = yield* timeoutMessage(
        TaskGroup.gather([Effect.never, Effect.void], { timeout: "1 second", returnExceptions: true })
      )
      assert.strictEqual(
        message,
        "TaskGroup.gather timed out after 1s before this effect ended: it was interrupted at the deadline. " +
          "The effects that ended in time keep their outcomes in their slots."
      )
      assert.notInclude(message, "TaskGroup.run")
    })
  )

  it("one the user makes, by the group it names", () => {
    const message = new TaskGroupTimeout({ group: "TaskGroup", timeout: Duration.seconds(2) }).message
    assert.isTrue(message.startsWith('Task group "TaskGroup" timed out after 2s: '), message)
  })
})

describe("reading a value too early says what to do, for a task and for a Future", () => {
  /** The message `effect` fails with: a PendingValue. */
  const pendingMessage = (effect: Effect.Effect<unknown, unknown>) =>
    Effect.map(Effect.flip(effect), (error) => {
      assert.instanceOf(error, PendingValue)
      return (error as PendingValue).message
    })

  it.effect("a task: read it after the group, or wait", () =>
    Effect.gen(function* () {
      const message = yield* pendingMessage(
        TaskGroup.run((group) => Effect.flatMap(group.spawn(Effect.never, { name: "slow" }), (soon) => soon.value))
      )
      assert.strictEqual(
        message,
        'The value of task "slow" is still pending: it was read before the task ended, most likely inside the ' +
          "TaskGroup.run block. Read it after the group has ended, or use `yield* soon.await` to wait for it."
      )
    })
  )

  it.effect("a Future: complete it first (no group, no task in sight)", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number>({ name: "answer" })
      const message = yield* pendingMessage(future.value)
      assert.strictEqual(
        message,
        'The value of Future "answer" is still pending: it was read before anything completed it. ' +
          "Complete it first (Future.succeed, Future.fail, Future.complete), check `future.ready`, " +
          "or use `yield* future.await` to wait for it."
      )
    })
  )
})

describe("spawning into a group that has ended names the group as the user knows it", () => {
  it.effect("by its name, or as a task group without a name", () =>
    Effect.gen(function* () {
      const closedMessage = (options: { readonly name?: string }) =>
        Effect.gen(function* () {
          const group = yield* TaskGroup.run((group) => Effect.succeed(group), options)
          return (defectOf(yield* Effect.exit(group.spawn(Effect.void, { name: "late" }))) as Error).message
        })
      assert.isTrue(
        (yield* closedMessage({ name: "jobs" })).startsWith(
          'Cannot spawn task "late" into task group "jobs": the group has ended'
        )
      )
      assert.isTrue(
        (yield* closedMessage({})).startsWith(
          'Cannot spawn task "late" into a task group without a name: the group has ended'
        )
      )
    })
  )
})
