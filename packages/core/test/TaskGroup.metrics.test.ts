import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Layer, Metric } from "effect"
import { TestClock } from "effect/testing"
import { TaskGroup } from "@soonify/core"
import { settle } from "./support.ts"

/** Each test counts in a registry of its own (Effect's default one is the process's). */
const withRegistry = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.provideService(effect, Metric.MetricRegistry, new Map())

/** The state of metric `id`'s series for group `group`, from Effect's own metric snapshot. */
const stateOf = (id: string, group: string) =>
  Effect.map(Metric.snapshot, (snapshots) => {
    const found = snapshots.filter((s) => s.id === id && s.attributes?.["soonify.group"] === group)
    assert.isAtMost(found.length, 1, `${id} of ${group}`)
    return found[0]?.state as any
  })

const counts = (group: string) =>
  Effect.all({
    started: stateOf("soonify_tasks_started", group),
    succeeded: stateOf("soonify_tasks_succeeded", group),
    failed: stateOf("soonify_tasks_failed", group),
    cancelled: stateOf("soonify_tasks_cancelled", group),
    running: stateOf("soonify_tasks_running", group),
    waiting: stateOf("soonify_tasks_waiting", group)
  }).pipe(
    Effect.map((s) => ({
      started: s.started?.count ?? 0,
      succeeded: s.succeeded?.count ?? 0,
      failed: s.failed?.count ?? 0,
      cancelled: s.cancelled?.count ?? 0,
      running: s.running?.value ?? 0,
      waiting: s.waiting?.value ?? 0
    }))
  )

