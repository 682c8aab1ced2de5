// What a runner process of the PostgreSQL tests and of the loopback bench runs: the given
// entities on a loopback socket at `port`, the runner registry in the PostgreSQL at
// `pgPort` (both from the command line), printing `ready` once it serves.
import { NodeClusterSocket, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option } from "effect"
import { RunnerAddress } from "effect/cluster"
import type { Sharding } from "effect/cluster/Sharding"

/** Serves `entities` until the process is stopped; `port` and `pgPort` are the process's two arguments. */
export const serveRunner = <E>(entities: Layer.Layer<never, E, Sharding>): void => {
  const [port, pgPort] = process.argv.slice(2).map(Number)
  const serve = entities.pipe(
    Layer.provide(
      NodeClusterSocket.layer({
        storage: "sql",
        shardingConfig: { runnerAddress: Option.some(RunnerAddress.make("127.0.0.1", port!)) }
      })
    ),
    Layer.provide(PgClient.layer({ host: "127.0.0.1", port: pgPort!, username: "postgres", database: "postgres" })),
    Layer.tap(() => Effect.sync(() => console.log("ready")))
  )
  NodeRuntime.runMain(Layer.launch(serve))
}
