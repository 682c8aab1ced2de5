// A caller process of the demo's durable group: a client of the cluster (no shards)
// that runs the group `key` (argument 2; PostgreSQL's port is argument 1), printing
// `spawned <parcel>` as it spawns and `results <json>` at the end.
import { NodeClusterSocket, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, References } from "effect"
import { ClusterWorkflowEngine } from "effect/cluster"
import { DurableGroup } from "@soonify/cluster"
import { deliverAll } from "./group.ts"
import { shardingConfig } from "./settings.ts"

const [pgPort, key] = process.argv.slice(2)

const client = ClusterWorkflowEngine.layer.pipe(
  Layer.provideMerge(NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig })),
  Layer.provide(PgClient.layer({ host: "127.0.0.1", port: Number(pgPort), username: "postgres", database: "postgres" }))
)

const program = DurableGroup.run(
  key!,
  deliverAll((parcel) => console.log(`spawned ${parcel}`))
).pipe(
  Effect.tap((results) => Effect.sync(() => console.log(`results ${JSON.stringify(results)}`))),
  Effect.provide(client),
  Effect.provideService(References.MinimumLogLevel, "Error")
)

NodeRuntime.runMain(program)
