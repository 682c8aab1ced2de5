// The workflow both restart tests run (in memory here, on PostgreSQL in test-pg/): an
// order is packed by an activity, then shipped at once (express) or after a durable
// "Delivered" signal, and a group that ships every order as a durable task.
import { Effect, Queue, Schema } from "effect"
import { Activity, DurableDeferred, Workflow, WorkflowEngine } from "effect/workflow"
import { type SoonValue, TaskGroup } from "@soonify/core"
import { DurableTask } from "@soonify/cluster"

export const Ship = Workflow.make("Ship", {
  payload: { orderId: Schema.String, express: Schema.Boolean },
  success: Schema.String,
  idempotencyKey: ({ orderId }) => orderId
})

export const Delivered = DurableDeferred.make("Delivered", { success: Schema.String })

export interface Order {
  readonly orderId: string
  readonly express: boolean
}

/** The group a "process" runs: one durable task per order. */
export const shipAll = (
  orders: ReadonlyArray<Order>
): Effect.Effect<Array<SoonValue.SoonValue<string, never>>, never, WorkflowEngine.WorkflowEngine> =>
  TaskGroup.run((group) => Effect.forEach(orders, (order) => group.soonify(DurableTask.call(Ship))(order)))

/**
 * The workflow's implementation: counts each order's packing in `packed` (an activity
 * runs once per execution, whatever restarts) and offers its id to `started`.
 */
export const shipLayer = (packed: Map<string, number>, started: Queue.Queue<string>) =>
  Ship.toLayer(({ orderId, express }) =>
    Effect.gen(function* () {
      const parcel = yield* Activity.make({
        name: "pack",
        success: Schema.String,
        execute: Effect.sync(() => {
          packed.set(orderId, (packed.get(orderId) ?? 0) + 1)
          Queue.offerUnsafe(started, orderId)
          return `parcel ${orderId}`
        })
      })
      if (express) return `${parcel} shipped`
      return `${parcel} ${yield* DurableDeferred.await(Delivered)}`
    })
  )
