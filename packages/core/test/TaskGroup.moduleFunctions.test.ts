import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Data, Effect, Exit } from "effect"
import { type SoonValue, TaskGroup } from "@soonify/core"

class NotFound extends Data.TaggedError("NotFound")<{}> {}
class Timeout extends Data.TaggedError("Timeout")<{}> {}

const double = (n: number) => Effect.succeed(n * 2)
const values = <A, E>(handles: ReadonlyArray<SoonValue.SoonValue<A, E>>) =>
  Effect.forEach(handles, (soon) => soon.value)
const defectOf = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isFailure(exit) ? exit.cause.reasons.find(Cause.isDieReason)?.defect : undefined

describe("the group's methods are bound", () => {
  it.effect("destructured spawn, soonify and start work", () =>
    Effect.gen(function* () {
      const results = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const { spawn, soonify, start } = group
          const a = yield* spawn(double(1))
          const b = yield* soonify(double)(2)
          const [port, c] = yield* start((started: TaskGroup.Started<number>) => Effect.as(started(80), 6))
          return [a, b, c, port] as const
        })
      )
      assert.deepStrictEqual(
        yield* values(results.slice(0, 3) as ReadonlyArray<SoonValue.SoonValue<number>>),
        [2, 4, 6]
      )
      assert.strictEqual(results[3], 80)
    })
  )

  it.effect("a method passed as a function (Effect.flatMap, pipe) keeps its group at run time", () =>
    Effect.gen(function* () {
      // (TypeScript cannot pass an overloaded generic method to a generic function: the
      // types are given here; the module functions are the typed way, below.)
      type Spawn = (effect: Effect.Effect<number>) => Effect.Effect<SoonValue.SoonValue<number>>
      const handles = yield* TaskGroup.run((group) =>
        Effect.all([
          Effect.flatMap(Effect.succeed(double(5)), group.spawn as Spawn),
          double(6).pipe(group.spawn as Spawn),
          Effect.flatMap(Effect.succeed(7), group.soonify(double))
        ])
      )
      assert.deepStrictEqual(yield* values(handles), [10, 12, 14])
    })
  )
})

describe("TaskGroup.spawn, soonify and start, data-first and data-last", () => {
  it.effect("spawn: TaskGroup.spawn(group, effect), effect.pipe(TaskGroup.spawn(group)), in Effect.forEach", () =>
    Effect.gen(function* () {
      const handles = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const first = yield* TaskGroup.spawn(group, double(1))
          const second = yield* double(2).pipe(TaskGroup.spawn(group, { name: "second" }))
          const rest = yield* Effect.forEach([3, 4], (n) => TaskGroup.spawn(group, double(n)))
          assert.strictEqual(second.name, "second")
          return [first, second, ...rest]
        })
      )
      assert.deepStrictEqual(yield* values(handles), [2, 4, 6, 8])
    })
  )

  it.effect("soonify and start, both ways", () =>
    Effect.gen(function* () {
      const serve = (started: TaskGroup.Started<number>) => Effect.andThen(started(8080), Effect.succeed("served"))
      const [a, b, [p1, s1], [p2, s2]] = yield* TaskGroup.run((group) =>
        Effect.all([
          TaskGroup.soonify(group, double)(1),
          TaskGroup.soonify(group, { name: "named" })(double)(2),
          TaskGroup.start(group, serve),
          TaskGroup.start(group, { name: "second" })(serve)
        ])
      )
      assert.deepStrictEqual([yield* a.value, yield* b.value, b.name, p1, p2], [2, 4, "named", 8080, 8080])
      assert.deepStrictEqual([yield* s1.value, s2.name], ["served", "second"])
    })
  )

  it.effect("they carry the task's errors to run as the methods do", () =>
    Effect.gen(function* () {
      const program = TaskGroup.run((group) =>
        Effect.gen(function* () {
          yield* Effect.fail(new NotFound()).pipe(TaskGroup.spawn(group), Effect.orDie)
          yield* TaskGroup.soonify(group, () => Effect.fail(new Timeout()))()
        })
      )
      expectTypeOf(program).toEqualTypeOf<Effect.Effect<void, NotFound | Timeout, never>>()
      const exit = yield* Effect.exit(program)
      assert.isTrue(Exit.isFailure(exit))
    })
  )

  it("a typed group's module functions accept only what fits it, both ways", () => {
    const program = Effect.gen(function* () {
      const group = yield* TaskGroup.make<NotFound>()
      const soon = yield* Effect.fail(new NotFound()).pipe(TaskGroup.spawn(group))
      expectTypeOf(soon).toEqualTypeOf<SoonValue.SoonValue<never, NotFound>>()
      // @ts-expect-error: Timeout does not fit TaskGroup<NotFound>
      yield* Effect.fail(new Timeout()).pipe(TaskGroup.spawn(group))
      // @ts-expect-error: nor data-first
      yield* TaskGroup.spawn(group, Effect.fail(new Timeout()))
      yield* TaskGroup.join(group)
    })
    assert.isTrue(Effect.isEffect(program))
  })

  it("data-last with a typed key refuses a task that does not fit the key", () => {
    const count = TaskGroup.key<number>("count")
    TaskGroup.run((group) =>
      Effect.gen(function* () {
        const soon = yield* Effect.succeed(1).pipe(TaskGroup.spawn(group, { key: count }))
        expectTypeOf(soon).toEqualTypeOf<SoonValue.SoonValue<number, never>>()
        // @ts-expect-error: a string is not what `count` gives
        yield* Effect.succeed("1").pipe(TaskGroup.spawn(group, { key: count }))
      })
    )
  })

  it.effect("a group argument that is not a TaskGroup: an IllegalArgumentError naming the function", () =>
    Effect.gen(function* () {
      const spawned = yield* Effect.exit(TaskGroup.spawn("not a group" as never, Effect.void))
      assert.match(String(defectOf(spawned)), /TaskGroup\.spawn: expected a TaskGroup, received/)
      const started = yield* Effect.exit(TaskGroup.start(42 as never, () => Effect.void))
      assert.match(String(defectOf(started)), /TaskGroup\.start: expected a TaskGroup, received/)
      assert.throws(() => TaskGroup.soonify(null as never, double), /TaskGroup\.soonify: expected a TaskGroup/)
    })
  )
})
