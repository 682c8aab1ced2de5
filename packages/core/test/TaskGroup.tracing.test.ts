import { assert, describe, it } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer, Option, Schedule, Tracer } from "effect"
import { TaskGroup } from "@soonify/core"
import { causeOf } from "./support.ts"

/** An in-memory tracer: every span it made (Effect's own `NativeSpan`s), in order. */
const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  const withName = (name: string) => spans.filter((span) => span.name === name)
  const task = (name: string) => {
    const found = withName("TaskGroup.task").filter((span) => span.attributes.get("soonify.task") === name)
    assert.strictEqual(found.length, 1, `one span of task ${name}`)
    return found[0]
  }
  const parentOf = (span: Tracer.NativeSpan) => Option.getOrUndefined(span.parent)
  return { tracer, spans, withName, task, parentOf }
}

class Jobs extends Context.Service<Jobs, TaskGroup.TaskGroup<never>>()("tracing-test/Jobs") {}

describe("spans as Effect.withSpan makes them", () => {
  it.effect("fixed names, TaskGroup.run and TaskGroup.task, with the names, key and attempt as attributes", () =>
    Effect.gen(function* () {
      const { tracer, withName, task, parentOf } = recordingTracer()
      let calls = 0
      yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            yield* group.spawn(Effect.void, { name: "fetch https://a.example/" })
            yield* group.spawn(Effect.void, { name: "keyed", key: "user:1" })
            yield* group.spawn(
              Effect.suspend(() => (++calls < 3 ? Effect.fail("flaky") : Effect.void)),
              { name: "retried", retry: Schedule.recurs(5) }
            )
          }),
        { name: "crawler" }
      ).pipe(Effect.withTracer(tracer))
      const [group] = withName("TaskGroup.run")
      assert.strictEqual(group.attributes.get("soonify.group"), "crawler")
      const fetch = task("fetch https://a.example/")
      assert.strictEqual(fetch.name, "TaskGroup.task")
      assert.strictEqual(parentOf(fetch), group)
      assert.strictEqual(fetch.attributes.get("soonify.group"), "crawler")
      assert.isFalse(fetch.attributes.has("soonify.key"))
      assert.strictEqual(task("keyed").attributes.get("soonify.key"), "user:1")
      assert.strictEqual(task("retried").attributes.get("soonify.attempt"), 3)
      assert.isFalse(fetch.attributes.has("soonify.attempt"))
    })
  )

  it.effect("Effect.annotateSpans and Effect.linkSpans around the spawner reach the task's span", () =>
    Effect.gen(function* () {
      const { tracer, task } = recordingTracer()
      const upstream = yield* Effect.makeSpan("upstream")
      yield* TaskGroup.run((group) =>
        group
          .spawn(Effect.void, { name: "annotated" })
          .pipe(Effect.annotateSpans({ tenant: "acme" }), Effect.linkSpans(upstream, { reason: "fan-out" }))
      ).pipe(Effect.withTracer(tracer))
      const span = task("annotated")
      assert.strictEqual(span.attributes.get("tenant"), "acme")
      assert.deepStrictEqual(
        span.links.map((link) => [link.span, link.attributes.reason]),
        [[upstream, "fan-out"]]
      )
    })
  )

  it.effect("a layer group's tasks are children of the span that spawned them: one trace per request", () =>
    Effect.gen(function* () {
      const { tracer, withName, task, parentOf } = recordingTracer()
      const request = (id: string) =>
        Effect.gen(function* () {
          const jobs = yield* Jobs
          const soon = yield* jobs.spawn(Effect.withSpan(Effect.void, `send ${id}`), { name: `email ${id}` })
          yield* soon.await
        }).pipe(Effect.withSpan(`request ${id}`))
      yield* Effect.all([request("1"), request("2")]).pipe(
        Effect.provide(TaskGroup.layer(Jobs, { name: "background" })),
        Effect.withTracer(tracer)
      )
      for (const id of ["1", "2"]) {
        const [requestSpan] = withName(`request ${id}`)
        const taskSpan = task(`email ${id}`)
        assert.strictEqual(parentOf(taskSpan), requestSpan)
        assert.strictEqual(taskSpan.traceId, requestSpan.traceId)
        assert.strictEqual(taskSpan.attributes.get("soonify.group"), "background")
        assert.strictEqual(parentOf(withName(`send ${id}`)[0]), taskSpan)
      }
      // no app-long group span
      assert.deepStrictEqual(withName("TaskGroup.run"), [])
    })
  )

  it.effect("an Effect.fn given to soonify keeps its name: its span is the task's child", () =>
    Effect.gen(function* () {
      const { tracer, withName, task, parentOf } = recordingTracer()
      const greet = Effect.fn("greet")(function* (name: string) {
        return `Hello, ${name}`
      })
      const soon = yield* TaskGroup.run((group) => group.soonify(greet, { name: "greeting" })("Ada")).pipe(
        Effect.withTracer(tracer)
      )
      assert.strictEqual(yield* soon.value, "Hello, Ada")
      const [span] = withName("greet")
      assert.strictEqual(parentOf(span), task("greeting"))
    })
  )
})

describe("a group's failure names its task and group", () => {
  it.effect("Cause.pretty of a failed run says which task of which group failed", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        TaskGroup.run((group) => group.spawn(Effect.fail(new Error("connection reset")), { name: "fetch page 7" }), {
          name: "crawler"
        })
      )
      const pretty = Cause.pretty(causeOf(exit))
      assert.include(pretty, "connection reset")
      assert.include(pretty, 'task "fetch page 7" (TaskGroup "crawler")')
    })
  )

  it.effect("above the frames the failure had: an Effect.fn's name stays", () =>
    Effect.gen(function* () {
      const load = Effect.fn("loadUser")(function* (id: number) {
        return yield* Effect.fail(new Error(`no user ${id}`))
      })
      const exit = yield* Effect.exit(TaskGroup.run((group) => group.soonify(load)(7), { name: "users" }))
      const lines = Cause.pretty(causeOf(exit)).split("\n")
      const task = lines.findIndex((line) => line.includes('task "task-1" (TaskGroup "users")'))
      const fn = lines.findIndex((line) => line.includes("at loadUser"))
      assert.isAbove(task, 0)
      assert.isAbove(fn, task)
    })
  )

  it.effect("a failure kept in a handle is the task's own: it is not annotated", () =>
    Effect.gen(function* () {
      const soon = yield* TaskGroup.run((group) => group.spawn(Effect.fail("kept")), { mode: "settle" })
      assert.deepStrictEqual(yield* Effect.exit(soon.await), Exit.fail("kept"))
    })
  )
})

describe("nothing changes without a tracer", () => {
  it.effect("a layer group makes no span", () =>
    Effect.gen(function* () {
      const seen = yield* Effect.gen(function* () {
        const jobs = yield* Jobs
        const soon = yield* jobs.spawn(Effect.map(Effect.currentSpan.pipe(Effect.option), Option.isSome))
        return yield* soon.await
      }).pipe(Effect.provide(Layer.fresh(TaskGroup.layer(Jobs))))
      assert.isFalse(seen)
    })
  )
})
