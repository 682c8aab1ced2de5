// The demo's durable task: the `Render` workflow, and the layer that serves it.
import { Effect, Schema } from "effect"
import { Activity, Workflow } from "effect/workflow"

export const Render = Workflow.make("Render", {
  payload: { order: Schema.Number },
  success: Schema.String,
  idempotencyKey: ({ order }) => String(order)
})

/**
 * Serves `Render`: one activity of a few milliseconds per order, idempotent (same
 * order, same result), as at-least-once delivery requires. `onRun` hears of every run
 * of the activity, and `onRendered` of every one that finished.
 */
export const renderLive = (hooks: {
  readonly onRun: (order: number) => void
  readonly onRendered: (order: number) => void
}) =>
  Render.toLayer(({ order }) =>
    Activity.make({
      name: "render",
      success: Schema.String,
      execute: Effect.gen(function* () {
        hooks.onRun(order)
        yield* Effect.sleep(`${5 + (order % 10)} millis`)
        hooks.onRendered(order)
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
