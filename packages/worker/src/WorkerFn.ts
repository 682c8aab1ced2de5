/**
 * Worker functions: functions that run on a worker thread, named by their module and
 * export, typed end to end, called as Effects.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Inspectable from "effect/Inspectable"
import type { Pipeable } from "effect/Pipeable"
import { callEffect, illegalArgument, PoolService } from "./internal/effectPool.ts"
import { mark } from "./internal/transfer.ts"
import { bufferProblem, workerFnProblem } from "./internal/validation.ts"
import {
  type CancelMode as Mode,
  type ConstructorNames,
  define,
  WorkerFnImpl,
  WorkerFnTypeId
} from "./internal/workerFn.ts"
import type { WorkerCrashed } from "./WorkerCrashed.ts"
import { WorkerPool } from "./WorkerPool.ts"

/**
 * The identifier every worker function carries.
 *
 * **Example**
 *
 * ```ts
 * import { WorkerFn } from "@soonify/worker"
 *
 * const hash = WorkerFn.make<(algorithm: string, data: string) => string>("node:crypto", "hash")
 * console.log(hash[WorkerFn.TypeId]) // "~@soonify/worker/WorkerFn"
 * ```
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof WorkerFnTypeId = WorkerFnTypeId

/**
 * How a call of a worker function stops when its task is cancelled (by `soon.cancel`,
 * fail fast in its group, or an interruption from outside).
 *
 * - `"terminate"` (the default): the worker thread running the call is terminated, and
 *   the pool starts a new one for the next call. For code that never yields, such as a
 *   CPU loop: it really stops. The task ends once the thread has exited.
 * - `"cooperative"`: the function's `AbortSignal` (its first parameter) is aborted,
 *   and an Effect it returned is interrupted; the task ends when the function does. For
 *   functions that await, and whose worker is worth keeping warm.
 * - `"abandon"`: the task ends cancelled at once; the call runs on to its end in its
 *   worker (which stays busy meanwhile) and its result is dropped.
 *
 * A call that is still waiting for a free worker is simply dropped, whatever the mode.
 *
 * **Example**
 *
 * ```ts
 * import type { WorkerFn } from "@soonify/worker"
 *
 * const mode: WorkerFn.CancelMode = "abandon"
 * console.log(mode)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CancelMode = Mode

/**
 * A function that runs on a worker thread: the URL of its module, the name of its
 * export, and how its calls are cancelled. `Args` are its parameters, `A` its result,
 * `E` the error of the Effect it returns (`never` for a plain function).
 *
 * **Details**
 *
 * A worker function is data: it can be defined once, at the top of a module, and used
 * with every pool. Nothing is loaded until a worker first calls it.
 *
 * Variance: a worker function that accepts more arguments may stand where one that
 * accepts fewer is expected (`Args` is contravariant), and its result and error types
 * may be widened (`A`, `E` are covariant), as for a function type.
 *
 * **Example**
 *
 * ```ts
 * import { WorkerFn } from "@soonify/worker"
 *
 * const sha256 = WorkerFn.make<(algorithm: string, data: string) => string>("node:crypto", "hash")
 * console.log(sha256.exportName) // "hash"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerFn<in Args extends ReadonlyArray<unknown>, out A, out E = never>
  extends Pipeable, Inspectable.Inspectable {
  readonly [TypeId]: typeof TypeId
  /** @internal Phantom: the function's types. */
  readonly "~types"?: { readonly args: (_: Args) => void; readonly success: A; readonly error: E }
  /** The URL (`href`) of the module that exports the function. */
  readonly module: string
  /** The name of the export. */
  readonly exportName: string
  readonly cancel: CancelMode
  /** Whether the `ArrayBuffer`s in the result are moved back instead of copied. */
  readonly transferResult: boolean
}

// `never` (a function that never returns) would match any pattern and infer `unknown`.
type Success<R> = [R] extends [never]
  ? never
  : [R] extends [Effect.Effect<infer A, infer _E, infer _R>]
    ? A
    : Awaited<R>
