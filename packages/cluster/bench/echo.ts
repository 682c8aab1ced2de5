// The bench's remote task: returns its input.
import { Effect, Schema } from "effect"
import { RemoteTask } from "@soonify/cluster"

export const Echo = RemoteTask.make("Echo", { payload: { i: Schema.Number }, success: Schema.Number })
export const EchoLive = RemoteTask.toLayer(Echo, ({ i }) => Effect.succeed(i))
