/**
 * Worker pools: the worker threads that worker functions run on, owned by a scope.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import type { Pipeable } from "effect/Pipeable"
import type * as Scope from "effect/Scope"
import type { ResourceLimits } from "node:worker_threads"
import { illegalArgument, PoolService, WorkerPoolTypeId } from "./internal/effectPool.ts"
import { isProblem, PoolCore, type PoolMaker, settingsFrom } from "./internal/pool.ts"

/**
 * The identifier every worker pool carries.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { WorkerPool } from "@soonify/worker"
 *
 * const program = WorkerPool.WorkerPool.useSync((pool) => pool[WorkerPool.TypeId]).pipe(
 *   Effect.provide(WorkerPool.layer({ size: 1 }))
 * ) // "~@soonify/worker/WorkerPool"
 * ```
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof WorkerPoolTypeId = WorkerPoolTypeId

/**
 * A pool of worker threads that runs worker functions (see `WorkerFn.call`), and the
 * service through which calls find it.
 *
 * **Details**
 *
 * At most `size` calls run at once, one per thread; the others wait their turn in
 * call order. Threads start when calls first need them and stay until the pool
 * closes; a thread that crashed or was terminated by a cancellation is replaced for
 * the next call. An idle pool does not keep the process alive.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { WorkerPool } from "@soonify/worker"
 *
 * const program = Effect.gen(function* () {
 *   const pool = yield* WorkerPool.WorkerPool
 *   console.log(pool.size, pool.threads) // 2 0: no thread before the first call
 * }).pipe(Effect.provide(WorkerPool.layer({ size: 2 })))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerPool extends Pipeable, Inspectable.Inspectable {
  readonly [TypeId]: typeof TypeId
  /** The pool's name: `options.name`, or `"WorkerPool"`. */
  readonly name: string
  /** How many calls run at once, at most: one per worker thread. */
  readonly size: number
  /** How many worker threads are alive right now (0 once the pool has closed). */
  readonly threads: number
}

/**
 * The service key of the {@link WorkerPool} that `WorkerFn.call` uses. Provide it with
 * {@link layer}.
 *
 * @since 0.1.0
 * @category services
 */
export const WorkerPool: Context.Service<WorkerPool, WorkerPool> =
  Context.Service<WorkerPool>("@soonify/worker/WorkerPool")

/**
 * Options of a pool.
 *
 * **Example**
 *
 * ```ts
 * import { WorkerPool } from "@soonify/worker"
 *
 * const options: WorkerPool.Options = { size: 2, name: "images", resourceLimits: { maxOldGenerationSizeMb: 256 } }
 * export const images = WorkerPool.layer(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How many worker threads, at most. Default: `os.availableParallelism()`. */
  readonly size?: number | undefined
  /**
   * Limits of each worker thread (`maxOldGenerationSizeMb`, …; see Node's `Worker`).
   * A call whose thread exceeds them fails with `WorkerCrashed` (`reason: "outOfMemory"`).
   */
  readonly resourceLimits?: ResourceLimits | undefined
  /** Names the pool in messages. Default `"WorkerPool"`. */
  readonly name?: string | undefined
}

/**
 * Tells whether a value is a {@link WorkerPool}.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { WorkerPool } from "@soonify/worker"
 *
 * const program = WorkerPool.make().pipe(Effect.map(WorkerPool.isWorkerPool), Effect.scoped) // true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isWorkerPool = (u: unknown): u is WorkerPool => u instanceof PoolService

/**
 * Makes a worker pool owned by the enclosing `Scope`: when the scope closes, every
 * worker thread is terminated, and the close waits until each has exited. No worker
 * outlives its scope.
 *
 * **Details**
 *
 * Calls are made through the service ({@link layer}); `make` is for code that builds
 * its own layers or passes pools around. A bad option dies at once with an
 * `IllegalArgumentError` naming it.
 *
 * **Gotchas**
 *
 * Close the pool after the groups that call it: a call still running when its pool
 * closes dies with a message saying so. Providing the layer around the group does this.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { WorkerFn, WorkerPool } from "@soonify/worker"
 *
 * const hash = WorkerFn.make<(algorithm: string, data: string) => string>("node:crypto", "hash")
 *
 * export const hashed = Effect.scoped(
 *   Effect.gen(function* () {
 *     const pool = yield* WorkerPool.make({ size: 1, name: "hashing" })
 *     return yield* WorkerFn.call(hash)("sha256", "data").pipe(Effect.provideService(WorkerPool.WorkerPool, pool))
 *   })
 * ) // the pool's thread has exited here
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options?: Options): Effect.Effect<WorkerPool, never, Scope.Scope> => {
  const settings = settingsFrom(maker, options)
  if (isProblem(settings)) return Effect.die(illegalArgument(settings))
  return Effect.acquireRelease(
    Effect.sync(() => new PoolService(new PoolCore(settings))),
    (pool) => Effect.promise(() => pool.core.close())
  )
}

/** How messages of the Effect API speak of a pool. */
const maker: PoolMaker = {
  where: "WorkerPool.make",
  madeBy: "WorkerPool.layer / make",
  outlive:
    "A pool must outlive the calls on it: provide its layer (or keep its scope open) around every group that calls it."
}

/**
 * A layer that provides a {@link WorkerPool} for as long as the layer lives, closed
 * (every thread exited) when it is released. See {@link make}.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 * import { WorkerFn, WorkerPool } from "@soonify/worker"
 *
 * const hash = WorkerFn.make<(algorithm: string, data: string) => string>("node:crypto", "hash")
 *
 * export const digests = TaskGroup.gather(["a", "b"].map((data) => WorkerFn.call(hash)("sha256", data))).pipe(
 *   Effect.provide(WorkerPool.layer()) // one thread per core, at most
 * )
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options?: Options): Layer.Layer<WorkerPool> => Layer.effect(WorkerPool, make(options))
