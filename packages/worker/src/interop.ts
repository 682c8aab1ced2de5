/**
 * @soonify/worker for Promise code (`@soonify/worker/interop`): CPU-bound functions on
 * worker threads, as tasks of a `@soonify/interop` group. The same pool and calls as
 * the Effect API, with Promises and `AbortSignal`s, and no Effect in sight.
 *
 * @since 0.1.0
 */
// First, for its effect alone: on a Node older than this package needs, importing it
// fails here, saying so (package.json lists it in `sideEffects` for bundlers).
// oxlint-disable-next-line import/no-unassigned-import
import "./internal/nodeVersion.ts"
import { CancelledError } from "@soonify/interop"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type { ResourceLimits } from "node:worker_threads"
import { PoolImpl, settingsFrom } from "./internal/pool.ts"
import { describe } from "./internal/validation.ts"
import { WorkerFnImpl } from "./internal/workerFn.ts"
import { isWorkerCrashed, type CrashReason } from "./WorkerCrashed.ts"
import * as CoreWorkerFn from "./WorkerFn.ts"

/**
 * A function that runs on a worker thread, as {@link defineWorkerFn} defines it: `Args`
 * are its parameters, `A` what it resolves to.
 *
 * **Example**
 *
 * ```ts
 * import { defineWorkerFn, type WorkerFn } from "@soonify/worker/interop"
 *
 * const hash: WorkerFn<[algorithm: string, data: string], string> = defineWorkerFn<
 *   (algorithm: string, data: string) => string
 * >("node:crypto", "hash")
 * console.log(hash.exportName) // "hash"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerFn<in Args extends ReadonlyArray<unknown>, out A> {
  /** @internal Phantom: the function's types. */
  readonly "~types"?: { readonly args: (_: Args) => void; readonly success: A }
  /** The URL (`href`) of the module that exports the function. */
  readonly module: string
  /** The name of the export. */
  readonly exportName: string
  /** How a call stops when it is cancelled: see {@link defineWorkerFn}. */
  readonly cancel: "terminate" | "cooperative" | "abandon"
  /** Whether the `ArrayBuffer`s in the result are moved back instead of copied. */
  readonly transferResult: boolean
}

// `never` (a function that never returns) would match the pattern and infer `unknown`.
type Resolved<R> = [R] extends [never] ? never : [R] extends [PromiseLike<infer A>] ? A : R

/**
 * Options of {@link defineWorkerFn}.
 *
 * **Example**
 *
 * ```ts
 * import { defineWorkerFn, type WorkerFnOptions } from "@soonify/worker/interop"
 *
 * const options: WorkerFnOptions = { cancel: "abandon" }
 * export const gzip = defineWorkerFn<(data: Uint8Array) => Uint8Array>("node:zlib", "gzipSync", options)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerFnOptions {
  /**
   * How a call stops when it is cancelled. `"terminate"` (default): its worker thread
   * is terminated (and replaced), so even a loop that never yields stops.
   * `"abandon"`: the call's promise rejects at once; the worker runs on to the end
   * and the result is dropped. For a function that takes an `AbortSignal`, see
   * {@link defineCooperativeWorkerFn}.
   */
  readonly cancel?: "terminate" | "abandon" | undefined
  /** Move the `ArrayBuffer`s in the result back instead of copying them. Default `false`. */
  readonly transferResult?: boolean | undefined
}

