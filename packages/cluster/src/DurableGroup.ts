/**
 * Durable groups: a group of durable tasks that is itself a workflow execution,
 * keyed by the group's key, whose fail fast runs in the engine while no caller runs.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import type * as Schema from "effect/Schema"
import type * as Workflow from "effect/workflow/Workflow"
import type { WorkflowEngine } from "effect/workflow/WorkflowEngine"
import type { PendingValue } from "@soonify/core"
import * as internal from "./internal/durableGroup.ts"
import * as engineSide from "./internal/durableGroupWorkflow.ts"

/**
 * How a durable group treats a member's failure.
 *
 * - `"failFast"` (default): the engine interrupts the other members (also inside a
 *   long activity), waits for their compensations and finalizers, and the group fails
 *   with every member failure.
 * - `"settle"`: members run on; failures stay in their handles.
 *
 * **Example**
 *
 * ```ts
 * import type { DurableGroup } from "@soonify/cluster"
 *
 * export const mode: DurableGroup.Mode = "settle"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Mode = internal.Mode

/**
 * What interrupting the caller of {@link run} does to the group: `"cancel"` (default)
 * cancels it as {@link cancel} does and waits; `"detach"` only stops waiting, and the
 * group goes on in the engine, for a later `run` with the same key to re-attach.
 *
 * **Example**
 *
 * ```ts
 * import type { DurableGroup } from "@soonify/cluster"
 *
 * export const onInterrupt: DurableGroup.OnInterrupt = "detach" // a deploy must not cancel it
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type OnInterrupt = internal.OnInterrupt

/**
 * Options of {@link run}.
 *
 * **Example**
 *
 * ```ts
 * import type { DurableGroup } from "@soonify/cluster"
 *
 * export const options: DurableGroup.RunOptions = { mode: "failFast", onInterrupt: "cancel" } // the defaults
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** How a member's failure is treated. Default `"failFast"`. Fixed when the group first runs. */
  readonly mode?: Mode | undefined
  /** What the caller's interruption does to the group. Default `"cancel"`. */
  readonly onInterrupt?: OnInterrupt | undefined
}

/**
 * A member's handle: its workflow execution's outcome, read as a task's
 * (`ready`, `value`, `await`, `poll`), with where it is kept (`executionId`).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import type { DurableGroup } from "@soonify/cluster"
 *
 * export const total = (members: ReadonlyArray<DurableGroup.Member<number, never>>) =>
 *   Effect.map(Effect.forEach(members, (member) => member.await), (values) => values.reduce((a, b) => a + b, 0))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Member<A, E> {
  /** Its place in the group: members are numbered in spawn order, from 0. */
  readonly index: number
  /** Its workflow's name. */
  readonly name: string
  /** Its execution's id in the engine. */
  readonly executionId: string
  /** Whether its execution has ended. */
  readonly ready: boolean
  /** Its outcome without waiting: fails with `PendingValue` before it has ended. */
  readonly value: Effect.Effect<A, E | PendingValue>
  /** Waits for its execution to end, then gives its outcome. */
  readonly await: Effect.Effect<A, E>
  /** Its exit, once it has ended. */
  readonly poll: Effect.Effect<Option.Option<Exit.Exit<A, E>>>
}

/**
 * What the body of {@link run} spawns members with.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { Workflow } from "effect/workflow"
 * import type { DurableGroup } from "@soonify/cluster"
 *
 * const Pay = Workflow.make("Pay", { payload: { orderId: Schema.String }, idempotencyKey: ({ orderId }) => orderId })
 * export const payAll = (group: DurableGroup.DurableGroup, orderIds: ReadonlyArray<string>) =>
 *   Effect.forEach(orderIds, (orderId) => group.spawn(Pay)({ orderId }))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface DurableGroup {
  /** The group's key. */
  readonly key: string
  /** The group's execution id in the engine. */
  readonly executionId: string
  /**
   * Records a member (an execution of `workflow` with `payload`) in the group, in
   * order, and returns its handle; the group's engine starts it. On a re-attach, a
   * member spawned again at an index the group already holds joins that member:
   * spawn the same members in the same order.
   */
  spawn<
    Name extends string,
    Payload extends Workflow.AnyStructSchema,
    Success extends Schema.Top,
    Error extends Schema.Top
  >(
    workflow: Workflow.Workflow<Name, Payload, Success, Error>
  ): (
    payload: Payload["~type.make.in"]
  ) => Effect.Effect<
    Member<Success["Type"], Error["Type"]>,
    Error["Type"],
    WorkflowEngine | Payload["EncodingServices"] | Success["DecodingServices"] | Error["DecodingServices"]
  >
}

