// Compile-time tests of DESIGN §2 "Typed errors that cannot be lied about": `pnpm
// typecheck` (tsc -b) fails on any mismatch below, and on any `@ts-expect-error` that
// no longer errs. The runtime tests check that the types tell the truth.
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Context, Data, Effect, Exit } from "effect"
import type { Scope } from "effect"
import { type SoonValue, TaskGroup, type TaskGroupTimeout, type TaskTimeout } from "@soonify/core"

class NotFound extends Data.TaggedError("NotFound")<{}> {}
class Timeout extends Data.TaggedError("Timeout")<{}> {}
class Db extends Context.Service<Db, { readonly query: Effect.Effect<number> }>()("soundErrors/Db") {}

const needsDb = Effect.gen(function* () {
  const db = yield* Db
  return yield* db.query
})

const failsOf = (exit: Exit.Exit<unknown, unknown>): Array<unknown> =>
  Exit.isFailure(exit) ? exit.cause.reasons.filter(Cause.isFailReason).map((reason) => reason.error) : []

describe("a spawn effect fails with nothing and carries its task's errors to run", () => {
  it.effect("orDie on a spawn leaves the group's error type, and the group fails with the task's error", () =>
    Effect.gen(function* () {
      const program = TaskGroup.run((group) => group.spawn(Effect.fail(new NotFound())).pipe(Effect.orDie))
      expectTypeOf(program).toEqualTypeOf<Effect.Effect<SoonValue.SoonValue<never, NotFound>, NotFound, never>>()
      const exit = yield* Effect.exit(program)
      assert.deepStrictEqual(failsOf(exit), [new NotFound()])
    })
  )

  it.effect("ignore and catch on a spawn handle nothing: the task's error stays in run's error type", () =>
    Effect.gen(function* () {
      const ignored = TaskGroup.run((group) => Effect.ignore(group.spawn(Effect.fail(new NotFound()))))
      expectTypeOf<Effect.Error<typeof ignored>>().toEqualTypeOf<NotFound>()
      const caught = TaskGroup.run((group) =>
        group
          .soonify(() => Effect.fail(new Timeout()))()
          .pipe(Effect.catch(() => Effect.succeed("handled")))
      )
      expectTypeOf<Effect.Error<typeof caught>>().toEqualTypeOf<Timeout>()
      assert.deepStrictEqual(failsOf(yield* Effect.exit(ignored)), [new NotFound()])
      assert.deepStrictEqual(failsOf(yield* Effect.exit(caught)), [new Timeout()])
    })
  )

  it("catchTag on a spawn effect has no tag to catch: the task's error is not in its error channel", () => {
    const program = TaskGroup.run((group) =>
      // @ts-expect-error: the spawn effect fails with never; "NotFound" is the group's to raise
      group.spawn(Effect.fail(new NotFound())).pipe(Effect.catchTag("NotFound", () => Effect.void))
    )
    assert.isTrue(Effect.isEffect(program))
  })

  it("a spawn effect used outside its run still requires TaskErrors: it cannot be run as it is", () => {
    const escaped = Effect.flatMap(
      TaskGroup.run((group) => Effect.succeed(group)),
      (group) => group.spawn(Effect.fail(new NotFound()))
    )
    expectTypeOf<Effect.Services<typeof escaped>>().toEqualTypeOf<TaskGroup.TaskErrors<NotFound>>()
    // @ts-expect-error: nothing provides TaskErrors<NotFound>
    const run = () => Effect.runFork(escaped)
    assert.isFunction(run)
  })

  it("start fails with the task's error too (a task that fails before started), and carries it", () => {
    const program = TaskGroup.run((group) => {
      const started = group.start((_started: TaskGroup.Started<number>) => Effect.fail(new NotFound()))
      expectTypeOf(started).toEqualTypeOf<
        Effect.Effect<readonly [number, SoonValue.SoonValue<never, NotFound>], NotFound, TaskGroup.TaskErrors<NotFound>>
      >()
      return Effect.orDie(started)
    })
    expectTypeOf<Effect.Error<typeof program>>().toEqualTypeOf<NotFound>()
  })

  it("nested runs: the inner run's tasks' errors are the inner run's, then the outer's", () => {
    const program = TaskGroup.run((outer) =>
      Effect.gen(function* () {
        yield* outer.spawn(Effect.fail(new Timeout()))
        const inner = TaskGroup.run((group) => group.spawn(Effect.fail(new NotFound())))
        expectTypeOf<Effect.Error<typeof inner>>().toEqualTypeOf<NotFound>()
        expectTypeOf<Effect.Services<typeof inner>>().toEqualTypeOf<never>()
        return yield* Effect.orDie(inner)
      })
    )
    expectTypeOf<Effect.Error<typeof program>>().toEqualTypeOf<Timeout>()
  })
})

