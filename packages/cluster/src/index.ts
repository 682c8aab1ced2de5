/**
 * @soonify/cluster: tasks of soonify task groups that run on Effect's distributed
 * engine: remote tasks (`effect/cluster`) and durable tasks (`effect/workflow`).
 *
 * @since 0.1.0
 */

/**
 * Remote tasks: `RemoteTask.make`, `RemoteTask.toLayer`, `RemoteTask.call`.
 *
 * @since 0.1.0
 */
export * as RemoteTask from "./RemoteTask.ts"

/**
 * Durable tasks: `DurableTask.call`, a workflow execution as a task of a group.
 *
 * @since 0.1.0
 */
export * as DurableTask from "./DurableTask.ts"

/**
 * @since 0.1.0
 */
export * from "./TransportError.ts"

/**
 * Durable groups: `DurableGroup.run`, `DurableGroup.cancel`, `DurableGroup.layer`, a
 * group of durable tasks that is itself a workflow execution.
 *
 * @since 0.1.0
 */
export * as DurableGroup from "./DurableGroup.ts"
