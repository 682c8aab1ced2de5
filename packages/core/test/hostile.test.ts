// Hostile input, table-driven: every public function of @soonify/core with wrong types,
// null/undefined, NaN/negative/huge numbers and non-iterables, and re-entrant use
// (spawning from finalizers, cancelling twice, handles of other groups). Each case gives
// the documented error or behaviour, at once: a deadline turns a hang into a failure.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Option, Stream } from "effect"
import {
  Future,
  FutureSetAgain,
  isFutureSetAgain,
  isPendingValue,
  isTaskGroupClosed,
  SoonValue,
  TaskGroup
} from "@soonify/core"
import { defectOf, plain, thrown } from "./support.ts"

/** The longest a case may take: nothing here waits on a clock. */
const deadline = "2 seconds"

/** Runs a case to its Exit, or fails the test if it does not end in time. */
const settled = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<Exit.Exit<A, E>> =>
  Effect.flatMap(Effect.timeoutOption(Effect.exit(effect), deadline), (exit) =>
    Option.isSome(exit) ? Effect.succeed(exit.value) : Effect.die(new Error(`the case did not end within ${deadline}`))
  )

const anEffect = Effect.succeed(1)
const aGroup = () => TaskGroup.makeUnsafe()

// -----------------------------------------------------------------------------
// bad arguments: die at once with an IllegalArgumentError naming the argument
// -----------------------------------------------------------------------------

const badOptions: ReadonlyArray<readonly [string, unknown, RegExp]> = [
  ["null options", null, /options must be an object or undefined, received null/],
  ["string options", "fast", /options must be an object or undefined, received string "fast"/],
  ["concurrency 0", { concurrency: 0 }, /"concurrency" must be a positive integer or "unbounded", received number 0/],
  ["negative concurrency", { concurrency: -3 }, /"concurrency" .* received number -3/],
  ["fractional concurrency", { concurrency: 1.5 }, /"concurrency" .* received number 1.5/],
  ["NaN concurrency", { concurrency: NaN }, /"concurrency" .* received number NaN/],
  ["Infinity concurrency", { concurrency: Infinity }, /"concurrency" .* received number Infinity/],
  ["string concurrency", { concurrency: "4" }, /"concurrency" .* received string "4"/],
  ["null concurrency", { concurrency: null }, /"concurrency" .* received null/],
  ["unknown mode", { mode: "fast" }, /"mode" must be "failFast" or "settle", received string "fast"/],
  ["number name", { name: 42 }, /"name" must be a string, received number 42/]
]

type Case = readonly [name: string, run: () => Effect.Effect<unknown, unknown, any>, message: RegExp]

