// A caller process of `DurableGroup.pg.test.ts`: a client of the cluster (no shards)
// that runs the durable group `key` with the members of `durable-work.ts`, printing
// `spawned <id>` for each, then `outcome <json>` with what `DurableGroup.run` gave.
// Arguments: PostgreSQL's port, the group's key. It starts the group once the two runners
// hold all 300 shards, settled (a runner that joins while another holds its shards makes
// that one hand them over, and a member routed there then may wait long: this failed the
// test once in CI).
import { NodeClusterSocket, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Cause, Effect, Exit, Layer, References } from "effect"
import { ClusterWorkflowEngine } from "effect/cluster"
import { SqlClient } from "effect/sql/SqlClient"
import { DurableGroup } from "@soonify/cluster"
import { waitForSettledShards } from "../demo/runs.ts"
import { shardingConfig } from "../demo/settings.ts"
import { members, Work } from "./durable-work.ts"

const [pgPortArg, key] = process.argv.slice(2)

const client = ClusterWorkflowEngine.layer.pipe(
  Layer.provideMerge(NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig })),
  Layer.provideMerge(
    PgClient.layer({ host: "127.0.0.1", port: Number(pgPortArg), username: "postgres", database: "postgres" })
  )
)

const program = Effect.gen(function* () {
  // effect/cluster's default: 300 shards (`shardsPerGroup`) in one group, over 2 runners
  yield* waitForSettledShards(yield* SqlClient, 2, 300)
  const exit = yield* Effect.exit(
    DurableGroup.run(key!, (group) =>
      Effect.gen(function* () {
        const handles = []
        for (const member of members) {
          handles.push(yield* group.spawn(Work)(member))
          console.log(`spawned ${member.id}`)
        }
        return yield* Effect.forEach(handles, (handle) => handle.await)
      })
    )
  )
  const outcome = Exit.isSuccess(exit)
    ? { values: exit.value }
    : {
        failures: exit.cause.reasons.filter(Cause.isFailReason).map((reason) => reason.error),
        interruptedOnly: Cause.hasInterruptsOnly(exit.cause)
      }
  console.log(`outcome ${JSON.stringify(outcome)}`)
}).pipe(Effect.provide(client), Effect.provideService(References.MinimumLogLevel, "Error"))

NodeRuntime.runMain(program)
