import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Clock, Deferred, Effect, Exit, Fiber, Option, Tracer } from "effect"
import { TestClock } from "effect/testing"
import { TaskGroup } from "@soonify/core"
import { causeOf, defectsOf, failuresOf, settle } from "./support.ts"

describe("names", () => {
  it.effect("names each soonify'd task with a function of its arguments", () =>
    Effect.gen(function* () {
      const fetchPage = (url: string, attempt: number) => Effect.succeed(`${url}#${attempt}`)
      const names = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const fetch = group.soonify(fetchPage, { name: (url, attempt) => `fetch ${url} (${attempt})` })
          const a = yield* fetch("https://a.example", 1)
          const b = yield* fetch("https://b.example", 2)
          return [a.name, b.name]
        })
      )
      assert.deepStrictEqual(names, ["fetch https://a.example (1)", "fetch https://b.example (2)"])
    })
  )

  it.effect("names a soonify'd task with a function of its arguments when it has a retry and a timeout too", () =>
    Effect.gen(function* () {
      const name = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const fetch = group.soonify((url: string) => Effect.succeed(url), {
            name: (url) => `fetch ${url}`,
            retry: { times: 1 },
            timeout: "1 second"
          })
          return (yield* fetch("https://a.example")).name
        })
      )
      assert.strictEqual(name, "fetch https://a.example")
    })
  )

  it("types the name function's parameters as the function's", () => {
    const group = TaskGroup.makeUnsafe()
    const fetchPage = (url: string, attempt: number) => Effect.succeed(`${url}#${attempt}`)
    group.soonify(fetchPage, {
      name: (url, attempt) => {
        expectTypeOf(url).toEqualTypeOf<string>()
        expectTypeOf(attempt).toEqualTypeOf<number>()
        return url
      }
    })
    // @ts-expect-error: a name function must give a string
    group.soonify(fetchPage, { name: (url: string) => url.length })
    TaskGroup.cancelUnsafe(group)
  })

  it.effect("puts the computed name in the error of a spawn into an ended group", () =>
    Effect.gen(function* () {
      const group = yield* TaskGroup.run((group) => Effect.succeed(group), { name: "crawler" })
      const fetch = group.soonify((url: string) => Effect.succeed(url), { name: (url) => `fetch ${url}` })
      const exit = yield* Effect.exit(fetch("https://a.example"))
      assert.isTrue(Exit.isFailure(exit))
      const [closed] = defectsOf((exit as Exit.Failure<unknown, unknown>).cause)
      assert.include(String((closed as Error).message), `"fetch https://a.example"`)
      assert.include(String((closed as Error).message), `"crawler"`)
    })
  )

  it.effect("dies with the defect of a name function that throws, and spawns nothing", () =>
    Effect.gen(function* () {
      const boom = new Error("no name")
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          group.soonify((n: number) => Effect.succeed(n), {
            name: () => {
              throw boom
            }
          })(1)
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(defectsOf((exit as Exit.Failure<unknown, unknown>).cause), [boom])
    })
  )

  it.effect("dies with an IllegalArgumentError when the name function gives no string", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        TaskGroup.run((group) => group.soonify((n: number) => Effect.succeed(n), { name: (n) => n as any })(7))
      )
      const [defect] = defectsOf((exit as Exit.Failure<unknown, unknown>).cause)
      assert.isTrue(Cause.isIllegalArgumentError(defect))
      assert.include((defect as Error).message, "number 7")
      assert.deepStrictEqual(failuresOf((exit as Exit.Failure<unknown, unknown>).cause), [])
    })
  )

  it("throws an IllegalArgumentError naming the option for a name that is neither string nor function", () => {
    const group = TaskGroup.makeUnsafe()
    assert.throws(
      () => group.soonify((n: number) => Effect.succeed(n), { name: 42 as any }),
      /TaskGroup\.soonify: option "name" must be a string or a function/
    )
    TaskGroup.cancelUnsafe(group)
  })
})

const namesOf = (groups: ReadonlyArray<TaskGroup.GroupSnapshot>) => groups.map((g) => g.name)