describe("typed long-lived groups: TaskGroup<E, R>", () => {
  it("make<E, R>() accepts the tasks whose errors and requirements fit, and join fails with E", () => {
    const program = Effect.gen(function* () {
      const group = yield* TaskGroup.make<NotFound, Db>()
      const soon = yield* group.spawn(Effect.andThen(needsDb, Effect.fail(new NotFound())))
      expectTypeOf(soon).toEqualTypeOf<SoonValue.SoonValue<never, NotFound>>()
      const spawned = group.spawn(Effect.fail(new NotFound()))
      // a typed group's spawn carries nothing: join reports its tasks' failures
      expectTypeOf(spawned).toEqualTypeOf<Effect.Effect<SoonValue.SoonValue<never, NotFound>, never, never>>()
      // @ts-expect-error: the group does not accept tasks failing with Timeout
      group.spawn(Effect.fail(new Timeout()))
      // @ts-expect-error: nor tasks failing with Timeout through soonify
      group.soonify(() => Effect.fail(new Timeout()))
      // @ts-expect-error: nor a task's own timeout, whose TaskTimeout it does not accept
      group.spawn(Effect.void, { timeout: "1 second" })
      expectTypeOf(TaskGroup.join(group)).toEqualTypeOf<Effect.Effect<void, NotFound>>()
      return yield* TaskGroup.join(group)
    })
    expectTypeOf(program).toEqualTypeOf<Effect.Effect<void, NotFound, Scope.Scope | Db>>()
  })

  it("make() is a group of infallible tasks that need nothing", () => {
    const program = Effect.gen(function* () {
      const group = yield* TaskGroup.make()
      yield* group.spawn(Effect.succeed(1))
      // @ts-expect-error: a failing task does not fit TaskGroup<never, never>
      yield* group.spawn(Effect.fail("boom"))
      // @ts-expect-error: nor a task that needs a service
      yield* group.spawn(needsDb)
      expectTypeOf(TaskGroup.join(group)).toEqualTypeOf<Effect.Effect<void, never>>()
    })
    assert.isTrue(Effect.isEffect(program))
  })

  it("a timeout needs TaskGroupTimeout in the group's E (then join may fail with it)", () => {
    // @ts-expect-error: give the group's E TaskGroupTimeout to use `timeout`
    TaskGroup.make({ timeout: "1 second" })
    const timed = TaskGroup.make<TaskGroupTimeout | TaskTimeout>({ timeout: "1 second" })
    const program = Effect.flatMap(timed, (group) =>
      Effect.andThen(group.spawn(Effect.never, { timeout: "10 millis" }), TaskGroup.join(group))
    )
    expectTypeOf<Effect.Error<typeof program>>().toEqualTypeOf<TaskGroupTimeout | TaskTimeout>()
  })

  it("a run group and a typed group are not each other's: neither can smuggle errors past the other", () => {
    const typed = (group: TaskGroup.TaskGroup<NotFound>) => group.spawn(Effect.fail(new NotFound()))
    const inferred = (group: TaskGroup.TaskGroup) => group.spawn(Effect.fail(new NotFound()))
    // @ts-expect-error: a run group seen as typed would drop its spawns' TaskErrors
    TaskGroup.run((group) => typed(group))
    const program = Effect.flatMap(TaskGroup.make<NotFound>(), (group) =>
      // @ts-expect-error: a typed group seen as a run group would send its errors to the wrong run
      inferred(group)
    )
    assert.isTrue(Effect.isEffect(program))
  })
})

