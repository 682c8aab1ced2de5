// The remote tasks `RemoteTask.pg.test.ts` calls in a runner process.
import { Schema } from "effect"
import { RemoteTask } from "@soonify/cluster"

export class ImageTooLarge extends Schema.TaggedError<ImageTooLarge>()("ImageTooLarge", { bytes: Schema.Number }) {}

/** Succeeds with a struct holding a `Date` (encoded as a string on the wire), or fails with `ImageTooLarge`. */
export const Resize = RemoteTask.make("Resize", {
  payload: { url: Schema.String, bytes: Schema.Number },
  success: Schema.Struct({ url: Schema.String, at: Schema.Date }),
  error: ImageTooLarge
})

/**
 * Never ends by itself; its handler reports its start and its interruption. A cancelled
 * call waits at most 3 s for the runner's acknowledgement.
 */
export const Hang = RemoteTask.make("Hang", { payload: { id: Schema.Number }, cancelTimeout: "3 seconds" })
