// The demo's durable task: the `Render` workflow, and the layer that serves it.
import { Effect, Schema } from "effect"
import { Activity, Workflow } from "effect/workflow"

export const Render = Workflow.make("Render", {
  payload: { order: Schema.Number },
  success: Schema.String,
  idempotencyKey: ({ order }) => String(order)
})

/** What a runner does around each run of the `render` activity. */
export interface RenderHooks {
  /** Before the run's work (its `attempt` is the activity's); gives the run's id. */
  readonly started: (order: number, attempt: number) => Effect.Effect<number>
  /** Once the run's work has ended, before the engine saves the activity's reply. */
  readonly finished: (order: number, run: number) => Effect.Effect<void>
}

/**
 * Serves `Render`: one activity of a few milliseconds per order, idempotent (same
 * order, same result), as at-least-once delivery requires. `hooks` hear of every run
 * of the activity and of its end.
 */
export const renderLive = (hooks: RenderHooks) =>
  Render.toLayer(({ order }) =>
    Activity.make({
      name: "render",
      success: Schema.String,
      execute: Effect.gen(function* () {
        const run = yield* hooks.started(order, yield* Activity.CurrentAttempt)
        yield* Effect.sleep(`${5 + (order % 10)} millis`)
        yield* hooks.finished(order, run)
        return `order ${order} rendered`
      })
    })
  )

/** The durable group's member: one delivery, a few hundred milliseconds of work. */
export const Deliver = Workflow.make("Deliver", {
  payload: { parcel: Schema.Number },
  success: Schema.String,
  idempotencyKey: ({ parcel }) => String(parcel)
})

/** How long delivering `parcel` takes. */
export const deliveryMs = (parcel: number) => 300 + (parcel % 4) * 150

/** Serves `Deliver`: one activity per parcel; `onRun` hears of every run of it. */
export const deliverLive = (onRun: (parcel: number) => void) =>
  Deliver.toLayer(({ parcel }) =>
    Activity.make({
      name: "deliver",
      success: Schema.String,
      execute: Effect.gen(function* () {
        onRun(parcel)
        yield* Effect.sleep(`${deliveryMs(parcel)} millis`)
        return `parcel ${parcel} delivered`
      })
    })
  )
