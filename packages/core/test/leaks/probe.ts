// Core's leak probe: every kind of Effect group, with every way it can end, run one
// after another by the loop in test-setup/leak-measure.ts (which says how it is run and
// what it prints), plus the count of fibers the groups made that are still alive.
import { Effect, Exit, Fiber, Metric, Scope, Stream } from "effect"
import { Future, SoonValue, TaskGroup } from "@soonify/core"
import { measureLeaks } from "../../../../test-setup/leak-measure.ts"

/** Fibers made by the groups and not ended yet. */
let liveFibers = 0
const fiberCounter: Metric.FiberRuntimeMetricsService = {
  recordFiberStart: () => void liveFibers++,
  recordFiberEnd: () => void liveFibers--
}

const boom = (i: number) => Effect.fail(`boom ${i}`)

/** A real timer that the group interrupts, so that it is set and then cleared. */
const sleepsLong = Effect.sleep("1 hour")

// Every kind of group, with every way it can end.
const kinds: ReadonlyArray<(i: number) => Effect.Effect<unknown, unknown>> = [
  // succeeds with its tasks' values
  (i) =>
    Effect.flatMap(
      TaskGroup.run((group) => Effect.all([group.spawn(Effect.succeed(i)), group.soonify(Effect.succeed)(i + 1)])),
      ([a, b]) => Effect.zip(a.value, b.value)
    ),
  // fails fast: a failure interrupts a sleeping sibling (a real timer, set and cleared)
  (i) =>
    TaskGroup.run((group) =>
      Effect.andThen(group.spawn(sleepsLong), group.spawn(Effect.andThen(Effect.yieldNow, boom(i))))
    ),
  // settles: failures stay in their handles, read after the group
  (i) =>
    Effect.flatMap(
      TaskGroup.run(
        (group) => Effect.all([group.spawn(boom(i)), group.spawn(Effect.succeed(i)), group.spawn(Effect.die(i))]),
        { mode: "settle" }
      ),
      (handles) => Effect.forEach(handles, (handle) => Effect.exit(handle.value))
    ),
  // settles, each failure handled as it happens
  (i) =>
    TaskGroup.run((group) => Effect.all([group.spawn(boom(i)), group.spawn(Effect.succeed(i))]), {
      mode: "settle",
      onTaskError: () => Effect.void
    }),
  // interrupted from outside while its tasks sleep on real timers
  (i) =>
    Effect.gen(function* () {
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) => Effect.andThen(group.spawn(sleepsLong), group.spawn(Effect.as(sleepsLong, i))))
      )
      yield* Effect.yieldNow
      yield* Fiber.interrupt(fiber)
    }),
  // concurrency-limited, with a cancelled task and a queued task that never starts
  (i) =>
    TaskGroup.run(
      (group) =>
        Effect.gen(function* () {
          const first = yield* group.spawn(sleepsLong)
          yield* group.spawn(Effect.succeed(i))
          yield* Effect.yieldNow
          yield* first.cancel
        }),
      { concurrency: 1 }
    ),
  // nested groups, the inner one failing
  (i) =>
    TaskGroup.run((group) =>
      group.spawn(TaskGroup.run((inner) => inner.spawn(Effect.andThen(Effect.yieldNow, boom(i)))))
    ),
  // the start handshake, then the task is cancelled
  (i) =>
    TaskGroup.run((group) =>
      Effect.flatMap(
        group.start((started: TaskGroup.Started<number>) => Effect.andThen(started(i), Effect.never)),
        ([, handle]) => handle.cancel
      )
    ),
  // gather, both ways
  (i) => TaskGroup.gather([Effect.succeed(i), Effect.andThen(Effect.yieldNow, boom(i)), sleepsLong]),
  (i) => TaskGroup.gather({ a: Effect.succeed(i), b: boom(i) }, { returnExceptions: true }),
  // a scoped group, joined
  (i) =>
    Effect.scoped(
      Effect.gen(function* () {
        const group = yield* TaskGroup.make<string>({ mode: "settle" })
        yield* group.spawn(Effect.as(Effect.yieldNow, i))
        const failed = yield* group.spawn(boom(i))
        yield* TaskGroup.join(group)
        yield* Effect.exit(failed.await)
      })
    ),
  // a scoped group whose scope closes with a failure
  (i) =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const group = yield* Scope.provide(TaskGroup.make(), scope)
      yield* group.spawn(sleepsLong)
      yield* Effect.yieldNow
      yield* Scope.close(scope, Exit.fail(i))
    }),
  // an unsafe group driven from outside, cancelled
  (i) =>
    Effect.suspend(() => {
      const group = TaskGroup.makeUnsafe()
      TaskGroup.spawnUnsafe(group, sleepsLong)
      TaskGroup.spawnUnsafe(group, Effect.succeed(i))
      TaskGroup.cancelUnsafe(group)
      return TaskGroup.join(group)
    }),
  // waiting on many handles, and a Future
  (i) =>
    TaskGroup.run((group) =>
      Effect.gen(function* () {
        const future = yield* Future.make<number>()
        const handles = [yield* group.spawn(Effect.as(Effect.yieldNow, i)), yield* group.spawn(sleepsLong)]
        yield* SoonValue.waitAny(handles)
        yield* Future.succeed(future, i)
        yield* SoonValue.waitAll([handles[0], future])
        yield* Stream.runDrain(Stream.take(SoonValue.asCompleted(handles), 1))
        yield* handles[1].cancel
      })
    ),
  // a task awaited by the body, whose value the body returns
  (i) => TaskGroup.run((group) => Effect.flatMap(group.spawn(Effect.as(Effect.yieldNow, i)), (handle) => handle.await)),
  // observed: a task reports progress and opens a group, while every open group is snapshotted
  (i) =>
    TaskGroup.run((group) =>
      group.spawn(
        Effect.andThen(
          TaskGroup.reportProgress(i, i + 1),
          TaskGroup.run((inner) =>
            Effect.andThen(
              inner.spawn(Effect.yieldNow),
              Effect.sync(() => TaskGroup.snapshotAllUnsafe())
            )
          )
        )
      )
    ),
  // abandoned: an unsafe group nobody joins, which the registry must not keep
  () => Effect.sync(() => void TaskGroup.makeUnsafe())
]

await measureLeaks({
  kinds: kinds.length,
  run: (from, count, ended) =>
    Effect.runPromise(
      Effect.forEach(
        Array.from({ length: count }, (_, k) => from + k),
        (i) => Effect.map(Effect.exit(kinds[i % kinds.length](i)), (exit) => ended(i, exit._tag)),
        { discard: true }
      ).pipe(Effect.provideService(Metric.FiberRuntimeMetrics, fiberCounter))
    ),
  // Abandoned groups are still open: collect them before counting the open groups.
  counts: () => {
    ;(globalThis as { gc?: () => void }).gc?.()
    return { liveFibers, openGroups: TaskGroup.snapshotAllUnsafe().length }
  }
})