/**
 * Runs a durable group: a workflow execution keyed by `key` that records its
 * members (the durable tasks `body` spawns, with their payloads), its mode and its
 * state, or re-attaches to the group `key` already is.
 *
 * **When to use**
 *
 * When a group of durable tasks must keep its structure while no caller process
 * runs: its fail fast runs in the engine, and a caller that died re-attaches by key.
 *
 * **Details**
 *
 * - The group's own record is the engine's: the group is an execution of the
 *   workflow `soonify/DurableGroup` (served by {@link layer}), its members are its
 *   child executions, each recorded in it (a `DurableDeferred` per member) before it
 *   starts.
 * - Fail fast (the default mode) runs in the engine: a member's failure interrupts
 *   the other members' executions (at once, also inside a long activity) and the
 *   group ends only once their compensations and finalizers have run, whether or not
 *   a caller is alive. The caller's body is interrupted, and `run` fails with every
 *   member failure.
 * - Re-attach: running `run(key, body)` again (after the caller died) joins the same
 *   group; members spawned again at indexes the group holds join their executions
 *   (a completed one gives its result at once, never runs again), members spawned
 *   after those are added in order.
 * - When `body` ends, the group is sealed and `run` waits for every member; it
 *   succeeds with `body`'s value. `body`'s failure, and the caller's interruption
 *   (unless `onInterrupt: "detach"`), cancel the group and wait.
 * - While it runs, snapshots of the caller's process (`TaskGroup.snapshotAll`,
 *   `soonify pstree`) show it as the task group `DurableGroup <key>`, under the task
 *   that runs it, with a task per member not yet ended: its workflow's name, keyed
 *   `#<index> <idempotency key> @ engine` (members run in the workflow engine; which
 *   runner holds one is not known cheaply).
 *
 * **Gotchas**
 *
 * A key names one group for ever: after the group has ended, `run` with its key
 * re-attaches to its outcome. The mode is fixed when the group first runs.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Layer, Schema } from "effect"
 * import { Workflow, WorkflowEngine } from "effect/workflow"
 * import { DurableGroup } from "@soonify/cluster"
 *
 * const Invoice = Workflow.make("Invoice", {
 *   payload: { orderId: Schema.String },
 *   success: Schema.String,
 *   idempotencyKey: ({ orderId }) => orderId
 * })
 * const InvoiceLive = Invoice.toLayer(({ orderId }) => Effect.succeed(`invoice for ${orderId}`))
 *
 * const program = DurableGroup.run("invoices-2026-12", (group) =>
 *   Effect.gen(function* () {
 *     const a = yield* group.spawn(Invoice)({ orderId: "o-1" })
 *     const b = yield* group.spawn(Invoice)({ orderId: "o-2" })
 *     return [yield* a.await, yield* b.await]
 *   })
 * ).pipe(
 *   // ["invoice for o-1", "invoice for o-2"]
 *   Effect.provide(Layer.mergeAll(InvoiceLive, DurableGroup.layer(Invoice)).pipe(Layer.provideMerge(WorkflowEngine.layerMemory)))
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const run: <A, E, R>(
  key: string,
  body: (group: DurableGroup) => Effect.Effect<A, E, R>,
  options?: RunOptions
) => Effect.Effect<A, E, R | WorkflowEngine> = internal.run as any

/**
 * Cancels the durable group `key`: the engine interrupts every member that runs (also
 * inside a long activity) and the group ends once their compensations and finalizers
 * have run; `cancel` returns then. A key with no group yet gets an empty group,
 * cancelled at once: a cancellation that comes before the group's first `run` wins.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { WorkflowEngine } from "effect/workflow"
 * import { DurableGroup } from "@soonify/cluster"
 *
 * const program = DurableGroup.cancel("no-such-group").pipe(
 *   Effect.provide(DurableGroup.layer().pipe(Layer.provideMerge(WorkflowEngine.layerMemory)))
 * ) // returns at once: the key's group is empty
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const cancel: (key: string) => Effect.Effect<void, never, WorkflowEngine> = internal.cancel as any

/**
 * What a runner serves durable groups with: the group workflow (`soonify/DurableGroup`),
 * for groups whose members are executions of `workflows` (each also served by its own
 * `toLayer`). Every runner that may own a group needs it, with every member workflow.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Layer, Schema } from "effect"
 * import { Workflow, WorkflowEngine } from "effect/workflow"
 * import { DurableGroup } from "@soonify/cluster"
 *
 * const Ship = Workflow.make("Ship", { payload: { orderId: Schema.String }, idempotencyKey: ({ orderId }) => orderId })
 * export const RunnerLive = Layer.mergeAll(Ship.toLayer(() => Effect.void), DurableGroup.layer(Ship)).pipe(
 *   Layer.provideMerge(WorkflowEngine.layerMemory)
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (...workflows: ReadonlyArray<Workflow.Any>): Layer.Layer<never, never, WorkflowEngine> =>
  engineSide.layer(workflows as ReadonlyArray<engineSide.AnyWorkflow>)