describe("keyed handles are typed by what the key can give", () => {
  it("a plain key gives SoonValue<unknown, unknown>: the live task may be another one", () => {
    TaskGroup.run((group) =>
      Effect.gen(function* () {
        const soon = yield* group.spawn(Effect.succeed(1), { key: "k" })
        expectTypeOf(soon).toEqualTypeOf<SoonValue.SoonValue<unknown, unknown>>()
        const load = group.soonify((id: number) => Effect.succeed(id), { key: (id) => `user:${id}` })
        expectTypeOf(load).returns.toEqualTypeOf<Effect.Effect<SoonValue.SoonValue<unknown, unknown>, never, never>>()
        const unkeyed = yield* group.spawn(Effect.succeed(1))
        expectTypeOf(unkeyed).toEqualTypeOf<SoonValue.SoonValue<number, never>>()
      })
    )
  })

  it("a TaskGroup.Key<A, E> gives SoonValue<A, E>, and refuses a task that does not fit it", () => {
    const count = TaskGroup.key<number, NotFound>("count")
    expectTypeOf(count).toEqualTypeOf<TaskGroup.Key<number, NotFound>>()
    TaskGroup.run((group) =>
      Effect.gen(function* () {
        const soon = yield* group.spawn(Effect.succeed(1), { key: count })
        expectTypeOf(soon).toEqualTypeOf<SoonValue.SoonValue<number, NotFound>>()
        const load = group.soonify((id: number) => Effect.succeed(id), { key: () => count })
        expectTypeOf(load).returns.toEqualTypeOf<Effect.Effect<SoonValue.SoonValue<number, NotFound>, never, never>>()
        // @ts-expect-error: a string is not what `count` gives
        yield* group.spawn(Effect.succeed("1"), { key: count })
        // @ts-expect-error: Timeout is not an error `count` may fail with
        yield* group.spawn(Effect.fail(new Timeout()), { key: count })
      })
    )
  })

  it.effect("a typed key's handles are the one task's, at run time", () =>
    Effect.gen(function* () {
      const count = TaskGroup.key<number>("count")
      const one = Effect.as(Effect.yieldNow, 1)
      const two = Effect.as(Effect.yieldNow, 2)
      const [a, b] = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const first = yield* group.spawn(one, { key: count })
          return [first, yield* group.spawn(two, { key: count })] as const
        })
      )
      assert.strictEqual(a, b)
      assert.strictEqual(yield* b.await, 1)
    })
  )
})

describe("gather with a returnExceptions known only as a boolean", () => {
  it("is typed as the union of both shapes, and may fail", () => {
    const returnExceptions: boolean = Math.random() < 2
    const program = TaskGroup.gather([Effect.succeed(1), Effect.fail(new NotFound())], { returnExceptions })
    expectTypeOf(program).toEqualTypeOf<
      Effect.Effect<[number, never] | [Exit.Exit<number, never>, Exit.Exit<never, NotFound>], NotFound, never>
    >()
    const exits = TaskGroup.gather([Effect.succeed(1)], { returnExceptions: true })
    expectTypeOf(exits).toEqualTypeOf<Effect.Effect<[Exit.Exit<number, never>], never, never>>()
    const values = TaskGroup.gather([Effect.succeed(1)], { returnExceptions: false })
    expectTypeOf(values).toEqualTypeOf<Effect.Effect<[number], never, never>>()
  })

  it.effect("returns Exits when it is true at run time, as its type allows", () =>
    Effect.gen(function* () {
      const returnExceptions: boolean = true as boolean
      const slots = yield* TaskGroup.gather([Effect.succeed(1)], { returnExceptions })
      assert.isTrue(Exit.isExit(slots[0]))
    })
  )
})
