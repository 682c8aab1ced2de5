/**
 * @soonify/cluster: tasks of soonify task groups that run on Effect's distributed
 * engine (`effect/cluster`).
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
 * @since 0.1.0
 */
export * from "./TransportError.ts"