const dying: ReadonlyArray<Case> = [
  ...badOptions.flatMap(([name, options, message]): Array<Case> => [
    [`TaskGroup.run with ${name}`, () => TaskGroup.run(() => Effect.void, options as any), message],
    [`TaskGroup.make with ${name}`, () => Effect.scoped(TaskGroup.make(options as any)), message]
  ]),
  [
    "TaskGroup.run with an undefined body",
    () => TaskGroup.run(undefined as any),
    /body must be a function .* undefined/
  ],
  ["TaskGroup.run with a null body", () => TaskGroup.run(null as any), /body must be a function .* null/],
  ["TaskGroup.run with an Effect as body", () => TaskGroup.run(anEffect as any), /body must be a function/],
  [
    "TaskGroup.run whose body returns a number",
    () => TaskGroup.run(() => 42 as any),
    /body returned number 42, not an Effect/
  ],
  [
    "TaskGroup.run whose body returns a Promise",
    () => TaskGroup.run((async () => Effect.void) as any),
    /body returned object \[object Promise\], not an Effect.*@soonify\/interop/
  ],
  [
    "group.spawn of a number",
    () => TaskGroup.run((g) => g.spawn(42 as any)),
    /TaskGroup.spawn: expected the task to be an Effect, received number 42/
  ],
  [
    "group.spawn of undefined",
    () => TaskGroup.run((g) => g.spawn(undefined as any)),
    /TaskGroup.spawn: .* received undefined/
  ],
  [
    "group.spawn of a Promise",
    () => TaskGroup.run((g) => g.spawn(Promise.resolve(1) as any)),
    /TaskGroup.spawn: expected the task to be an Effect, received object \[object Promise\]/
  ],
  [
    "group.spawn with a number name",
    () => TaskGroup.run((g) => g.spawn(anEffect, { name: 7 as any })),
    /TaskGroup.spawn: option "name" must be a string, received number 7/
  ],
  [
    "group.spawn with string options",
    () => TaskGroup.run((g) => g.spawn(anEffect, "x" as any)),
    /TaskGroup.spawn: options must be an object/
  ],
  [
    "group.start of a number",
    () => TaskGroup.run((g) => g.start(42 as any)),
    /TaskGroup.start: expected a function .* received number 42/
  ],
  [
    "group.start of null",
    () => TaskGroup.run((g) => g.start(null as any)),
    /TaskGroup.start: expected a function .* received null/
  ],
  [
    "group.start with a number name",
    () => TaskGroup.run((g) => g.start((started: TaskGroup.Started<void>) => started(), { name: 1 as any })),
    /TaskGroup.start: option "name" must be a string/
  ],
  [
    "group.start whose task ends before calling started",
    () => TaskGroup.run((g) => g.start(() => Effect.void)),
    /ended without calling started\(value\)/
  ],
  [
    "group.start whose task calls started twice",
    () =>
      TaskGroup.run((g) =>
        Effect.flatMap(
          g.start((started: TaskGroup.Started<number>) => Effect.andThen(started(1), started(2))),
          ([, handle]) => handle.await
        )
      ),
    /started\(value\) was called twice/
  ],
  [
    "a soonified function that returns a Promise",
    () => TaskGroup.run((g) => g.soonify((async () => 1) as any)()),
    /returned object \[object Promise\], not an Effect/
  ],
  [
    "TaskGroup.join of undefined",
    () => TaskGroup.join(undefined as any),
    /TaskGroup.join: expected a TaskGroup, received undefined/
  ],
  [
    "TaskGroup.join of a plain object",
    () => TaskGroup.join({} as any),
    /TaskGroup.join: expected a TaskGroup, received object/
  ],
  [
    "TaskGroup.join inside its own run block",
    () => TaskGroup.run((g) => TaskGroup.join(g)),
    /belongs to a TaskGroup.run block/
  ],
  [
    "TaskGroup.cancel of null",
    () => TaskGroup.cancel(null as any),
    /TaskGroup.cancel: expected a TaskGroup, received null/
  ],
  [
    "TaskGroup.gather of null",
    () => TaskGroup.gather(null as any),
    /expected an iterable or a record of Effects, received null/
  ],
  ["TaskGroup.gather of a number", () => TaskGroup.gather(42 as any), /received number 42/],
  ["TaskGroup.gather of a string", () => TaskGroup.gather("abc" as any), /received string "abc"/],
  [
    "TaskGroup.gather of numbers",
    () => TaskGroup.gather([anEffect, 2] as any),
    /element 1 is not an Effect, received number 2/
  ],
  ["TaskGroup.gather of a record of numbers", () => TaskGroup.gather({ a: 1 } as any), /key "a" is not an Effect/],
  [
    "TaskGroup.gather with concurrency 0",
    () => TaskGroup.gather([anEffect], { concurrency: 0 }),
    /"concurrency" .* received number 0/
  ],
  [
    "TaskGroup.gather with NaN concurrency",
    () => TaskGroup.gather([anEffect], { concurrency: NaN }),
    /"concurrency" .* NaN/
  ],
  [
    "TaskGroup.gather with a string returnExceptions",
    () => TaskGroup.gather([anEffect], { returnExceptions: "yes" as any }),
    /"returnExceptions" must be a boolean, received string "yes"/
  ],
  ["TaskGroup.gather with null options", () => TaskGroup.gather([anEffect], null as any), /options must be an object/],
  ["SoonValue.waitAny of nothing", () => SoonValue.waitAny([]), /needs at least one handle/],
  [
    "SoonValue.waitAny of null",
    () => SoonValue.waitAny(null as any),
    /expected an iterable of SoonValues, received null/
  ],
  ["SoonValue.waitAny of a string", () => SoonValue.waitAny("ab" as any), /received string "ab"/],
  ["SoonValue.waitAny of numbers", () => SoonValue.waitAny([1] as any), /element 0 is not a SoonValue/],
  [
    "SoonValue.waitAll of undefined",
    () => SoonValue.waitAll(undefined as any),
    /expected an iterable of SoonValues, received undefined/
  ],
  ["SoonValue.waitAll of Effects", () => SoonValue.waitAll([anEffect] as any), /element 0 is not a SoonValue/],
  ["SoonValue.asCompleted of a number", () => Stream.runDrain(SoonValue.asCompleted(7 as any)), /received number 7/],
  [
    "Future.make with a number name",
    () => Future.make({ name: 5 as any }),
    /Future.make: option "name" must be a string/
  ],
  ["Future.make with null options", () => Future.make(null as any), /Future.make: options must be an object/],
  [
    "Future.complete of a non-Future",
    () => Future.complete({} as any, Exit.void),
    /Future.complete: expected a Future, received object/
  ],
  [
    "Future.complete with a non-Exit",
    () => Effect.flatMap(Future.make<number>(), (future) => Future.complete(future, 1 as any)),
    /Future.complete: expected an Exit, received number 1/
  ]
]