describe("snapshots", () => {
  it.effect("shows queued and running tasks under concurrency, with counts of the ended ones", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(5_000)
      const release = yield* Deferred.make<void>()
      const seen = yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            yield* group.spawn(Effect.void, { name: "quick" })
            yield* group.spawn(Effect.fail("boom"), { name: "broken" })
            const doomed = yield* group.spawn(Effect.never, { name: "doomed" })
            for (const name of ["a", "b", "c"]) yield* group.spawn(Deferred.await(release), { name })
            yield* settle
            yield* doomed.cancel
            yield* settle
            const snapshot = yield* TaskGroup.snapshot(group)
            yield* Deferred.succeed(release, undefined)
            return snapshot
          }),
        { concurrency: 2, mode: "settle", name: "workers" }
      )
      assert.deepStrictEqual(seen, {
        name: "workers",
        state: "open",
        mode: "settle",
        concurrency: 2,
        counts: { queued: 1, running: 2, succeeded: 1, failed: 1, cancelled: 1 },
        tasks: [
          { name: "a", status: "running", startedAt: 5_000, groups: [] },
          { name: "b", status: "running", startedAt: 5_000, groups: [] },
          { name: "c", status: "queued", waiting: "permit", groups: [] }
        ]
      })
      assert.deepStrictEqual(JSON.parse(JSON.stringify(seen)), seen)
    })
  )

  it.live("stamps tasks started in one synchronous run with one reading of the system clock, later ones anew", () =>
    Effect.gen(function* () {
      const before = Date.now()
      const startedAt = (group: TaskGroup.TaskGroup) =>
        TaskGroup.snapshotUnsafe(group).tasks.map((task) => task.startedAt)
      let together: ReadonlyArray<number | undefined> = []
      let later: number | undefined
      yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          for (const name of ["a", "b", "c"]) yield* group.spawn(Effect.never, { name })
          yield* Effect.yieldNow
          together = startedAt(group)
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
          yield* group.spawn(Effect.never, { name: "d" })
          yield* Effect.yieldNow
          later = startedAt(group)[3]
          yield* TaskGroup.cancel(group)
        })
      ).pipe(Effect.exit)
      assert.strictEqual(together.length, 3)
      assert.isTrue(together.every((at) => at !== undefined && at === together[0] && at >= before))
      assert.isTrue(later !== undefined && later >= together[0]! + 15)
    })
  )

  it.live(
    "reads the system clock afresh for each start in a group with a rate window (the group's or a partition's)",
    () =>
      Effect.gen(function* () {
        const busy = (ms: number) => {
          const end = Date.now() + ms
          while (Date.now() < end) {
            // the synchronous run goes on
          }
        }
        /** The start times of two tasks spawned 20 ms apart in one synchronous run, in a group made with `options`. */
        const twoStarts = (options: TaskGroup.Options) => {
          const group = TaskGroup.makeUnsafe(options)
          TaskGroup.spawnUnsafe(group, Effect.never, { name: "first", partition: "p" })
          busy(20)
          TaskGroup.spawnUnsafe(group, Effect.never, { name: "second", partition: "p" })
          const [first, second] = TaskGroup.snapshotUnsafe(group).tasks.map((task) => task.startedAt!)
          TaskGroup.cancelUnsafe(group)
          return second! - first!
        }
        assert.strictEqual(twoStarts({}), 0)
        assert.isAtLeast(twoStarts({ rate: { limit: 10, interval: "1 second" } }), 20)
        assert.isAtLeast(twoStarts({ partitions: { rate: { limit: 10, interval: "1 second" } } }), 20)
      })
  )

  it.effect("asks a Clock of the program's own at each start, even within one synchronous run", () =>
    Effect.gen(function* () {
      // A clock the test moves by hand, between two spawns of one synchronous run.
      let now = 1_000
      const handMoved: Clock.Clock = {
        currentTimeMillisUnsafe: () => now,
        currentTimeMillis: Effect.sync(() => now),
        currentTimeNanosUnsafe: () => BigInt(now) * 1_000_000n,
        currentTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
        monotonicTimeNanosUnsafe: () => BigInt(now) * 1_000_000n,
        monotonicTimeNanos: Effect.sync(() => BigInt(now) * 1_000_000n),
        sleep: () => Effect.never
      }
      const startedAt = yield* Effect.scoped(
        Effect.gen(function* () {
          const group = yield* TaskGroup.make({ name: "hand-timed" })
          TaskGroup.spawnUnsafe(group, Effect.never, { name: "first" })
          now = 5_000
          TaskGroup.spawnUnsafe(group, Effect.never, { name: "second" })
          const seen = TaskGroup.snapshotUnsafe(group).tasks.map((task) => task.startedAt)
          TaskGroup.cancelUnsafe(group)
          return seen
        })
      ).pipe(Effect.provideService(Clock.Clock, handMoved))
      assert.deepStrictEqual(startedAt, [1_000, 5_000])
    })
  )

  it.effect("shows a group that is shutting down as closing, and an ended one as closed with no tasks", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "stopping" })
      const finalizing = yield* Deferred.make<void>()
      const finish = yield* Deferred.make<void>()
      TaskGroup.spawnUnsafe(
        group,
        Effect.onInterrupt(Effect.never, () =>
          Effect.andThen(Deferred.succeed(finalizing, undefined), Deferred.await(finish))
        )
      )
      TaskGroup.cancelUnsafe(group)
      yield* Deferred.await(finalizing)
      const closing = TaskGroup.snapshotUnsafe(group)
      assert.strictEqual(closing.state, "closing")
      assert.strictEqual(closing.counts.running, 1)
      yield* Deferred.succeed(finish, undefined)
      yield* Effect.exit(TaskGroup.join(group))
      const closed = TaskGroup.snapshotUnsafe(group)
      assert.strictEqual(closed.state, "closed")
      assert.deepStrictEqual([closed.tasks, closed.counts.cancelled], [[], 1])
    })
  )

  it.effect("shows a group opened inside a task under that task, not among the roots", () =>
    Effect.gen(function* () {
      const inside = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const [outer, all] = yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            yield* group.spawn(
              TaskGroup.run(
                (inner) =>
                  Effect.andThen(
                    inner.spawn(Effect.andThen(Deferred.succeed(inside, undefined), Deferred.await(release)), {
                      name: "leaf"
                    }),
                    Effect.void
                  ),
                { name: "inner" }
              ),
              { name: "opener" }
            )
            yield* Deferred.await(inside)
            const outer = yield* TaskGroup.snapshot(group)
            const all = yield* TaskGroup.snapshotAll
            yield* Deferred.succeed(release, undefined)
            return [outer, all] as const
          }),
        { name: "outer" }
      )
      const [opener] = outer.tasks
      assert.deepStrictEqual(namesOf(opener.groups), ["inner"])
      assert.deepStrictEqual(
        opener.groups[0].tasks.map((t) => t.name),
        ["leaf"]
      )
      assert.include(namesOf(all), "outer")
      assert.notInclude(namesOf(all), "inner")
      assert.notInclude(namesOf(TaskGroup.snapshotAllUnsafe()), "outer")
    })
  )

  it.effect("drops ended groups from snapshotAll, whichever way they end", () =>
    Effect.gen(function* () {
      yield* TaskGroup.run(() => Effect.void, { name: "ran" })
      yield* Effect.exit(TaskGroup.run(() => Effect.fail("boom"), { name: "failed" }))
      yield* Effect.scoped(TaskGroup.make({ name: "scoped" }))
      const joined = TaskGroup.makeUnsafe({ name: "joined" })
      assert.include(namesOf(TaskGroup.snapshotAllUnsafe()), "joined")
      yield* TaskGroup.join(joined)
      const left = namesOf(yield* TaskGroup.snapshotAll)
      for (const name of ["ran", "failed", "scoped", "joined"]) assert.notInclude(left, name)
    })
  )

  it("rejects a snapshot of something that is not a group with an IllegalArgumentError", () => {
    assert.throws(() => TaskGroup.snapshotUnsafe({} as any), /TaskGroup\.snapshotUnsafe: expected a TaskGroup/)
  })

  it("renders groups and their tasks as an indented tree", () => {
    const leaf: TaskGroup.GroupSnapshot = {
      name: "inner",
      state: "open",
      mode: "failFast",
      concurrency: "unbounded",
      counts: { queued: 0, running: 1, succeeded: 0, failed: 0, cancelled: 0 },
      tasks: [{ name: "leaf", status: "running", startedAt: 2_000, progress: { done: 7 }, groups: [] }]
    }
    const root: TaskGroup.GroupSnapshot = {
      name: "outer",
      state: "closing",
      mode: "settle",
      concurrency: 2,
      counts: { queued: 1, running: 1, succeeded: 2, failed: 1, cancelled: 0 },
      tasks: [
        { name: "opener", status: "running", startedAt: 1_000, progress: { done: 1, total: 4 }, groups: [leaf] },
        { name: "waiting", status: "queued", groups: [] }
      ]
    }
    assert.strictEqual(
      TaskGroup.renderSnapshot([root], { now: 9_500 }),
      [
        'TaskGroup "outer" closing · settle · concurrency 2 · 1 queued, 1 running, 2 succeeded, 1 failed, 0 cancelled',
        '├─ task "opener" · running · for 8.5 s · 1/4 (25%)',
        '│  └─ TaskGroup "inner" open · failFast · 0 queued, 1 running, 0 succeeded, 0 failed, 0 cancelled',
        '│     └─ task "leaf" · running · for 7.5 s · 7 done',
        '└─ task "waiting" · queued'
      ].join("\n")
    )
    assert.strictEqual(TaskGroup.renderSnapshot([]), "(no open task groups)")
    assert.include(TaskGroup.renderSnapshot(leaf), `since ${new Date(2_000).toISOString()}`)
  })
})

