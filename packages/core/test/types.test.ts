// Compile-time tests: `pnpm typecheck` (tsc -b) fails on any mismatch below. The
// runtime tests only make sure the programs built here are well-formed and run.
import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Context, Data, Effect, Layer } from "effect"
import type { Exit, Option } from "effect"
import { PendingValue, SoonValue, TaskGroup } from "@soonify/core"

class NotFound extends Data.TaggedError("NotFound")<{ readonly url: string }> {}
class Timeout extends Data.TaggedError("Timeout")<{}> {}
class Deep extends Data.TaggedError("Deep")<{}> {}
class Invalid extends Data.TaggedError("Invalid")<{}> {}
class Started extends Data.TaggedError("Started")<{}> {}

class Http extends Context.Service<Http, { readonly get: (url: string) => Effect.Effect<string, NotFound> }>()(
  "types-test/Http"
) {}
class Db extends Context.Service<Db, { readonly save: (row: string) => Effect.Effect<void> }>()("types-test/Db") {}
class Clock2 extends Context.Service<Clock2, { readonly now: number }>()("types-test/Clock2") {}

const fetchPage = (url: string, retries: number) =>
  Effect.gen(function* () {
    const http = yield* Http
    if (retries < 0) return yield* new Timeout()
    return yield* http.get(url)
  })

const save = (row: string) =>
  Effect.gen(function* () {
    const db = yield* Db
    yield* db.save(row)
  })

// Tasks with errors and requirements, spawned by the body and by other tasks.
const crawl = TaskGroup.run((group) =>
  Effect.gen(function* () {
    const page = yield* group.soonify(fetchPage)("https://example.com", 3)
    yield* group.spawn(
      Effect.gen(function* () {
        // A task spawning a task: its errors and requirements reach the group too.
        yield* group.spawn(Effect.andThen(save("row"), Effect.fail(new Deep())))
      })
    )
    const [now] = yield* group.start((started: TaskGroup.Started<number>) =>
      Effect.gen(function* () {
        const clock = yield* Clock2
        yield* started(clock.now)
        return yield* new Started()
      })
    )
    if (now < 0) return yield* new Invalid()
    return page
  })
)