const throwing: ReadonlyArray<readonly [name: string, run: () => unknown, message: RegExp]> = [
  ...badOptions.map(
    ([name, options, message]) =>
      [`TaskGroup.makeUnsafe with ${name}`, () => TaskGroup.makeUnsafe(options as any), message] as const
  ),
  [
    "TaskGroup.spawnUnsafe into a non-group",
    () => TaskGroup.spawnUnsafe({} as any, anEffect),
    /expected a TaskGroup, received object/
  ],
  [
    "TaskGroup.spawnUnsafe of a number",
    () => TaskGroup.spawnUnsafe(aGroup(), 3 as any),
    /spawnUnsafe: expected the task to be an Effect, received number 3/
  ],
  [
    "TaskGroup.spawnUnsafe with a number name",
    () => TaskGroup.spawnUnsafe(aGroup(), anEffect, { name: 3 as any }),
    /option "name" must be a string/
  ],
  [
    "TaskGroup.cancelUnsafe of undefined",
    () => TaskGroup.cancelUnsafe(undefined as any),
    /expected a TaskGroup, received undefined/
  ],
  [
    "group.soonify of a number",
    () => TaskGroup.makeUnsafe().soonify(42 as any),
    /TaskGroup.soonify: expected a function that returns an Effect, received number 42/
  ],
  ["group.soonify of an Effect", () => TaskGroup.makeUnsafe().soonify(anEffect as any), /received object/],
  [
    "group.soonify with a number name",
    () => TaskGroup.makeUnsafe().soonify(() => anEffect, { name: 1 as any }),
    /option "name" must be a string/
  ],
  [
    "SoonValue.pollUnsafe of a non-handle",
    () => SoonValue.pollUnsafe({} as any),
    /expected a SoonValue, received object/
  ],
  [
    "Future.makeUnsafe with a number name",
    () => Future.makeUnsafe({ name: 2 as any }),
    /Future.makeUnsafe: option "name" must be a string/
  ]
]

describe("hostile input: bad arguments die at once, naming the argument", () => {
  for (const [name, run, message] of dying) {
    it.live(name, () =>
      Effect.gen(function* () {
        const defect = defectOf(yield* settled(Effect.suspend(run) as Effect.Effect<unknown, unknown>))
        assert.instanceOf(defect, Error)
        assert.match((defect as Error).message, message)
      })
    )
  }
})

describe("hostile input: unsafe functions throw at once, naming the argument", () => {
  for (const [name, run, message] of throwing) {
    it(name, () => {
      const error = thrown(run)
      assert.instanceOf(error, Error)
      assert.match((error as Error).message, message)
    })
  }
})

