// A runner process for `RemoteTask.pg.test.ts`: serves the tasks of `remote-tasks.ts` on
// a loopback socket, its runner registry in PostgreSQL. Prints `ready` once it serves,
// and `started <id>` / `interrupted <id>` from the `Hang` handler.
import { Effect, Layer } from "effect"
import { RemoteTask } from "@soonify/cluster"
import { Hang, ImageTooLarge, Resize } from "./remote-tasks.ts"
import { serveRunner } from "./serveRunner.ts"

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

serveRunner(Tasks)
