// One runner process of the demo's multi-process mode: a socket runner on 127.0.0.1
// that serves `Render`, with its message and runner storage in PostgreSQL. It prints
// `ready` once it serves, and `ran <order>` / `rendered <order>` for each activity it runs,
// and `delivering <parcel>` for each run of a durable group member's activity, which the
// demo's driver counts.
import { NodeClusterSocket, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option } from "effect"
import { ClusterWorkflowEngine, RunnerAddress } from "effect/cluster"
import { DurableGroup } from "@soonify/cluster"
import { Deliver, deliverLive, renderLive } from "./render.ts"
import { shardingConfig } from "./settings.ts"

const [port, pgPort] = process.argv.slice(2).map(Number)

const Runner = NodeClusterSocket.layer({
  storage: "sql",
  shardingConfig: { ...shardingConfig, runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port!)) }
}).pipe(Layer.provide(PgClient.layer({ host: "127.0.0.1", port: pgPort!, username: "postgres", database: "postgres" })))

const Serve = Layer.mergeAll(
  renderLive({
    onRun: (order) => console.log(`ran ${order}`),
    onRendered: (order) => console.log(`rendered ${order}`)
  }),
  deliverLive((parcel) => console.log(`delivering ${parcel}`)),
  DurableGroup.layer(Deliver)
).pipe(
  Layer.provideMerge(ClusterWorkflowEngine.layer),
  Layer.provide(Runner),
  Layer.tap(() => Effect.sync(() => console.log("ready")))
)

NodeRuntime.runMain(Layer.launch(Serve))