type Failure<R> = [R] extends [never] ? never : [R] extends [Effect.Effect<infer _A, infer E, infer _R>] ? E : never
// The worker runs an Effect with no services: one that requires some cannot be called.
type Runnable<R> = [R] extends [never]
  ? true
  : [R] extends [Effect.Effect<infer _A, infer _E, infer Q>]
    ? [Q] extends [never]
      ? true
      : false
    : true

/**
 * The worker function type of a function type `F`: its parameters, and the value
 * (or the Effect's success and error) it returns. A function whose Effect requires
 * services gives a worker function that takes no arguments at all: the worker has
 * no services to provide.
 *
 * **Example**
 *
 * ```ts
 * import type { WorkerFn } from "@soonify/worker"
 *
 * export type Hash = WorkerFn.FromFunction<(data: Uint8Array) => Promise<string>>
 * // WorkerFn<[data: Uint8Array], string, never>
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FromFunction<F> = [F] extends [never]
  ? WorkerFn<never, unknown, unknown>
  : F extends (...args: infer Args) => infer R
    ? Runnable<R> extends true
      ? WorkerFn<Args, Success<R>, Failure<R>>
      : WorkerFn<never, unknown, unknown>
    : never

/**
 * The worker function type of a cooperative function type `F`, whose first parameter
 * is its `AbortSignal`: the parameters after it, and what it returns.
 *
 * **Example**
 *
 * ```ts
 * import type { WorkerFn } from "@soonify/worker"
 *
 * export type Parse = WorkerFn.FromCooperativeFunction<(signal: AbortSignal, text: string) => Promise<number>>
 * // WorkerFn<[text: string], number, never>
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type FromCooperativeFunction<F> = [F] extends [never]
  ? WorkerFn<never, unknown, unknown>
  : F extends (signal: AbortSignal, ...args: infer Args) => infer R
    ? Runnable<R> extends true
      ? WorkerFn<Args, Success<R>, Failure<R>>
      : WorkerFn<never, unknown, unknown>
    : never

/**
 * Options of {@link make}.
 *
 * **Example**
 *
 * ```ts
 * import { WorkerFn } from "@soonify/worker"
 *
 * const options: WorkerFn.MakeOptions = { cancel: "abandon", transferResult: true }
 * export const gzip = WorkerFn.make<(data: Uint8Array) => Uint8Array>("node:zlib", "gzipSync", options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface MakeOptions {
  /** `"terminate"` (default) or `"abandon"`; for `"cooperative"`, see {@link cooperative}. */
  readonly cancel?: "terminate" | "abandon" | undefined
  /** Move the `ArrayBuffer`s in the result back to the caller instead of copying them. Default `false`. */
  readonly transferResult?: boolean | undefined
}

/**
 * Options of {@link cooperative}.
 *
 * **Example**
 *
 * ```ts
 * import type { WorkerFn } from "@soonify/worker"
 *
 * const options: WorkerFn.CooperativeOptions = { transferResult: true }
 * console.log(options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface CooperativeOptions {
  /** Move the `ArrayBuffer`s in the result back to the caller instead of copying them. Default `false`. */
  readonly transferResult?: boolean | undefined
}

/** How the Effect API names its constructors in messages. */
const names: ConstructorNames = { plain: "WorkerFn.make", cooperative: "WorkerFn.cooperative" }

/** The definition, or a throw of the `IllegalArgumentError` naming the bad argument. */
const defined = (made: ReturnType<typeof define>): WorkerFnImpl => {
  if (made instanceof WorkerFnImpl) return made
  throw illegalArgument(made)
}