describe("progress", () => {
  it.effect("shows a task's last report on its handle and in snapshots, from forked fibers too", () =>
    Effect.gen(function* () {
      const reported = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const [soon, during] = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const soon = yield* group.spawn(
            Effect.gen(function* () {
              yield* TaskGroup.reportProgress(1, 10)
              const child = yield* Effect.forkChild(TaskGroup.reportProgress(4, 10))
              yield* Fiber.join(child)
              yield* Deferred.succeed(reported, undefined)
              yield* Deferred.await(release)
              yield* TaskGroup.reportProgress(12)
            }),
            { name: "counting" }
          )
          assert.strictEqual(soon.progress, undefined)
          yield* Deferred.await(reported)
          const during = yield* TaskGroup.snapshot(group)
          yield* Deferred.succeed(release, undefined)
          return [soon, during] as const
        })
      )
      assert.deepStrictEqual(during.tasks[0].progress, { done: 4, total: 10 })
      assert.deepStrictEqual(soon.progress, { done: 12 })
    })
  )

  it.effect("a bad number's message names TaskGroup.reportProgress and the value", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        TaskGroup.run((group) => Effect.flatMap(group.spawn(TaskGroup.reportProgress(-1)), (soon) => soon.await))
      )
      assert.strictEqual(
        (defectsOf(causeOf(exit))[0] as Error).message,
        'TaskGroup.reportProgress: "done" must be a finite number ≥ 0, received number -1'
      )
    })
  )

  it.effect("dies with an IllegalArgumentError outside a task, or for a bad number", () =>
    Effect.gen(function* () {
      const outside = yield* Effect.exit(TaskGroup.reportProgress(1))
      const [notTask] = defectsOf((outside as Exit.Failure<unknown, unknown>).cause)
      assert.match((notTask as Error).message, /not a task of a task group/)
      for (const [done, total, message] of [
        [-1, undefined, /"done" must be a finite number ≥ 0, received number -1/],
        [Number.NaN, undefined, /"done" must be/],
        [1, Infinity, /"total" must be a finite number ≥ 0 or undefined, received number Infinity/]
      ] as const) {
        const exit = yield* Effect.exit(
          TaskGroup.run((group) => group.spawn(TaskGroup.reportProgress(done, total)), { mode: "settle" })
        )
        const soon = (exit as Exit.Success<any, any>).value
        const [defect] = defectsOf(causeOf(soon.exit))
        assert.isTrue(Cause.isIllegalArgumentError(defect))
        assert.match((defect as Error).message, message)
      }
    })
  )
})

