// One runner process of the demo's multi-process mode: a socket runner on 127.0.0.1
// that serves `Render`, with its message and runner storage in PostgreSQL. It prints
// `ready` once it serves, and `ran <order>` / `rendered <order>` for each activity it runs
// (and records each run in the demo's table, `runs.ts`),
// and `delivering <parcel>` for each run of a durable group member's activity, which the
// demo's driver counts.
import { NodeClusterSocket, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option } from "effect"
import { ClusterWorkflowEngine, RunnerAddress } from "effect/cluster"
import { SqlClient } from "effect/sql/SqlClient"
import { DurableGroup } from "@soonify/cluster"
import { Deliver, deliverLive, renderLive } from "./render.ts"
import { recordingHooks } from "./runs.ts"
import { shardingConfig } from "./settings.ts"

const [port, pgPort] = process.argv.slice(2).map(Number)

const Runner = NodeClusterSocket.layer({
  storage: "sql",
  shardingConfig: { ...shardingConfig, runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port!)) }
}).pipe(
  Layer.provideMerge(PgClient.layer({ host: "127.0.0.1", port: pgPort!, username: "postgres", database: "postgres" }))
)

/** Records each run in the demo's table (`runs.ts`) and prints it for the demo's progress line. */
const Render = Layer.unwrap(
  Effect.gen(function* () {
    const recording = recordingHooks(yield* SqlClient, port!)
    return renderLive({
      started: (order, attempt) =>
        recording.started(order, attempt).pipe(Effect.tap(() => Effect.sync(() => console.log(`ran ${order}`)))),
      finished: (order, run) =>
        recording.finished(order, run).pipe(Effect.tap(() => Effect.sync(() => console.log(`rendered ${order}`))))
    })
  })
)

const Serve = Layer.mergeAll(
  Render,
  deliverLive((parcel) => console.log(`delivering ${parcel}`)),
  DurableGroup.layer(Deliver)
).pipe(
  Layer.provideMerge(ClusterWorkflowEngine.layer),
  Layer.provide(Runner),
  Layer.tap(() => Effect.sync(() => console.log("ready")))
)

NodeRuntime.runMain(Layer.launch(Serve))