/**
 * Defines a worker function: the export `exportName` of the module at `module`, with
 * the type `F` of that export (write it as `typeof hash`, with
 * `import type { hash } from "./hash.worker.ts"`).
 *
 * **Details**
 *
 * `module` is a `URL` (`new URL("./hash.worker.ts", import.meta.url)`) or an absolute
 * URL string (`"node:crypto"` works). The export may return a value or a Promise.
 * Arguments and results are copied (structured clone); mark a buffer with
 * {@link transfer} to move it. Throws a `TypeError` at once for a bad argument; a
 * module or export that does not exist is reported by the first call.
 *
 * **Example**
 *
 * ```ts
 * import { createWorkerPool, defineWorkerFn } from "@soonify/worker/interop"
 *
 * // Your own module: defineWorkerFn<typeof hash>(new URL("./hash.worker.ts", import.meta.url), "hash")
 * const hash = defineWorkerFn<(algorithm: string, data: string) => string>("node:crypto", "hash")
 *
 * await using pool = createWorkerPool({ size: 1 })
 * console.log(await pool.run(hash, ["sha256", "soonify"]))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const defineWorkerFn = <F extends (...args: any) => any = never>(
  module: URL | string,
  exportName: string,
  options?: WorkerFnOptions
): [F] extends [never] ? WorkerFn<never, unknown> : WorkerFn<Parameters<F>, Resolved<ReturnType<F>>> =>
  rethrowAsTypeError("defineWorkerFn", () => CoreWorkerFn.make(module, exportName, options)) as never

/**
 * Defines a cooperative worker function, whose first parameter is an `AbortSignal`:
 * when its call is cancelled, the signal is aborted in the worker, and the call ends
 * when the function does (the thread is kept). Callers pass the arguments after it.
 *
 * **Details**
 *
 * Once its signal is aborted, a function that rejects with the signal's `reason` (as
 * `signal.throwIfAborted()` and `fetch` do) or with an `AbortError` (as Node's own APIs
 * do) ends cancelled; one that rejects with anything else has failed, and that error
 * is reported; a result is dropped. A function that ignores its signal is waited for.
 *
 * **Example**
 *
 * ```ts
 * import { taskGroup } from "@soonify/interop"
 * import { createWorkerPool, defineCooperativeWorkerFn } from "@soonify/worker/interop"
 *
 * // A module of yours: (signal: AbortSignal, ms: number) => Promise<string>, stopping when aborted.
 * const sleep = defineCooperativeWorkerFn<(signal: AbortSignal, ms: number) => Promise<string>>(
 *   new URL("../../examples/sleep.worker.ts", import.meta.url),
 *   "sleep"
 * )
 *
 * export async function main() {
 *   await using pool = createWorkerPool({ size: 1 })
 *   await taskGroup(async (tg) => {
 *     const soon = tg.spawn(pool.task(sleep, 10_000))
 *     await soon.cancel() // the worker's signal is aborted; the call ends as soon as it stops
 *   })
 * }
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const defineCooperativeWorkerFn = <F extends (signal: AbortSignal, ...args: any) => any = never>(
  module: URL | string,
  exportName: string,
  options?: { readonly transferResult?: boolean | undefined }
): [F] extends [never]
  ? WorkerFn<never, unknown>
  : F extends (signal: AbortSignal, ...args: infer Args) => infer R
    ? WorkerFn<Args, Resolved<R>>
    : never =>
  rethrowAsTypeError("defineCooperativeWorkerFn", () => CoreWorkerFn.cooperative(module, exportName, options)) as never

/**
 * Marks a buffer (an `ArrayBuffer`, or a typed array or `Buffer` over one) to be moved
 * to the worker instead of copied when passed as an argument (or in an array or plain
 * object among them); returns it. Once the call has started the buffer is detached here
 * (`byteLength` 0).
 *
 * **Example**
 *
 * ```ts
 * import { createWorkerPool, defineWorkerFn, transfer } from "@soonify/worker/interop"
 *
 * const hash = defineWorkerFn<(algorithm: string, data: Uint8Array) => string>("node:crypto", "hash")
 * export async function main() {
 *   await using pool = createWorkerPool({ size: 1 })
 *   const data = new Uint8Array(1 << 20)
 *   await pool.run(hash, ["sha256", transfer(data)])
 *   console.log(data.byteLength) // 0: moved, not copied
 * }
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const transfer = <T extends ArrayBufferLike | ArrayBufferView>(buffer: T): T =>
  rethrowAsTypeError("transfer", () => CoreWorkerFn.transfer(buffer))

/**
 * What a call rejects with when the worker thread running it died before the call
 * ended: it exited (`process.exit()`), ran out of memory (the pool's `resourceLimits`),
 * or was ended by an uncaught error. The pool has replaced the thread already.
 *
 * **Example**
 *
 * ```ts
 * import { createWorkerPool, defineWorkerFn, WorkerCrashedError } from "@soonify/worker/interop"
 *
 * const exit = defineWorkerFn<(code: number) => never>("node:process", "exit")
 * export async function main() {
 *   await using pool = createWorkerPool({ size: 1 })
 *   try {
 *     await pool.run(exit, [3])
 *   } catch (error) {
 *     console.log(error instanceof WorkerCrashedError && error.exitCode) // 3
 *   }
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class WorkerCrashedError extends Error {
  override readonly name = "WorkerCrashedError"
  /** The name of the export that was called. */
  readonly fn: string
  /** The URL of the module that exports it. */
  readonly module: string
  /** How the thread died: `"exit"`, `"outOfMemory"` or `"uncaughtError"`. */
  readonly reason: CrashReason
  /** The thread's exit code, for `reason: "exit"`. */
  readonly exitCode: number | undefined

  constructor(
    message: string,
    fields: { fn: string; module: string; reason: CrashReason; exitCode: number | undefined },
    options?: ErrorOptions
  ) {
    super(message, options)
    this.fn = fields.fn
    this.module = fields.module
    this.reason = fields.reason
    this.exitCode = fields.exitCode
  }
}