/**
 * How these tests name a span: `TaskGroup <group>` for a group's (`TaskGroup.run`),
 * `task <task>` for a task's (`TaskGroup.task`), from their attributes; else its name.
 */
const labelOf = (span: Tracer.Span): string =>
  span.name === "TaskGroup.run"
    ? `TaskGroup ${String(span.attributes.get("soonify.group"))}`
    : span.name === "TaskGroup.task"
      ? `task ${String(span.attributes.get("soonify.task"))}`
      : span.name

/** A tracer that keeps every span it makes (Effect's own in-memory spans). */
const recordingTracer = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span: (options) => {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  const named = (name: string) => {
    const found = spans.filter((span) => labelOf(span) === name)
    assert.strictEqual(found.length, 1, `one span named ${name}`)
    return found[0]
  }
  const parentOf = (span: Tracer.NativeSpan) => Option.getOrUndefined(span.parent)
  return { tracer, spans, named, parentOf }
}

describe("spans", () => {
  it.effect("makes a group a span with a child span per task, ended with the task's status", () =>
    Effect.gen(function* () {
      const { tracer, named, parentOf } = recordingTracer()
      yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            yield* group.spawn(Effect.withSpan(Effect.void, "work"), { name: "fine" })
            yield* group.spawn(Effect.fail("boom"), { name: "broken" })
            const doomed = yield* group.spawn(Effect.never, { name: "doomed" })
            const queued = yield* group.spawn(Effect.never, { name: "never started" })
            yield* settle
            yield* doomed.cancel
            yield* queued.cancel
            yield* group.spawn(Effect.succeed(1), { name: "at once" })
          }),
        { name: "crawler", mode: "settle", concurrency: 3 }
      ).pipe(Effect.withSpan("request"), Effect.withTracer(tracer))
      const group = named("TaskGroup crawler")
      assert.strictEqual(parentOf(group), named("request"))
      assert.strictEqual(group.status._tag, "Ended")
      assert.strictEqual(group.attributes.get("soonify.status"), "succeeded")
      for (const [task, status] of [
        ["fine", "succeeded"],
        ["broken", "failed"],
        ["doomed", "cancelled"],
        ["at once", "succeeded"]
      ] as const) {
        const span = named(`task ${task}`)
        assert.strictEqual(parentOf(span), group)
        assert.strictEqual(span.status._tag, "Ended")
        assert.strictEqual(span.attributes.get("soonify.status"), status, task)
      }
      assert.strictEqual(parentOf(named("work")), named("task fine"))
    })
  )

  it.effect("puts a nested group's span under the task that opened it", () =>
    Effect.gen(function* () {
      const { tracer, named, parentOf } = recordingTracer()
      yield* TaskGroup.run(
        (group) =>
          group.spawn(
            TaskGroup.run((inner) => inner.spawn(Effect.void, { name: "leaf" }), { name: "inner" }),
            {
              name: "opener"
            }
          ),
        { name: "outer" }
      ).pipe(Effect.withTracer(tracer))
      assert.strictEqual(parentOf(named("task opener")), named("TaskGroup outer"))
      assert.strictEqual(parentOf(named("TaskGroup inner")), named("task opener"))
      assert.strictEqual(parentOf(named("task leaf")), named("TaskGroup inner"))
    })
  )

  it.effect("ends a failing group's span failed, with the failure", () =>
    Effect.gen(function* () {
      const { tracer, named } = recordingTracer()
      yield* Effect.exit(TaskGroup.run((group) => group.spawn(Effect.fail("boom"))).pipe(Effect.withTracer(tracer)))
      const group = named("TaskGroup TaskGroup")
      assert.strictEqual(group.attributes.get("soonify.status"), "failed")
      assert.strictEqual(named("task task-1").attributes.get("soonify.status"), "failed")
      assert.isTrue(group.status._tag === "Ended" && Exit.isFailure(group.status.exit))
    })
  )

  it.effect("makes no span without a tracer installed", () =>
    Effect.gen(function* () {
      const seen = yield* TaskGroup.run((group) =>
        Effect.flatMap(
          group.spawn(Effect.map(Effect.option(Effect.currentParentSpan), Option.isSome)),
          (soon) => soon.await
        )
      )
      assert.isFalse(seen)
    })
  )
})

