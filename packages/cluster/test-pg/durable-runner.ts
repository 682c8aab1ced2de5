// A runner process of `DurableGroup.pg.test.ts`: serves `PgWork` and durable groups of
// it (the cluster's workflow engine, SQL storage in PostgreSQL) on a loopback socket.
// Arguments: its port, PostgreSQL's port. Prints `ready`, then what the members do.
import { NodeClusterSocket, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option, References } from "effect"
import { ClusterWorkflowEngine, RunnerAddress } from "effect/cluster"
import { DurableGroup } from "@soonify/cluster"
import { shardingConfig } from "../demo/settings.ts"
import { Work, workLayer } from "./durable-work.ts"

const [port, pgPort] = process.argv.slice(2).map(Number)

const Serve = Layer.mergeAll(
  workLayer((line) => console.log(line)),
  DurableGroup.layer(Work)
).pipe(
  Layer.provideMerge(ClusterWorkflowEngine.layer),
  Layer.provide(
    NodeClusterSocket.layer({
      storage: "sql",
      shardingConfig: { ...shardingConfig, runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port!)) }
    })
  ),
  Layer.provide(PgClient.layer({ host: "127.0.0.1", port: pgPort!, username: "postgres", database: "postgres" })),
  Layer.tap(() => Effect.sync(() => console.log("ready")))
)

NodeRuntime.runMain(Layer.launch(Serve).pipe(Effect.provideService(References.MinimumLogLevel, "Error")))