describe("hostile input: odd but valid values work", () => {
  const valid: ReadonlyArray<readonly [string, () => Effect.Effect<unknown, unknown, any>, unknown]> = [
    [
      "concurrency: Number.MAX_SAFE_INTEGER",
      () => TaskGroup.gather([anEffect], { concurrency: Number.MAX_SAFE_INTEGER }),
      [1]
    ],
    ["concurrency: 1e300", () => TaskGroup.gather([anEffect, anEffect], { concurrency: 1e300 }), [1, 1]],
    ['concurrency: "unbounded"', () => TaskGroup.gather([anEffect], { concurrency: "unbounded" }), [1]],
    ["an empty name", () => TaskGroup.run((g) => Effect.map(g.spawn(anEffect, { name: "" }), (h) => h.name)), ""],
    [
      "undefined options everywhere",
      () => TaskGroup.run((g) => Effect.map(g.spawn(anEffect, undefined), () => "ok"), undefined),
      "ok"
    ],
    ["gather of nothing", () => TaskGroup.gather([]), []],
    ["gather of an empty record", () => TaskGroup.gather({}), {}],
    ["gather of a Set", () => TaskGroup.gather(new Set([anEffect])), [1]],
    ["waitAll of nothing", () => SoonValue.waitAll([]), undefined],
    ["asCompleted of nothing", () => Stream.runCollect(SoonValue.asCompleted([])), []],
    ["a body that returns undefined as its value", () => TaskGroup.run(() => Effect.succeed(undefined)), undefined]
  ]
  for (const [name, run, expected] of valid) {
    it.live(name, () =>
      Effect.gen(function* () {
        const exit = yield* settled(Effect.suspend(run) as Effect.Effect<unknown, unknown>)
        assert.deepStrictEqual(exit, Exit.succeed(expected))
      })
    )
  }
})

// -----------------------------------------------------------------------------
// re-entrancy
// -----------------------------------------------------------------------------