describe("TaskGroup.metricsLayer", () => {
  it.effect("counts a group's successes, failures and cancellations, and gauges what runs and waits", () =>
    Effect.gen(function* () {
      const during = yield* Deferred.make<unknown>()
      yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            yield* group.spawn(Effect.sleep("100 millis"), { name: "ok 1" })
            yield* group.spawn(Effect.andThen(Effect.sleep("100 millis"), Effect.fail("boom")), { name: "fails" })
            const stopped = yield* group.spawn(Effect.never, { name: "cancelled running" })
            const queued = yield* group.spawn(Effect.never, { name: "cancelled queued" })
            yield* group.spawn(Effect.sleep("100 millis"), { name: "ok 2" })
            yield* settle
            // three run (concurrency 3), two wait
            yield* Deferred.succeed(during, yield* counts("metered"))
            // The queued one first: cancelling `stopped` hands its slot to the next waiting task at once.
            yield* queued.cancel
            yield* stopped.cancel
            yield* settle
            yield* TestClock.adjust("100 millis")
            yield* settle
            yield* TestClock.adjust("100 millis")
          }),
        { name: "metered", mode: "settle", concurrency: 3 }
      )
      assert.deepStrictEqual(yield* Deferred.await(during), {
        started: 3,
        succeeded: 0,
        failed: 0,
        cancelled: 0,
        running: 3,
        waiting: 2
      })
      // "cancelled queued" never started; "ok 2" took the freed slot
      assert.deepStrictEqual(yield* counts("metered"), {
        started: 4,
        succeeded: 2,
        failed: 1,
        cancelled: 2,
        running: 0,
        waiting: 0
      })
      const durations = yield* stateOf("soonify_task_duration_ms", "metered")
      assert.strictEqual(durations.count, 4)
      assert.strictEqual(durations.max, 100)
      assert.strictEqual(durations.sum, 300)
      // Exponential buckets, in milliseconds: 1, 2, 4, … 2^22, then the rest.
      assert.deepStrictEqual(
        durations.buckets.map(([boundary]: [number, number]) => boundary),
        Metric.exponentialBoundaries({ start: 1, factor: 2, count: 24 })
      )
    }).pipe(withRegistry, Effect.provide(TaskGroup.metricsLayer))
  )

  it.effect("counts as waiting neither a keyed spawn that gets the live task of its key, nor a refused spawn", () =>
    Effect.gen(function* () {
      const finish = Deferred.makeUnsafe<void>()
      yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make({ name: "admitted" })
            const first = yield* group.spawn(Deferred.await(finish), { key: "k" })
            const again = yield* group.spawn(Deferred.await(finish), { key: "k" })
            assert.strictEqual(again, first)
            // Keeps the group shutting down until `finish`.
            yield* group.spawn(Effect.uninterruptible(Deferred.await(finish)))
            yield* settle
            TaskGroup.cancelUnsafe(group)
            // From the code that made the group (outside it): refused.
            assert.isTrue(Exit.isFailure(yield* Effect.exit(group.spawn(Effect.void))))
            Deferred.doneUnsafe(finish, Exit.void)
          })
        )
      )
      const { started, waiting } = yield* counts("admitted")
      assert.deepStrictEqual({ started, waiting }, { started: 2, waiting: 0 })
    }).pipe(withRegistry, Effect.provide(TaskGroup.metricsLayer))
  )

  it.effect("counts a task spawned from inside a group that is shutting down as cancelled, never as waiting", () =>
    Effect.gen(function* () {
      yield* Effect.exit(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              // Its finalizer spawns into the group as the group shuts down: that task ends cancelled at once.
              yield* group.spawn(
                Effect.onInterrupt(Effect.never, () => Effect.asVoid(group.spawn(Effect.void, { name: "late" })))
              )
              yield* settle
              return yield* Effect.fail("stop")
            }),
          { name: "stopping" }
        )
      )
      assert.deepStrictEqual(yield* counts("stopping"), {
        started: 1,
        succeeded: 0,
        failed: 0,
        cancelled: 2,
        running: 0,
        waiting: 0
      })
    }).pipe(withRegistry, Effect.provide(TaskGroup.metricsLayer))
  )

  it.effect("counts a keyed task queued behind concurrency as waiting, once", () =>
    Effect.gen(function* () {
      const finish = Deferred.makeUnsafe<void>()
      const waiting = yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            yield* group.spawn(Deferred.await(finish))
            yield* group.spawn(Deferred.await(finish), { key: "k" })
            yield* settle
            const { waiting } = yield* counts("keyed")
            yield* Deferred.succeed(finish, undefined)
            return waiting
          }),
        { name: "keyed", concurrency: 1 }
      )
      assert.strictEqual(waiting, 1)
      assert.deepStrictEqual(yield* counts("keyed"), {
        started: 2,
        succeeded: 2,
        failed: 0,
        cancelled: 0,
        running: 0,
        waiting: 0
      })
    }).pipe(withRegistry, Effect.provide(TaskGroup.metricsLayer))
  )

  it.effect("measures a task's duration from its start, whatever the clock read before", () =>
    Effect.gen(function* () {
      yield* TestClock.adjust("1 hour")
      yield* TaskGroup.run((group) => group.spawn(Effect.sleep("100 millis")), { name: "late start" }).pipe(
        Effect.forkChild,
        Effect.tap(() => settle),
        Effect.tap(() => TestClock.adjust("100 millis")),
        Effect.flatMap(Fiber.join)
      )
      const durations = yield* stateOf("soonify_task_duration_ms", "late start")
      assert.deepStrictEqual([durations.count, durations.sum], [1, 100])
    }).pipe(withRegistry, Effect.provide(TaskGroup.metricsLayer))
  )

  it.effect("tags each series with its group's name; a layer group and gather count too", () =>
    Effect.gen(function* () {
      yield* TaskGroup.run((group) => group.spawn(Effect.void), { name: "first" })
      yield* TaskGroup.run((group) => Effect.all([group.spawn(Effect.void), group.spawn(Effect.void)]), {
        name: "second"
      })
      yield* Effect.gen(function* () {
        const jobs = yield* TaskGroup.Service
        yield* (yield* jobs.spawn(Effect.void)).await
      }).pipe(Effect.provide(Layer.fresh(TaskGroup.layer({ name: "jobs" }))))
      assert.strictEqual((yield* counts("first")).succeeded, 1)
      assert.strictEqual((yield* counts("second")).succeeded, 2)
      assert.strictEqual((yield* counts("jobs")).succeeded, 1)
      assert.deepStrictEqual(TaskGroup.taskMetrics.succeeded.id, "soonify_tasks_succeeded")
    }).pipe(withRegistry, Effect.provide(TaskGroup.metricsLayer))
  )

  it.effect("counts nothing without the layer", () =>
    Effect.gen(function* () {
      yield* TaskGroup.run((group) => Effect.all([group.spawn(Effect.void), group.spawn(Effect.fail("x"))]), {
        name: "unmetered",
        mode: "settle"
      })
      const snapshots = yield* Metric.snapshot
      assert.deepStrictEqual(
        snapshots.filter((s) => s.id.startsWith("soonify_")),
        []
      )
    }).pipe(withRegistry)
  )
})
