// A runner process for `RemoteTask.pg.test.ts`: serves the tasks of `remote-tasks.ts` on
// a loopback socket, its runner registry in PostgreSQL. Prints `ready` once it serves,
// and `started <id>` / `interrupted <id>` from the `Hang` handler.
import { NodeClusterSocket, NodeRuntime } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option } from "effect"
import { RunnerAddress } from "effect/cluster"
import { RemoteTask } from "@soonify/cluster"
import { Hang, ImageTooLarge, Resize } from "./remote-tasks.ts"

const [port, pgPort] = process.argv.slice(2).map(Number)

const Tasks = Layer.mergeAll(
  RemoteTask.toLayer(Resize, ({ url, bytes }) =>
    bytes > 100 ? Effect.fail(new ImageTooLarge({ bytes })) : Effect.succeed({ url, at: new Date(0) })
  ),
  RemoteTask.toLayer(Hang, ({ id }) =>
    Effect.sync(() => console.log(`started ${id}`)).pipe(
      Effect.andThen(Effect.never),
      Effect.onInterrupt(() => Effect.sync(() => console.log(`interrupted ${id}`)))
    )
  )
)

const Serve = Tasks.pipe(
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