describe("hostile input: re-entrant use", () => {
  it.live("a task's finalizer spawns into its group while the group stops: the new task never runs", () =>
    Effect.gen(function* () {
      let ran = false
      let late: SoonValue.SoonValue<boolean> | undefined
      const exit = yield* settled(
        TaskGroup.run((g) =>
          Effect.gen(function* () {
            yield* g.spawn(
              Effect.never.pipe(
                Effect.onInterrupt(() =>
                  Effect.map(g.spawn(Effect.sync(() => (ran = true))), (h) => {
                    late = h
                  })
                )
              )
            )
            yield* g.spawn(Effect.andThen(Effect.yieldNow, Effect.fail("boom")))
          })
        )
      )
      assert.deepStrictEqual(plain(exit), Exit.fail("boom"))
      assert.isFalse(ran)
      assert.isTrue(late !== undefined && late.ready)
      const lateExit = SoonValue.pollUnsafe(late!)!
      assert.isTrue(Exit.isFailure(lateExit) && Cause.hasInterruptsOnly(lateExit.cause))
    })
  )

  it.live("the body's finalizer spawns a task after the body returned: the group waits for it", () =>
    Effect.gen(function* () {
      let ran = false
      const exit = yield* settled(
        TaskGroup.run((g) =>
          Effect.succeed("body").pipe(
            Effect.ensuring(
              Effect.asVoid(
                g.spawn(
                  Effect.andThen(
                    Effect.yieldNow,
                    Effect.sync(() => (ran = true))
                  )
                )
              )
            )
          )
        )
      )
      assert.deepStrictEqual(exit, Exit.succeed("body"))
      assert.isTrue(ran)
    })
  )

  it.live("a task spawns into another group that is still open: that group waits for it", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      let ran = false
      const exit = yield* settled(
        TaskGroup.run((outer) =>
          Effect.gen(function* () {
            yield* outer.spawn(
              TaskGroup.run((inner) =>
                inner.spawn(
                  Effect.andThen(
                    outer.spawn(
                      Effect.andThen(
                        Deferred.await(gate),
                        Effect.sync(() => (ran = true))
                      )
                    ),
                    Deferred.succeed(gate, undefined)
                  )
                )
              )
            )
          })
        )
      )
      assert.isTrue(Exit.isSuccess(exit))
      assert.isTrue(ran)
    })
  )

  it.live("a task spawns into a group that has ended: it dies with TaskGroupClosed, and its group fails with it", () =>
    Effect.gen(function* () {
      const ended = yield* Effect.scoped(
        Effect.gen(function* () {
          const group = yield* TaskGroup.make()
          yield* TaskGroup.join(group)
          return group
        })
      )
      const exit = yield* settled(TaskGroup.run((g) => g.spawn(ended.spawn(anEffect))))
      const defect = defectOf(exit)
      assert.isTrue(isTaskGroupClosed(defect))
      assert.match((defect as Error).message, /has ended/)
    })
  )

  it.live("a task awaits a handle of another group: it gets that task's value", () =>
    Effect.gen(function* () {
      const exit = yield* settled(
        TaskGroup.run((a) =>
          Effect.gen(function* () {
            const slow = yield* a.spawn(Effect.as(Effect.sleep("10 millis"), "from a"))
            const fromB = yield* TaskGroup.run((b) => Effect.flatMap(b.spawn(slow.await), (h) => h.await))
            return fromB
          })
        )
      )
      assert.deepStrictEqual(exit, Exit.succeed("from a"))
    })
  )

  it.live("cancelling twice, one after the other and at once: one interruption, one finalizer run", () =>
    Effect.gen(function* () {
      let finalized = 0
      const exit = yield* settled(
        TaskGroup.run((g) =>
          Effect.gen(function* () {
            const handle = yield* g.spawn(Effect.never.pipe(Effect.ensuring(Effect.sync(() => finalized++))))
            yield* Effect.yieldNow
            yield* Effect.all([handle.cancel, handle.cancel], { concurrency: "unbounded" })
            yield* handle.cancel
            return handle
          })
        )
      )
      assert.isTrue(Exit.isSuccess(exit), "a cancelled task is not a failure of its group")
      assert.strictEqual(finalized, 1)
      const handleExit = SoonValue.pollUnsafe((exit as Exit.Success<SoonValue.SoonValue<never>>).value)!
      assert.isTrue(Exit.isFailure(handleExit) && Cause.hasInterruptsOnly(handleExit.cause))
    })
  )

  it.live("cancelling a task that has ended, and one that never started, does nothing more", () =>
    Effect.gen(function* () {
      const exit = yield* settled(
        TaskGroup.run(
          (g) =>
            Effect.gen(function* () {
              const done = yield* g.spawn(anEffect)
              const running = yield* g.spawn(Effect.never)
              const queued = yield* g.spawn(anEffect)
              yield* done.await
              yield* queued.cancel
              yield* queued.cancel
              yield* running.cancel
              yield* done.cancel
              return [yield* Effect.exit(done.await), queued.ready] as const
            }),
          { concurrency: 1 }
        )
      )
      assert.deepStrictEqual(exit, Exit.succeed([Exit.succeed(1), true] as const))
    })
  )

  it.live("a task cancels itself: it ends interrupted, and its group goes on", () =>
    Effect.gen(function* () {
      const self = yield* Deferred.make<SoonValue.SoonValue<void>>()
      const exit = yield* settled(
        TaskGroup.run((g) =>
          Effect.gen(function* () {
            const handle = yield* g.spawn(Effect.flatMap(Deferred.await(self), (h) => h.cancel))
            yield* Deferred.succeed(self, handle)
            const other = yield* g.spawn(Effect.as(Effect.yieldNow, "other"))
            return [handle, other] as const
          })
        )
      )
      assert.isTrue(Exit.isSuccess(exit))
      const [handle, other] = (exit as Exit.Success<readonly [SoonValue.SoonValue<void>, SoonValue.SoonValue<string>]>)
        .value
      const handleExit = SoonValue.pollUnsafe(handle)!
      assert.isTrue(Exit.isFailure(handleExit) && Cause.hasInterruptsOnly(handleExit.cause))
      assert.deepStrictEqual(SoonValue.pollUnsafe(other), Exit.succeed("other"))
    })
  )

  it.live("a task cancels its own group: the group ends interrupted, nothing hangs", () =>
    Effect.gen(function* () {
      const exit = yield* settled(
        TaskGroup.run((g) =>
          Effect.andThen(g.spawn(Effect.andThen(Effect.yieldNow, TaskGroup.cancel(g))), Effect.never)
        )
      )
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), String(exit))
    })
  )

  it.live("joining a scoped group twice gives the same outcome twice", () =>
    Effect.gen(function* () {
      const exit = yield* settled(
        Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make<string>()
            yield* group.spawn(Effect.fail("boom"))
            return [yield* Effect.exit(TaskGroup.join(group)), yield* Effect.exit(TaskGroup.join(group))] as const
          })
        )
      )
      assert.isTrue(Exit.isSuccess(exit))
      const [first, again] = (exit as Exit.Success<readonly [Exit.Exit<void, string>, Exit.Exit<void, string>]>).value
      assert.deepStrictEqual([plain(first), plain(again)], [Exit.fail("boom"), Exit.fail("boom")])
    })
  )

  it.live("reading a value inside its group fails with PendingValue, naming the task", () =>
    Effect.gen(function* () {
      const exit = yield* settled(
        TaskGroup.run((g) => Effect.flatMap(g.spawn(Effect.never, { name: "slow" }), (h) => h.value))
      )
      assert.isTrue(Exit.isFailure(exit))
      const failure = (exit as Exit.Failure<unknown, unknown>).cause.reasons.find(Cause.isFailReason)
      assert.isTrue(failure !== undefined && isPendingValue(failure.error))
      assert.match((failure!.error as Error).message, /"slow"/)
    })
  )

  it.live("a Future completed twice, and after it was cancelled: FutureSetAgain, the first outcome stays", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<number, string>()
      yield* Future.succeed(future, 1)
      const again = yield* Effect.exit(Future.fail(future, "late"))
      assert.isTrue(Exit.isFailure(again))
      const error = (again as Exit.Failure<unknown, unknown>).cause.reasons.find(Cause.isFailReason)!.error
      assert.isTrue(isFutureSetAgain(error) && error instanceof FutureSetAgain)
      assert.deepStrictEqual(yield* future.value, 1)
      const cancelled = yield* Future.make<number>()
      yield* cancelled.cancel
      yield* cancelled.cancel
      assert.isTrue(Exit.isFailure(yield* Effect.exit(Future.succeed(cancelled, 2))))
    })
  )

  it.live("a Future completed from a task's finalizer wakes whoever waits on it", () =>
    Effect.gen(function* () {
      const future = yield* Future.make<string>()
      const exit = yield* settled(
        TaskGroup.run((g) =>
          Effect.gen(function* () {
            const handle = yield* g.spawn(
              Effect.never.pipe(Effect.ensuring(Effect.ignore(Future.succeed(future, "bye"))))
            )
            const waiter = yield* g.spawn(future.await)
            yield* Effect.yieldNow
            yield* handle.cancel
            return yield* waiter.await
          })
        )
      )
      assert.deepStrictEqual(exit, Exit.succeed("bye"))
    })
  )

  it.live("waitAny with the same handle twice, and a handle of an ended group", () =>
    Effect.gen(function* () {
      const ended = yield* TaskGroup.run((g) => g.spawn(Effect.succeed("old")))
      const exit = yield* settled(
        TaskGroup.run((g) =>
          Effect.flatMap(g.spawn(Effect.never), (pending) => SoonValue.waitAny([pending, pending, ended]))
        ).pipe(Effect.timeoutOption("1 second"))
      )
      // waitAny returns the ended handle at once; the group then waits for its never-ending task.
      assert.deepStrictEqual(exit, Exit.succeed(Option.none()))
      const quick = yield* settled(SoonValue.waitAny([ended, ended]))
      assert.isTrue(Exit.isSuccess(quick) && quick.value === ended)
    })
  )

  it.live("interrupting the caller of start before the task started cancels the task", () =>
    Effect.gen(function* () {
      let finalized = false
      const running = yield* Deferred.make<void>()
      const exit = yield* settled(
        TaskGroup.run((g) =>
          Effect.gen(function* () {
            const fiber = yield* Effect.forkChild(
              g.start((_started: TaskGroup.Started<void>) =>
                Effect.andThen(
                  Deferred.succeed(running, undefined),
                  Effect.never.pipe(Effect.ensuring(Effect.sync(() => (finalized = true))))
                )
              )
            )
            yield* Deferred.await(running)
            yield* Fiber.interrupt(fiber)
          })
        )
      )
      assert.isTrue(Exit.isSuccess(exit))
      assert.isTrue(finalized)
    })
  )
})

describe("hostile input: look-alikes", () => {
  it.effect("a value carrying Effect's type id as its own property leaves plain objects rejected as effects", () =>
    Effect.gen(function* () {
      const lookalike = { [Effect.TypeId]: Effect.TypeId }
      const withoutPrototype = Object.assign(Object.create(null), lookalike)
      const defect = defectOf(
        yield* Effect.exit(TaskGroup.gather([withoutPrototype, lookalike, {}] as Array<Effect.Effect<unknown>>))
      )
      assert.match((defect as Error).message, /TaskGroup.gather: element 2 is not an Effect/)
    })
  )
})