describe("types", () => {
  it("TaskGroup.run infers the union of the body's and every task's errors", () => {
    expectTypeOf<Effect.Error<typeof crawl>>().toEqualTypeOf<NotFound | Timeout | Deep | Started | Invalid>()
    expectTypeOf<Effect.Success<typeof crawl>>().toEqualTypeOf<SoonValue.SoonValue<string, NotFound | Timeout>>()
  })

  it("TaskGroup.run infers the union of every task's requirements", () => {
    expectTypeOf<Effect.Services<typeof crawl>>().toEqualTypeOf<Http | Db | Clock2>()
  })

  it("a group with infallible tasks and body has never as its error", () => {
    const quiet = TaskGroup.run((group) => group.spawn(Effect.succeed(1)))
    expectTypeOf(quiet).toEqualTypeOf<Effect.Effect<SoonValue.SoonValue<number, never>, never, never>>()
  })

  it("spawn, soonify and start carry the task's error as a requirement, TaskErrors, and its requirements", () => {
    const program = TaskGroup.run((group) => {
      const spawned = group.spawn(Effect.fail(new Timeout()))
      expectTypeOf(spawned).toEqualTypeOf<
        Effect.Effect<SoonValue.SoonValue<never, Timeout>, never, TaskGroup.TaskErrors<Timeout>>
      >()
      const soonified = group.soonify(fetchPage)
      expectTypeOf(soonified).toEqualTypeOf<
        (
          url: string,
          retries: number
        ) => Effect.Effect<
          SoonValue.SoonValue<string, NotFound | Timeout>,
          never,
          Http | TaskGroup.TaskErrors<NotFound | Timeout>
        >
      >()
      const started = group.start((started: TaskGroup.Started<number>) => Effect.as(started(1), "served"))
      expectTypeOf(started).toEqualTypeOf<
        Effect.Effect<readonly [number, SoonValue.SoonValue<string, never>], never, never>
      >()
      return Effect.void
    })
    assert.isTrue(Effect.isEffect(program))
  })

  it("start infers S from the started annotation", () => {
    const program = TaskGroup.run((group) =>
      Effect.gen(function* () {
        const [port, handle] = yield* group.start((started: TaskGroup.Started<number>) => started(8080))
        expectTypeOf(port).toEqualTypeOf<number>()
        expectTypeOf(handle).toEqualTypeOf<SoonValue.SoonValue<void, never>>()
        // @ts-expect-error: started takes a number here
        group.start((started: TaskGroup.Started<number>) => started("8080"))
        return port
      })
    )
    expectTypeOf(program).toEqualTypeOf<Effect.Effect<number, never, never>>()
    expectTypeOf<TaskGroup.Started<string>>().toEqualTypeOf<(value: string) => Effect.Effect<void>>()
  })

  it("soonify keeps the function's parameter types; a wrong argument does not compile", () => {
    const program = TaskGroup.run((group) => {
      const soon = group.soonify(fetchPage)
      expectTypeOf(soon).parameters.toEqualTypeOf<[url: string, retries: number]>()
      // @ts-expect-error: retries must be a number
      soon("https://example.com", "3")
      // @ts-expect-error: a parameter is missing
      soon("https://example.com")
      const noArgs = group.soonify(() => Effect.succeed(true))
      expectTypeOf(noArgs).parameters.toEqualTypeOf<[]>()
      // @ts-expect-error: takes no argument
      noArgs(1)
      const optional = group.soonify((a: string, b?: number) => Effect.succeed(`${a}${b ?? ""}`))
      expectTypeOf(optional).parameters.toEqualTypeOf<[a: string, b?: number | undefined]>()
      // @ts-expect-error: soonify wants a function returning an Effect
      group.soonify(async (a: string) => a)
      return Effect.void
    })
    assert.isTrue(Effect.isEffect(program))
  })

  it("SoonValue is covariant in A and E", () => {
    expectTypeOf<SoonValue.SoonValue<"a", never>>().toExtend<SoonValue.SoonValue<string, Error>>()
    expectTypeOf<SoonValue.SoonValue<"a", NotFound>>().toExtend<SoonValue.SoonValue<string, NotFound | Timeout>>()
    expectTypeOf<SoonValue.SoonValue<string, Error>>().not.toExtend<SoonValue.SoonValue<"a", never>>()
    expectTypeOf<SoonValue.SoonValue<string, never>>().not.toExtend<SoonValue.SoonValue<"a", never>>()
    expectTypeOf<SoonValue.SoonValue<"a", Error>>().not.toExtend<SoonValue.SoonValue<"a", never>>()
    const narrow = null as unknown as SoonValue.SoonValue<"a", never>
    const wide: SoonValue.SoonValue<string, Error> = narrow
    // @ts-expect-error: not the reverse
    const back: SoonValue.SoonValue<"a", never> = wide
    assert.isNull(back)
  })

  it("soon.value has E | PendingValue; await has E; poll gives the Exit", () => {
    type Soon = SoonValue.SoonValue<number, NotFound>
    expectTypeOf<Soon["value"]>().toEqualTypeOf<Effect.Effect<number, NotFound | PendingValue>>()
    expectTypeOf<Soon["await"]>().toEqualTypeOf<Effect.Effect<number, NotFound>>()
    expectTypeOf<Soon["poll"]>().toEqualTypeOf<Effect.Effect<Option.Option<Exit.Exit<number, NotFound>>>>()
    expectTypeOf<Soon["cancel"]>().toEqualTypeOf<Effect.Effect<void>>()
    expectTypeOf<Soon["ready"]>().toEqualTypeOf<boolean>()
    expectTypeOf<Soon["name"]>().toEqualTypeOf<string>()
    // A task that cannot fail: reading its value early can only fail with PendingValue.
    expectTypeOf<SoonValue.SoonValue<number>["value"]>().toEqualTypeOf<Effect.Effect<number, PendingValue>>()
  })

  it("catchTag removes PendingValue from a value's errors", () => {
    const program = TaskGroup.run((group) =>
      Effect.gen(function* () {
        const soon = yield* group.spawn(Effect.fail(new NotFound({ url: "/" })))
        return yield* soon.value.pipe(Effect.catchTag("PendingValue", () => Effect.succeed("fallback" as const)))
      })
    )
    expectTypeOf(program).toEqualTypeOf<Effect.Effect<"fallback", NotFound, never>>()
  })

  it("TaskGroup.make needs a Scope and gives a typed group, whose join fails with its E", () => {
    expectTypeOf(TaskGroup.make()).toEqualTypeOf<
      Effect.Effect<TaskGroup.TaskGroup<never, never>, never, import("effect").Scope.Scope>
    >()
    expectTypeOf(TaskGroup.make<NotFound, Http>()).toEqualTypeOf<
      Effect.Effect<TaskGroup.TaskGroup<NotFound, Http>, never, import("effect").Scope.Scope | Http>
    >()
    expectTypeOf(TaskGroup.join<NotFound, Http>).returns.toEqualTypeOf<Effect.Effect<void, NotFound>>()
  })

  it("options are typed: mode and concurrency reject other values", () => {
    // @ts-expect-error: unknown mode
    TaskGroup.run(() => Effect.void, { mode: "yolo" })
    // @ts-expect-error: concurrency is a number or "unbounded"
    TaskGroup.run(() => Effect.void, { concurrency: "all" })
    const ok = TaskGroup.run(() => Effect.void, { mode: "settle", concurrency: 2, name: "n" })
    assert.isTrue(Effect.isEffect(ok))
  })

  it.effect("the typed program runs once its services are provided", () =>
    Effect.gen(function* () {
      const services = Layer.mergeAll(
        Layer.succeed(Http, { get: (url) => Effect.succeed(`<html>${url}</html>`) }),
        Layer.succeed(Db, { save: () => Effect.void }),
        Layer.succeed(Clock2, { now: 1 })
      )
      const exit = yield* Effect.exit(Effect.provide(crawl, services))
      // The task spawned by a task fails with Deep: the group fails fast with it.
      assert.strictEqual(exit._tag, "Failure")
    })
  )
})