describe("snapshots of keyed and retried tasks", () => {
  it.effect("show a keyed task's key as a string, and a retried task's attempt", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      let calls = 0
      const flaky = Effect.suspend(() => (++calls < 2 ? Effect.fail("flaky" as const) : Deferred.await(gate)))
      const group = TaskGroup.makeUnsafe({ name: "jobs" })
      TaskGroup.spawnUnsafe(group, Deferred.await(gate), { name: "load", key: 42 })
      TaskGroup.spawnUnsafe(group, flaky, { name: "retried", retry: { times: 3 } })
      TaskGroup.spawnUnsafe(group, Deferred.await(gate), { name: "plain" })
      yield* settle
      const tasks = TaskGroup.snapshotUnsafe(group).tasks.map(({ attempt, key, name }) => ({ name, key, attempt }))
      assert.deepStrictEqual(tasks, [
        { name: "load", key: "42", attempt: undefined },
        { name: "retried", key: undefined, attempt: 2 },
        { name: "plain", key: undefined, attempt: undefined }
      ])
      assert.include(TaskGroup.renderSnapshot(TaskGroup.snapshotUnsafe(group)), 'key "42"')
      yield* Deferred.succeed(gate, undefined)
      yield* TaskGroup.join(group)
    })
  )
})

describe("renderSnapshot, more shapes", () => {
  it("draws a task with two groups open in it, and progress with a total of zero", () => {
    const group = (name: string): TaskGroup.GroupSnapshot => ({
      name,
      state: "open",
      mode: "failFast",
      concurrency: "unbounded",
      counts: { queued: 0, running: 1, succeeded: 0, failed: 0, cancelled: 0 },
      tasks: [{ name: `${name} task`, status: "running", groups: [] }]
    })
    const root: TaskGroup.GroupSnapshot = {
      ...group("root"),
      tasks: [{ name: "parent", status: "running", progress: { done: 0, total: 0 }, groups: [group("a"), group("b")] }]
    }
    assert.strictEqual(
      TaskGroup.renderSnapshot(root),
      [
        'TaskGroup "root" open · failFast · 0 queued, 1 running, 0 succeeded, 0 failed, 0 cancelled',
        '└─ task "parent" · running · 0/0',
        '   ├─ TaskGroup "a" open · failFast · 0 queued, 1 running, 0 succeeded, 0 failed, 0 cancelled',
        '   │  └─ task "a task" · running',
        '   └─ TaskGroup "b" open · failFast · 0 queued, 1 running, 0 succeeded, 0 failed, 0 cancelled',
        '      └─ task "b task" · running'
      ].join("\n")
    )
  })

  it("draws a task's attempt, and whole seconds from ten seconds on", () => {
    const task = (name: string, startedAt: number, attempt?: number): TaskGroup.TaskSnapshot => ({
      name,
      status: "running",
      startedAt,
      ...(attempt === undefined ? {} : { attempt }),
      groups: []
    })
    const root: TaskGroup.GroupSnapshot = {
      name: "timed",
      state: "open",
      mode: "failFast",
      concurrency: "unbounded",
      counts: { queued: 0, running: 3, succeeded: 0, failed: 0, cancelled: 0 },
      tasks: [task("retried", 15_000, 2), task("ten", 10_000), task("long", 0)]
    }
    assert.strictEqual(
      TaskGroup.renderSnapshot(root, { now: 20_000 }),
      [
        'TaskGroup "timed" open · failFast · 0 queued, 3 running, 0 succeeded, 0 failed, 0 cancelled',
        '├─ task "retried" · running · attempt 2 · for 5.0 s',
        '├─ task "ten" · running · for 10 s',
        '└─ task "long" · running · for 20 s'
      ].join("\n")
    )
  })

  it.effect("a group without a concurrency option shows it as unbounded", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "free" })
      const snapshot = TaskGroup.snapshotUnsafe(group)
      assert.strictEqual(snapshot.concurrency, "unbounded")
      assert.isTrue(TaskGroup.renderSnapshot(snapshot).startsWith('TaskGroup "free" open · failFast · 0 queued'))
      yield* TaskGroup.join(group)
    })
  )
})

