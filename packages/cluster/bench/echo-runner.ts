// The runner process of `bench/remote-cost.ts --loopback`: serves `Echo` on a loopback
// socket, its runner registry in PostgreSQL. Prints `ready` once it serves.
import { NodeClusterSocket, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option } from "effect"
import { RunnerAddress } from "effect/cluster"
import { EchoLive } from "./echo.ts"

const [port, pgPort] = process.argv.slice(2).map(Number)

const Serve = EchoLive.pipe(
  Layer.provide(
    NodeClusterSocket.layer({
      storage: "sql",
      shardingConfig: { runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port!)) }
    })
  ),
  Layer.provide(PgClient.layer({ host: "127.0.0.1", port: pgPort!, username: "postgres", database: "postgres" })),
  Layer.tap(() => Effect.sync(() => console.log("ready")))
)

NodeRuntime.runMain(Layer.launch(Serve))