/**
 * Options of {@link createWorkerPool}.
 *
 * **Example**
 *
 * ```ts
 * import { createWorkerPool, type WorkerPoolOptions } from "@soonify/worker/interop"
 *
 * const options: WorkerPoolOptions = { size: 1, name: "hashing" }
 * await using pool = createWorkerPool(options)
 * console.log(pool.name) // "hashing"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerPoolOptions {
  /** How many worker threads, at most. Default: `os.availableParallelism()`. */
  readonly size?: number | undefined
  /** Limits of each worker thread; exceeding them rejects the call with a `WorkerCrashedError`. */
  readonly resourceLimits?: ResourceLimits | undefined
  /** Names the pool in messages. Default `"WorkerPool"`. */
  readonly name?: string | undefined
}

/**
 * Options of one call ({@link WorkerPool.run}).
 *
 * **Example**
 *
 * ```ts
 * import { createWorkerPool, defineWorkerFn, type RunOptions } from "@soonify/worker/interop"
 *
 * const hash = defineWorkerFn<(algorithm: string, data: string) => string>("node:crypto", "hash")
 * export async function main() {
 *   await using pool = createWorkerPool({ size: 1 })
 *   const options: RunOptions = { signal: AbortSignal.timeout(1000) }
 *   return pool.run(hash, ["sha256", "data"], options)
 * }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions {
  /** Cancels the call (by its function's cancel mode); it then rejects with `signal.reason`. */
  readonly signal?: AbortSignal | undefined
}

/**
 * A pool of worker threads, made by {@link createWorkerPool}, closed by `await using`.
 *
 * **Example**
 *
 * ```ts
 * import { taskGroup } from "@soonify/interop"
 * import { createWorkerPool, defineWorkerFn, type WorkerPool } from "@soonify/worker/interop"
 *
 * const hash = defineWorkerFn<(algorithm: string, data: string) => string>("node:crypto", "hash")
 * export async function main(pool: WorkerPool) {
 *   const handles = await taskGroup((tg) => ["a", "b"].map((data) => tg.spawn(pool.task(hash, "sha256", data))))
 *   return handles.map((soon) => soon.value)
 * }
 * export const pool = createWorkerPool({ size: 1 })
 * await pool.close()
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface WorkerPool extends AsyncDisposable {
  /** The pool's name: `options.name`, or `"WorkerPool"`. */
  readonly name: string
  /** How many calls run at once, at most: one per worker thread. */
  readonly size: number
  /** How many worker threads are alive right now. */
  readonly threads: number
  /**
   * Calls `fn(...args)` on a worker, once one is free (in call order), and resolves
   * with its result. Rejects with the function's error, with a `WorkerCrashedError`
   * when its thread died, or with `signal.reason` once cancelled (after the call has
   * stopped, except in `"abandon"` mode). Bad input gives a rejected promise.
   */
  run<Args extends ReadonlyArray<unknown>, A>(fn: WorkerFn<Args, A>, args: Args, options?: RunOptions): Promise<A>
  /**
   * The call `fn(...args)` as a task for a group or `gather`: a `(signal) => Promise`
   * that runs it with that signal. `tg.spawn(pool.task(hash, data))`. Throws a
   * `TypeError` at once for bad input. The task is named after the export.
   */
  task<Args extends ReadonlyArray<unknown>, A>(
    fn: WorkerFn<Args, A>,
    ...args: Args
  ): (signal: AbortSignal) => Promise<A>
  /** Closes the pool: terminates every thread and resolves once each has exited. Idempotent. */
  close(): Promise<void>
  /** `close()`, for `await using`. */
  [Symbol.asyncDispose](): Promise<void>
}

/** Runs `f`, turning the `IllegalArgumentError` core code throws into the `TypeError` Promise code expects. */
const rethrowAsTypeError = <A>(where: string, f: () => A): A => {
  try {
    return f()
  } catch (error) {
    const message = (error as Error).message
    throw new TypeError(
      message.replace(/^WorkerFn\.\w+/, where).replace("WorkerFn.cooperative", "defineCooperativeWorkerFn"),
      { cause: error }
    )
  }
}