describe("spans, more", () => {
  it.effect("the body runs inside the group's span", () =>
    Effect.gen(function* () {
      const { tracer, named, parentOf } = recordingTracer()
      yield* TaskGroup.run(() => Effect.withSpan(Effect.void, "in body"), { name: "g" }).pipe(Effect.withTracer(tracer))
      assert.strictEqual(parentOf(named("in body")), named("TaskGroup g"))
    })
  )

  it.effect("a task cancelled before it started, or spawned while the group shuts down, ends with no span", () =>
    Effect.gen(function* () {
      const { tracer, spans } = recordingTracer()
      const exit = yield* Effect.exit(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              const early = yield* group.spawn(Effect.void, { name: "cancelled early" })
              yield* early.cancel
              yield* group.spawn(
                Effect.onInterrupt(Effect.never, () => Effect.asVoid(group.spawn(Effect.void, { name: "too late" }))),
                { name: "stopping" }
              )
              yield* settle
              return yield* Effect.fail("boom")
            }),
          { name: "g" }
        ).pipe(Effect.withTracer(tracer))
      )
      assert.deepStrictEqual(failuresOf(causeOf(exit)), ["boom"])
      assert.deepStrictEqual(defectsOf(causeOf(exit)), [])
      const names = spans.map(labelOf)
      assert.include(names, "task stopping")
      assert.notInclude(names, "task cancelled early")
      assert.notInclude(names, "task too late")
    })
  )
})

