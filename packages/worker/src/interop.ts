/**
 * @soonify/worker for Promise code (`@soonify/worker/interop`): CPU-bound functions on
 * worker threads, as tasks of a `@soonify/interop` group. The same pool core and calls
 * as the Effect API, with Promises and `AbortSignal`s; it loads no Effect, and joins
 * groups through `@soonify/interop`'s public API only (`taskSignal`, `CancelledError`).
 *
 * @since 0.1.0
 */
// First, for its effect alone: on a Node older than this package needs, importing it
// fails here, saying so (package.json lists it in `sideEffects` for bundlers).
// oxlint-disable-next-line import/no-unassigned-import
import "./internal/nodeVersion.ts"
import { CancelledError, taskSignal } from "@soonify/interop"
import type { ResourceLimits } from "node:worker_threads"
import type { Outcome } from "./internal/call.ts"
import { type Crash, type CrashReason, crashMessage } from "./internal/crash.ts"
import { isProblem, PoolCore, type PoolMaker, settingsFrom } from "./internal/pool.ts"
import { mark } from "./internal/transfer.ts"
import {
  argsProblem,
  bufferProblem,
  errorOf,
  optionsProblem,
  type Problem,
  signalProblem,
  workerFnProblem
} from "./internal/validation.ts"
import { type ConstructorNames, define, WorkerFnImpl } from "./internal/workerFn.ts"

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
  defined(define(names, "plain", module, exportName, options)) as never

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
    : never => defined(define(names, "cooperative", module, exportName, options)) as never

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
export const transfer = <T extends ArrayBufferLike | ArrayBufferView>(buffer: T): T => {
  const problem = bufferProblem("transfer", buffer)
  if (problem !== undefined) throw errorOf(problem)
  return mark(buffer)
}

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
  /**
   * Cancels the call (by its function's cancel mode); it then rejects with
   * `signal.reason`. Default: `taskSignal()` from `@soonify/interop`, the signal of the
   * interop task the call is made in (a `soonify`'d function, a group body…), so that
   * the call is cancelled with its task; outside any task, a signal that never aborts.
   */
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
   * stopped, except in `"abandon"` mode). Without a `signal`, the call is cancelled with
   * the interop task it is made in (`taskSignal()`): `tg.soonify((file) => pool.run(hash, [file]))`.
   * Bad input gives a rejected promise.
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

/** How the Promise API names its constructors in messages. */
const names: ConstructorNames = { plain: "defineWorkerFn", cooperative: "defineCooperativeWorkerFn" }

/** The definition, or a throw of the `TypeError` naming the bad argument. */
const defined = (made: WorkerFnImpl | Problem): WorkerFnImpl => {
  if (made instanceof WorkerFnImpl) return made
  throw errorOf(made)
}

/** How messages of the Promise API speak of a pool. */
const maker: PoolMaker = {
  where: "createWorkerPool",
  madeBy: "createWorkerPool",
  outlive:
    "A pool must outlive the calls on it: dispose of it (the end of its `await using` block) only after they have settled."
}

const crashedError = (crash: Crash): WorkerCrashedError =>
  new WorkerCrashedError(
    crashMessage(crash),
    { fn: crash.fn, module: crash.module, reason: crash.reason, exitCode: crash.exitCode },
    { cause: crash.cause }
  )

/**
 * What a call that did not succeed rejects with: the function's own error (several in
 * an `AggregateError`), the crash of its worker, or, once cancelled, its signal's reason
 * (a `CancelledError` when it stopped itself, its signal not aborted).
 */
const rejectionOf = (
  fn: WorkerFnImpl,
  outcome: Exclude<Outcome<unknown>, { _tag: "Success" }>,
  signal: AbortSignal
) => {
  if (outcome._tag === "Crashed") return crashedError(outcome.crash)
  const errors =
    outcome._tag === "Failure"
      ? outcome.reasons.flatMap((reason) =>
          reason._tag === "Fail" ? [reason.error] : reason._tag === "Die" ? [reason.defect] : []
        )
      : []
  if (errors.length === 1) return errors[0]
  if (errors.length > 1) return new AggregateError(errors, `${errors.length} errors in one worker call`)
  return signal.aborted ? signal.reason : new CancelledError(`The worker call ${fn.exportName} was cancelled`)
}

/** The problem with a call's input, for `where` (`pool.run`, `pool.task`). */
const callProblem = (where: string, fn: unknown, args: unknown, options: unknown): Problem | undefined =>
  workerFnProblem(where, fn instanceof WorkerFnImpl, fn, "a worker function (from defineWorkerFn)") ??
  argsProblem(where, args) ??
  optionsProblem(where, options) ??
  signalProblem(where, (options as RunOptions | undefined)?.signal)

/** The Promise API's pool: a pool core, closed by `await using`. */
class PromisePool implements WorkerPool {
  readonly core: PoolCore
  constructor(core: PoolCore) {
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
    const problem = callProblem("pool.run", fn, args, options)
    if (problem !== undefined) return Promise.reject(errorOf(problem))
    return this.call(fn as unknown as WorkerFnImpl, args, options?.signal ?? taskSignal())
  }

  task<Args extends ReadonlyArray<unknown>, A>(
    fn: WorkerFn<Args, A>,
    ...args: Args
  ): (signal: AbortSignal) => Promise<A> {
    const problem = callProblem("pool.task", fn, args, undefined)
    if (problem !== undefined) throw errorOf(problem)
    const definition = fn as unknown as WorkerFnImpl
    const task = (signal: AbortSignal) => this.call<A>(definition, args, signal)
    Object.defineProperty(task, "name", { value: definition.exportName })
    return task
  }

  /** One call, cancelled by `signal`: the promise settles once the call has ended (stopped, when cancelled). */
  private call<A>(fn: WorkerFnImpl, args: ReadonlyArray<unknown>, signal: AbortSignal): Promise<A> {
    if (signal.aborted) return Promise.reject(signal.reason)
    return new Promise<A>((resolve, reject) => {
      const call = this.core.call<A>(fn, args)
      const cancel = () => call.cancel()
      signal.addEventListener("abort", cancel, { once: true })
      call.onEnd((outcome) => {
        signal.removeEventListener("abort", cancel)
        if (outcome._tag === "Success") resolve(outcome.value)
        else reject(rejectionOf(fn, outcome, signal))
      })
    })
  }

  close(): Promise<void> {
    return this.core.close()
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.core.close()
  }
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
  const settings = settingsFrom(maker, options)
  if (isProblem(settings)) throw errorOf(settings)
  return new PromisePool(new PoolCore(settings))
}