/**
 * Defines a worker function: the export `exportName` of the module at `module`, with
 * the type `F` of that export.
 *
 * **When to use**
 *
 * For CPU-bound work (hashing, parsing, compression, image work) that would block the
 * event loop: define it once, call it with {@link call} from any task.
 *
 * **Details**
 *
 * - `module` is a `URL` (`new URL("./hash.worker.ts", import.meta.url)`) or an absolute
 *   URL string; Node built-ins work too (`"node:crypto"`). A `.ts` module runs through
 *   Node's type stripping; a published package ships `.js`.
 * - The export may return a value, a Promise, or an Effect (with no requirements): the
 *   Effect is run in the worker, and its error type becomes the call's error type. A
 *   plain function that throws gives a defect, as `Effect.sync` does; return
 *   `Effect.fail(...)` for a typed failure.
 * - Arguments and results are copied with the structured clone algorithm; mark a buffer
 *   with {@link transfer} to move it instead, and set `transferResult` to move the
 *   result's buffers back.
 * - Throws an `IllegalArgumentError` at once for a bad argument. A module that cannot be
 *   loaded, or that has no such function, is reported by the first call, as a defect.
 *
 * **Gotchas**
 *
 * `F` is trusted: write it as `typeof hash` with `import type { hash } from "./hash.worker.ts"`,
 * so that the types follow the function. Don't pass a closure's captured state: only
 * the arguments cross to the worker.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { WorkerFn, WorkerPool } from "@soonify/worker"
 *
 * // Your own module: WorkerFn.make<typeof hash>(new URL("./hash.worker.ts", import.meta.url), "hash")
 * const hash = WorkerFn.make<(algorithm: string, data: string) => string>("node:crypto", "hash")
 *
 * const program = WorkerFn.call(hash)("sha256", "soonify").pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <F extends (...args: any) => any = never>(
  module: URL | string,
  exportName: string,
  options?: MakeOptions
): FromFunction<F> => defined(define(names, "plain", module, exportName, options)) as unknown as FromFunction<F>

/**
 * Defines a cooperative worker function: one whose first parameter is an `AbortSignal`,
 * aborted in the worker when its call is cancelled (see {@link CancelMode}).
 *
 * **When to use**
 *
 * For functions that yield (await I/O, or work in chunks with an `await` between
 * them) and can stop cleanly: the worker thread is kept, and the function's `finally`
 * blocks run. An Effect it returns is interrupted at its next yield.
 *
 * **Details**
 *
 Callers pass the arguments after the signal; the worker adds the signal. A function
 * that, once its signal is aborted, throws the signal's `reason` (as
 * `signal.throwIfAborted()` and `fetch` do) or an `AbortError` (as Node's own APIs do)
 * ends cancelled; one that throws anything else has failed, and that failure is
 * reported; one that returns a value anyway ends cancelled and the value is dropped. A
 * function that ignores its signal is waited for.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 * import { WorkerFn, WorkerPool } from "@soonify/worker"
 *
 * // examples/sleep.worker.ts: export const sleep = (signal: AbortSignal, ms: number) => …
 * const sleep = WorkerFn.cooperative<(signal: AbortSignal, ms: number) => Promise<string>>(
 *   new URL("../../examples/sleep.worker.ts", import.meta.url),
 *   "sleep"
 * )
 *
 * export const cancelled = TaskGroup.run((group) =>
 *   Effect.gen(function* () {
 *     const soon = yield* group.soonify(WorkerFn.call(sleep))(10_000)
 *     yield* Effect.sleep("50 millis")
 *     yield* soon.cancel // the worker's signal is aborted; the call ends as soon as it stops
 *   })
 * ).pipe(Effect.provide(WorkerPool.layer({ size: 1 })))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const cooperative = <F extends (signal: AbortSignal, ...args: any) => any = never>(
  module: URL | string,
  exportName: string,
  options?: CooperativeOptions
): FromCooperativeFunction<F> =>
  defined(define(names, "cooperative", module, exportName, options)) as unknown as FromCooperativeFunction<F>

/**
 * Tells whether a value is a {@link WorkerFn}.
 *
 * **Example**
 *
 * ```ts
 * import { WorkerFn } from "@soonify/worker"
 *
 * WorkerFn.isWorkerFn(WorkerFn.make<(data: string) => string>("node:crypto", "hash")) // true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isWorkerFn = (u: unknown): u is WorkerFn<never, unknown, unknown> => u instanceof WorkerFnImpl

/**
 * Turns a worker function into a function that calls it on a worker of the
 * {@link WorkerPool.WorkerPool} in context, as an Effect. The returned function keeps
 * the worker function's parameter types, and is named after its export.
 *
 * **When to use**
 *
 * With `group.soonify` to run the call as a task of a group, like any other task:
 * `group.soonify(WorkerFn.call(hash))(buffer)`. Or on its own, where an Effect is
 * expected (`Effect.all`, `TaskGroup.gather`).
 *
 * **Details**
 *
 * - The call waits for a free worker (in call order), then runs; its Effect succeeds
 *   with the function's result, fails with the function's typed error `E`, or with
 *   {@link WorkerCrashed} when the worker thread died under it (the pool replaces it).
 *   A plain function's throw, and a mistake of the definition (no such module or
 *   export, arguments that cannot be cloned), are defects.
 * - Errors cross the thread boundary with their `name`, `message`, `stack`, `cause` and
 *   own fields (`_tag`, `code`…): `Effect.catchTag` works; `instanceof` a class of yours
 *   does not (the class stays in the worker), `instanceof TypeError` and the other
 *   built-ins do.
 * - Interrupting the Effect cancels the call by the function's {@link CancelMode}, and
 *   waits until the call has stopped (except in `"abandon"` mode).
 * - Busy workers count against a group's `concurrency`: each call is one task.
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
 * const program = TaskGroup.run((group) =>
 *   Effect.all(["a", "b", "c"].map((data) => group.soonify(WorkerFn.call(hash))("sha256", data)))
 * ).pipe(
 *   Effect.flatMap((handles) => Effect.forEach(handles, (soon) => soon.value)),
 *   Effect.provide(WorkerPool.layer({ size: 1 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const call = <Args extends ReadonlyArray<unknown>, A, E>(
  fn: WorkerFn<Args, A, E>
): ((...args: Args) => Effect.Effect<A, E | WorkerCrashed, WorkerPool>) => {
  const problem = workerFnProblem("WorkerFn.call", fn instanceof WorkerFnImpl, fn, "a WorkerFn (from WorkerFn.make)")
  if (problem !== undefined) throw illegalArgument(problem)
  const definition = fn as unknown as WorkerFnImpl
  const calling = (...args: Args): Effect.Effect<A, E | WorkerCrashed, WorkerPool> =>
    WorkerPool.use((pool) =>
      pool instanceof PoolService
        ? callEffect<A, E>(pool.core, definition, args)
        : Effect.die(
            new Cause.IllegalArgumentError(
              "WorkerFn.call: the WorkerPool service is not a pool made by WorkerPool.make"
            )
          )
    )
  Object.defineProperty(calling, "name", { value: definition.exportName })
  return calling
}

/**
 * Marks a buffer (an `ArrayBuffer`, or a typed array or `Buffer` over one) to be moved
 * to the worker instead of copied, when it is passed as an argument of a call. Returns
 * the buffer itself.
 *
 * **When to use**
 *
 * For large inputs the caller has no further use for: moving is constant time, copying
 * is linear in the size.
 *
 * **Gotchas**
 *
 * Once the call has started, the buffer is detached on this side: its `byteLength` is
 * 0. Small `Buffer`s that Node allocates from its shared pool cannot be moved and are
 * copied. Marked buffers are found among the arguments, and in arrays and plain objects
 * among them (four levels deep).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { WorkerFn, WorkerPool } from "@soonify/worker"
 *
 * const hash = WorkerFn.make<(algorithm: string, data: Uint8Array) => string>("node:crypto", "hash")
 * const data = new Uint8Array(1 << 20)
 *
 * export const moved = WorkerFn.call(hash)("sha256", WorkerFn.transfer(data)).pipe(
 *   Effect.tap(() => Effect.sync(() => console.log(data.byteLength))), // 0: it was moved
 *   Effect.provide(WorkerPool.layer({ size: 1 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const transfer = <T extends ArrayBufferLike | ArrayBufferView>(buffer: T): T => {
  const problem = bufferProblem("WorkerFn.transfer", buffer)
  if (problem !== undefined) throw illegalArgument(problem)
  return mark(buffer)
}
