// Runs many task groups one after another and reports what they left behind: run by
// leaks.test.ts in a fresh Node process started with --expose-gc, so that the heap is
// measured after full collections and nothing else shares it.
//
//   node --expose-gc --conditions=@soonify/source probe.ts GROUPS
//
// Prints one JSON line: the heap after a warm-up and after each tenth of GROUPS more
// groups, the fibers still alive, and the active handles (timers and the like) before
// and after.
import { Effect, Exit, Fiber, Metric, Scope, Stream } from "effect"
import { Future, SoonValue, TaskGroup } from "@soonify/core"

declare const gc: () => void

const groups = Number(process.argv[2] ?? 10_000)
// Enough groups for the JIT and Effect's caches to settle before the heap is measured.
const warmUp = Math.max(5_000, Math.ceil(groups / 10))

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
  // settles: failures stay in their handles
  (i) =>
    TaskGroup.run(
      (group) => Effect.all([group.spawn(boom(i)), group.spawn(Effect.succeed(i)), group.spawn(Effect.die(i))]),
      {
        mode: "settle"
      }
    ),
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
        const group = yield* TaskGroup.make({ mode: "settle" })
        yield* group.spawn(Effect.as(Effect.yieldNow, i))
        yield* group.spawn(boom(i))
        yield* TaskGroup.join(group)
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
  (i) => TaskGroup.run((group) => Effect.flatMap(group.spawn(Effect.as(Effect.yieldNow, i)), (handle) => handle.await))
]

/** How each kind of group ended, by kind: `Success`, `Failure`, or both when it varied. */
const outcomes: Array<Set<string>> = kinds.map(() => new Set())

const runGroups = (from: number, count: number) =>
  Effect.runPromise(
    Effect.forEach(
      Array.from({ length: count }, (_, k) => from + k),
      (i) => Effect.map(Effect.exit(kinds[i % kinds.length](i)), (exit) => outcomes[i % kinds.length].add(exit._tag)),
      { discard: true }
    ).pipe(Effect.provideService(Metric.FiberRuntimeMetrics, fiberCounter))
  )

const settleHeap = async () => {
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setImmediate(resolve))
    gc()
  }
  return process.memoryUsage().heapUsed
}

const handles = () => process.getActiveResourcesInfo().toSorted()

const before = handles()
await runGroups(0, warmUp)
const heapBefore = await settleHeap()
const started = performance.now()
const checkpoints: Array<number> = []
const step = Math.ceil(groups / 10)
for (let done = 0; done < groups; done += step) {
  await runGroups(warmUp + done, Math.min(step, groups - done))
  checkpoints.push(await settleHeap())
}
const elapsed = performance.now() - started
const heapAfter = checkpoints[checkpoints.length - 1]
const after = handles()
process.stdout.write(
  `${JSON.stringify({
    groups,
    warmUp,
    heapBefore,
    heapAfter,
    elapsedMs: Math.round(elapsed),
    liveFibers,
    checkpoints,
    before,
    after,
    outcomes: outcomes.map((tags) => [...tags].toSorted().join("|"))
  })}\n`
)