describe("where groups are shown", () => {
  it.effect("more than a thousand open root groups are all shown", () =>
    Effect.gen(function* () {
      const groups = Array.from({ length: 1500 }, (_, i) => TaskGroup.makeUnsafe({ name: `many ${i}` }))
      const shown = new Set(TaskGroup.snapshotAllUnsafe().map((group) => group.name))
      assert.isTrue(
        groups.every((_, i) => shown.has(`many ${i}`)),
        "an open group was dropped from the roots"
      )
      for (const group of groups) yield* TaskGroup.join(group)
      const left = new Set(TaskGroup.snapshotAllUnsafe().map((group) => group.name))
      assert.isFalse([...left].some((name) => name.startsWith("many ")))
    })
  )
})

describe("spans, how they are made", () => {
  it.effect("internal spans with no links, children of their parent, sampled as their parent is", () =>
    Effect.gen(function* () {
      const made: Array<{ readonly options: Parameters<Tracer.Tracer["span"]>[0]; readonly span: Tracer.Span }> = []
      const tracer = Tracer.make({
        span: (options) => {
          const span = new Tracer.NativeSpan(options)
          made.push({ options, span })
          return span
        }
      })
      yield* TaskGroup.run((group) => group.spawn(Effect.void, { name: "t" }), { name: "top" }).pipe(
        Effect.withTracer(tracer)
      )
      yield* TaskGroup.run((group) => group.spawn(Effect.void, { name: "quiet" }), { name: "unsampled" }).pipe(
        Effect.withSpan("parent", { sampled: false }),
        Effect.withTracer(tracer)
      )
      const byName = (name: string) => {
        const found = made.find((o) => labelOf(o.span) === name)
        assert.isDefined(found, name)
        return found!.options
      }
      for (const name of ["TaskGroup top", "task t", "TaskGroup unsampled", "task quiet"]) {
        const options = byName(name)
        assert.strictEqual(options.kind, "internal", name)
        assert.deepStrictEqual(options.links, [], name)
        assert.strictEqual(options.root, false, name)
      }
      assert.strictEqual(byName("TaskGroup top").sampled, true)
      assert.strictEqual(byName("task t").sampled, true)
      assert.strictEqual(byName("TaskGroup unsampled").sampled, false)
      assert.strictEqual(byName("task quiet").sampled, false)
    })
  )
})
