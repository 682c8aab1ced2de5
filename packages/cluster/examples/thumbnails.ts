// The README's example: a remote task, the layer a runner serves it with, and a task
// group that calls it. `test/examples.test.ts` runs it on an in-process cluster.
import { Effect, Schema } from "effect"
import { TaskGroup } from "@soonify/core"
import { RemoteTask } from "@soonify/cluster"

// --- tasks.ts: imported by the callers and by the runners --------------------------

export class ImageTooLarge extends Schema.TaggedError<ImageTooLarge>()("ImageTooLarge", {
  url: Schema.String,
  bytes: Schema.Number
}) {}

export const Thumbnail = RemoteTask.make("Thumbnail", {
  payload: { url: Schema.String, width: Schema.Number },
  success: Schema.Struct({ url: Schema.String, bytes: Schema.Number }),
  error: ImageTooLarge
})

// --- runner.ts: what a runner process serves ----------------------------------------

/** Stands in for the real work: a fetch and a resize. */
const render = (url: string, width: number) =>
  Effect.gen(function* () {
    yield* Effect.sleep("20 millis")
    const bytes = url.length * width
    if (bytes > 50_000) return yield* new ImageTooLarge({ url, bytes })
    // Idempotent: the same payload gives the same thumbnail, so a call delivered twice does no harm.
    return { url: `${url}?w=${width}`, bytes }
  })

export const ThumbnailLive = RemoteTask.toLayer(Thumbnail, ({ url, width }) => render(url, width))

// --- caller.ts: an ordinary task group whose tasks run on the runners ---------------

export const thumbnails = (urls: ReadonlyArray<string>, width: number) =>
  TaskGroup.run((group) => Effect.forEach(urls, (url) => group.soonify(RemoteTask.call(Thumbnail))({ url, width })), {
    concurrency: 64,
    name: "thumbnails"
  }).pipe(Effect.flatMap((handles) => Effect.forEach(handles, (soon) => soon.value)))
