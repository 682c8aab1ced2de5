/**
 * @soonify/worker: CPU-bound functions on worker threads, as ordinary tasks of a
 * soonify task group. This entry is for Effect code; `@soonify/worker/interop` is for
 * Promise code.
 *
 * @since 0.1.0
 */

// First, for its effect alone: on a Node older than this package needs, importing it
// fails here, saying so (package.json lists it in `sideEffects` for bundlers).
// oxlint-disable-next-line import/no-unassigned-import
import "./internal/nodeVersion.ts"

/**
 * Worker functions: `WorkerFn.make`, `WorkerFn.cooperative`, `WorkerFn.call`, `WorkerFn.transfer`.
 *
 * @since 0.1.0
 */
export * as WorkerFn from "./WorkerFn.ts"

/**
 * Worker pools: `WorkerPool.layer`, `WorkerPool.make`, and the `WorkerPool.WorkerPool` service.
 *
 * @since 0.1.0
 */
export * as WorkerPool from "./WorkerPool.ts"

/**
 * @since 0.1.0
 */
export * from "./WorkerCrashed.ts"