/** The error a failed call rejects with: the function's own, or the crash of its worker. */
const errorOf = (cause: Cause.Cause<unknown>): unknown => {
  const errors = cause.reasons.flatMap((reason) =>
    reason._tag === "Fail" ? [reason.error] : reason._tag === "Die" ? [reason.defect] : []
  )
  const converted = errors.map((error) =>
    isWorkerCrashed(error)
      ? new WorkerCrashedError(
          error.message,
          { fn: error.fn, module: error.module, reason: error.reason, exitCode: error.exitCode },
          { cause: error.cause }
        )
      : error
  )
  if (converted.length === 1) return converted[0]
  if (converted.length > 1) return new AggregateError(converted, `${converted.length} errors in one worker call`)
  return undefined
}

class PromisePool implements WorkerPool {
  readonly core: PoolImpl
  constructor(core: PoolImpl) {
    this.core = core
  }
  get name() {
    return this.core.name
  }
  get size() {
    return this.core.size
  }
  get threads() {
    return this.core.threads
  }

  run<Args extends ReadonlyArray<unknown>, A>(fn: WorkerFn<Args, A>, args: Args, options?: RunOptions): Promise<A> {
    const problem = runProblem(fn, args, options)
    if (problem !== undefined) return Promise.reject(new TypeError(problem))
    const signal = options?.signal
    if (signal?.aborted) return Promise.reject(signal.reason)
    return Effect.runPromiseExit(
      this.core.call<A, unknown>(fn as unknown as WorkerFnImpl, args),
      signal === undefined ? undefined : { signal }
    ).then((exit: Exit.Exit<A, unknown>) => {
      if (exit._tag === "Success") return exit.value
      const error = errorOf(exit.cause)
      if (error !== undefined) throw error
      throw signal?.aborted ? signal.reason : new CancelledError(`The worker call ${fn.exportName} was cancelled`)
    })
  }

  task<Args extends ReadonlyArray<unknown>, A>(
    fn: WorkerFn<Args, A>,
    ...args: Args
  ): (signal: AbortSignal) => Promise<A> {
    const problem = runProblem(fn, args, undefined)
    if (problem !== undefined) throw new TypeError(problem.replace("run", "task"))
    const task = (signal: AbortSignal) => this.run(fn, args, { signal })
    Object.defineProperty(task, "name", { value: fn.exportName })
    return task
  }

  close(): Promise<void> {
    return this.core.close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.core.close()
  }
}

const runProblem = (fn: unknown, args: unknown, options: RunOptions | undefined): string | undefined => {
  if (!(fn instanceof WorkerFnImpl)) {
    return `pool.run: expected a worker function (from defineWorkerFn), received ${describe(fn)}`
  }
  if (!Array.isArray(args)) return `pool.run: args must be an array of the arguments, received ${describe(args)}`
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    return `pool.run: options must be an object or undefined, received ${describe(options)}`
  }
  const signal = options?.signal
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    return `pool.run: option "signal" must be an AbortSignal, received ${describe(signal)}`
  }
  return undefined
}

/**
 * Makes a pool of worker threads; `await using` closes it (every thread terminated and
 * exited) at the end of the block.
 *
 * **Details**
 *
 * - At most `size` calls run at once (default: `os.availableParallelism()`); the
 *   others wait their turn in call order. Threads start when calls first need them.
 * - Calls are tasks like any other: `tg.spawn(pool.task(fn, ...args))` in a group
 *   (busy workers count against its `concurrency`; fail fast cancels them by their
 *   mode), `gather(files.map((file) => pool.task(hash, file)))`, or
 *   `pool.run(fn, args, { signal })` on its own.
 * - Throws a `TypeError` (or `RangeError` for `size`) at once for a bad option.
 *
 * **Gotchas**
 *
 * Close the pool after the groups that use it: a call still running when its pool
 * closes rejects with an error saying so. An idle pool does not keep the process
 * alive, but one that is never closed keeps its threads until the process exits.
 *
 * **Example**
 *
 * ```ts
 * import { gather } from "@soonify/interop"
 * import { createWorkerPool, defineWorkerFn } from "@soonify/worker/interop"
 *
 * const hash = defineWorkerFn<(algorithm: string, data: string) => string>("node:crypto", "hash")
 *
 * await using pool = createWorkerPool({ size: 1 })
 * const digests = await gather(["a", "b", "c"].map((data) => pool.task(hash, "sha256", data)))
 * console.log(digests.length) // 3, in input order
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createWorkerPool = (options?: WorkerPoolOptions): WorkerPool => {
  const settings = settingsFrom("createWorkerPool", options)
  if (typeof settings === "string") {
    throw settings.includes('"size"') ? new RangeError(settings) : new TypeError(settings)
  }
  return new PromisePool(new PoolImpl(settings))
}
