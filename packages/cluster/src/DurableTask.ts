/**
 * Durable tasks: a task of an ordinary `TaskGroup` that is an execution of an
 * `effect/workflow` workflow, so that it survives the process that started it.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as Workflow from "effect/workflow/Workflow"
import type { WorkflowEngine } from "effect/workflow/WorkflowEngine"
import * as internal from "./internal/durableTask.ts"

/**
 * What interrupting a durable task does to its workflow execution.
 *
 * - `"interruptExecution"` (default): the task's interruption (its group's fail fast,
 *   `soon.cancel()`, the group's interruption) asks the engine to interrupt the
 *   execution, then waits until the execution has ended.
 * - `"keepExecution"`: the task only stops waiting; the execution goes on in the
 *   engine, and a later call with the same payload re-attaches to it.
 *
 * **Example**
 *
 * ```ts
 * import { Schema } from "effect"
 * import { Workflow } from "effect/workflow"
 * import { DurableTask } from "@soonify/cluster"
 *
 * const Nightly = Workflow.make("Nightly", { payload: { day: Schema.String }, idempotencyKey: ({ day }) => day })
 * const onInterrupt: DurableTask.OnInterrupt = "keepExecution" // survives a deploy that interrupts its group
 * export const nightly = DurableTask.call(Nightly, { onInterrupt })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type OnInterrupt = internal.OnInterrupt

/**
 * Options of {@link call}.
 *
 * **Example**
 *
 * ```ts
 * import { Schema } from "effect"
 * import { Workflow } from "effect/workflow"
 * import { DurableTask } from "@soonify/cluster"
 *
 * const Report = Workflow.make("Report", { payload: { month: Schema.String }, idempotencyKey: ({ month }) => month })
 * const options: DurableTask.CallOptions = { onInterrupt: "interruptExecution" } // the default
 * export const report = DurableTask.call(Report, options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions {
  /** What interrupting the task does to its execution. Default `"interruptExecution"`. */
  readonly onInterrupt?: OnInterrupt | undefined
}

/**
 * A function that runs a workflow execution as a task: `call(workflow)(payload)`
 * executes `workflow` with `payload`, or re-attaches to the execution that payload
 * already has, and succeeds or fails as the execution does.
 *
 * **When to use**
 *
 * When a group's tasks must outlive the process that runs the group: each task is a
 * durable execution kept by the workflow engine (`ClusterWorkflowEngine` on a
 * cluster with SQL storage; `WorkflowEngine.layerMemory` in tests). After a restart,
 * running the same group again with the same payloads re-attaches every task to its
 * execution: the ones that ended give their results at once, the others are waited
 * for, and no payload gets a second execution. (Activities are at least once: one
 * whose runner was killed before it saved its result runs again.)
 *
 * **Details**
 *
 * - The workflow is Effect's own: define it with `Workflow.make` (its `idempotencyKey`
 *   decides which payloads are the same execution) and serve it with its `toLayer`.
 * - In a group, a durable task behaves as a local one: its typed error is the task's
 *   failure (fail fast, or kept in its handle in `settle` mode).
 * - Interrupting the task (fail fast, `soon.cancel()`, the group's interruption)
 *   interrupts the execution and waits until it has ended: the engine interrupts it
 *   at its next suspension point (a `DurableDeferred.await`, a `DurableClock.sleep`,
 *   a replay), runs its compensations and finalizers, and records it as interrupted.
 *   A failure the execution met meanwhile is added to the interruption, so none is
 *   lost. With `onInterrupt: "keepExecution"` the task only stops waiting.
 * - A task stopped because this process's cluster runner shuts down (its `Sharding`
 *   closes, or the cluster abandons the call to the shard's next owner) ends
 *   interrupted and leaves its execution running: the next runner carries it on.
 * - Called from inside a workflow it dies with an `IllegalArgumentError`: there, run
 *   child workflows with their own `execute`, which Effect links to the parent.
 * - A bad argument throws an `IllegalArgumentError` naming it.
 *
 * **Gotchas**
 *
 * An execution that never reaches a suspension point (a workflow stuck in one long
 * effect) is interrupted only when it does, and its group waits for it. Stopping a
 * process by interrupting its groups first (before its runner) cancels their
 * executions: to leave them running across a deploy, close the runner first, or call
 * with `onInterrupt: "keepExecution"`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Layer, Schema } from "effect"
 * import { Workflow, WorkflowEngine } from "effect/workflow"
 * import { TaskGroup } from "@soonify/core"
 * import { DurableTask } from "@soonify/cluster"
 *
 * const Invoice = Workflow.make("Invoice", {
 *   payload: { orderId: Schema.String },
 *   success: Schema.String,
 *   idempotencyKey: ({ orderId }) => orderId // one execution per order, ever
 * })
 * const InvoiceLive = Invoice.toLayer(({ orderId }) => Effect.succeed(`invoice for ${orderId}`))
 *
 * const program = Effect.gen(function* () {
 *   const [a, b] = yield* TaskGroup.run((group) =>
 *     Effect.all([
 *       group.soonify(DurableTask.call(Invoice))({ orderId: "o-1" }),
 *       group.soonify(DurableTask.call(Invoice))({ orderId: "o-2" })
 *     ])
 *   )
 *   return [yield* a.value, yield* b.value] // ["invoice for o-1", "invoice for o-2"]
 * }).pipe(Effect.provide(InvoiceLive.pipe(Layer.provideMerge(WorkflowEngine.layerMemory))))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const call: <
  Name extends string,
  Payload extends Workflow.AnyStructSchema,
  Success extends Schema.Top,
  Error extends Schema.Top
>(
  workflow: Workflow.Workflow<Name, Payload, Success, Error>,
  options?: CallOptions
) => (
  payload: Payload["~type.make.in"]
) => Effect.Effect<
  Success["Type"],
  Error["Type"],
  WorkflowEngine | Payload["EncodingServices"] | Success["DecodingServices"] | Error["DecodingServices"]
> = internal.call as any
