/**
 * `pnpm demo:cluster`: a group of durable tasks that survives the loss of its runner.
 *
 * In-memory mode (the only one so far): one process, two runners in turn on one
 * in-memory message storage. Runner 1 starts a group of ORDERS durable tasks and is
 * stopped halfway; runner 2 starts on the same storage and runs the same group again:
 * finished tasks re-attach to their results, the rest run to their end, and the demo
 * checks that every order has its result and how many activities ran twice (only
 * those cut off mid-run by the stop: at-least-once).
 */
import { Effect, Exit, Fiber, Layer, References, Schema, Scope } from "effect"
import {
  ClusterWorkflowEngine,
  MessageStorage,
  RunnerHealth,
  Runners,
  RunnerStorage,
  Sharding,
  ShardingConfig
} from "effect/cluster"
import { Activity, Workflow } from "effect/workflow"
import { SoonValue, TaskGroup } from "@soonify/core"
import { DurableTask } from "@soonify/cluster"

const orders = Number(process.env.ORDERS ?? 2000)

const Render = Workflow.make("Render", {
  payload: { order: Schema.Number },
  success: Schema.String,
  idempotencyKey: ({ order }) => String(order)
})

/** How many times each order's activity ran, across both runners. */
const runs = new Map<number, number>()
let rendered = 0

const RenderLive = Render.toLayer(({ order }) =>
  Activity.make({
    name: "render",
    success: Schema.String,
    // the work: a few milliseconds; idempotent (same order, same result), as at-least-once requires
    execute: Effect.gen(function* () {
      runs.set(order, (runs.get(order) ?? 0) + 1)
      yield* Effect.sleep(`${5 + (order % 10)} millis`)
      rendered++
      return `order ${order} rendered`
    })
  })
)

const config = ShardingConfig.layer({
  entityTerminationTimeout: 0,
  refreshAssignmentsInterval: 0,
  entityMessagePollInterval: 100
})

/** The group: one durable task per order, at most 200 at once. */
const renderAll = TaskGroup.run(
  (group) =>
    Effect.forEach(
      Array.from({ length: orders }, (_, order) => order),
      (order) => group.soonify(DurableTask.call(Render))({ order })
    ),
  { concurrency: 200, name: "render-all" }
)

/** The progress line: rewritten in place on a terminal, one line per update elsewhere. */
const progress = (label: string) =>
  process.stdout.write(
    `${process.stdout.isTTY ? "\r" : ""}${label}: ${rendered}/${orders} rendered${process.stdout.isTTY ? "" : "\n"}`
  )

const main = Effect.gen(function* () {
  console.log(`soonify cluster demo: ${orders} durable tasks, one runner stopped halfway (in-memory mode)`)
  console.log(
    "skipped: the multi-process mode (runner processes on loopback sharing PostgreSQL) is not built yet;\n" +
      "  it needs @effect/platform-node (socket runners), @effect/sql-pg and a PostgreSQL server"
  )
  const storage = yield* Layer.build(
    Layer.mergeAll(MessageStorage.layerMemory, RunnerStorage.layerMemory).pipe(Layer.provide(config))
  )
  const runner = RenderLive.pipe(
    Layer.provideMerge(ClusterWorkflowEngine.layer),
    Layer.provideMerge(Sharding.layer),
    Layer.provide([Runners.layerNoop, RunnerHealth.layerNoop]),
    Layer.provide(Layer.succeedContext(storage)),
    Layer.provide(config)
  )

  // runner 1: runs the group until half the orders are rendered, then stops
  const runner1 = yield* Scope.make()
  const group1 = yield* Effect.forkChild(Effect.provideContext(renderAll, yield* Layer.buildWithScope(runner, runner1)))
  // `rendered` moves in the handlers' fibers, between two looks
  const halfway = () => rendered >= orders / 2
  while (!halfway()) {
    progress("runner 1")
    yield* Effect.sleep("100 millis")
  }
  progress("runner 1")
  yield* Scope.close(runner1, Exit.void)
  const left = yield* Fiber.join(group1)
  const cutOff = left.filter((soon) => Exit.isFailure(SoonValue.pollUnsafe(soon)!)).length
  console.log(
    `${process.stdout.isTTY ? "\n" : ""}runner 1 stopped: ${orders - cutOff} tasks had ended, ${cutOff} were cut off`
  )

  // runner 2: same storage, same group
  const runner2 = yield* Scope.make()
  const group2 = yield* Effect.forkChild(Effect.provideContext(renderAll, yield* Layer.buildWithScope(runner, runner2)))
  while (group2.pollUnsafe() === undefined) {
    progress("runner 2")
    yield* Effect.sleep("100 millis")
  }
  progress("runner 2")
  const handles = yield* Fiber.join(group2)
  const values = yield* Effect.forEach(handles, (soon) => soon.value)
  yield* Scope.close(runner2, Exit.void)

  const missing = values.filter((value, order) => value !== `order ${order} rendered`).length
  const twice = [...runs.values()].filter((n) => n > 1).length
  console.log(
    `${process.stdout.isTTY ? "\n" : ""}runner 2 finished the group: ${values.length - missing}/${orders} results, ${missing} missing`
  )
  console.log(
    `activities run twice: ${twice} (at-least-once: only tasks cut off mid-run, ${cutOff} were cut off), never run: ${orders - runs.size}`
  )
  if (missing > 0 || runs.size !== orders || twice > cutOff) return yield* Effect.die("the demo lost or repeated work")
})

// The runners' own logs (a runner stopping warns that no runner is left) would break the progress line.
await Effect.runPromise(Effect.scoped(main).pipe(Effect.provideService(References.MinimumLogLevel, "Error")))
