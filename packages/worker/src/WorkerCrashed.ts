/**
 * The typed error of a worker call whose worker thread died under it.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import { type CrashReason as Reason, crashMessage } from "./internal/crash.ts"

/**
 * How a worker thread died: it `exit`ed (`process.exit()` in the function, or the
 * thread was stopped from outside), ran out of memory (the pool's `resourceLimits`), or
 * was ended by an error nobody caught (a throw in a timer callback, a rejected promise
 * the function did not await, a result that could not be sent back).
 *
 * **Example**
 *
 * ```ts
 * import type { CrashReason } from "@soonify/worker"
 *
 * const retryable = (reason: CrashReason): boolean => reason !== "outOfMemory"
 * console.log(retryable("exit")) // true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type CrashReason = Reason

/**
 * Raised by a worker call when the worker thread running it died before the call
 * ended. The function's own failures are never a `WorkerCrashed`: they keep their own
 * error.
 *
 * **When to use**
 *
 * Catch it (`Effect.catchTag("WorkerCrashed", ...)`) to retry a call, or to report a
 * function that exhausts the pool's memory limit. The pool has already replaced the
 * dead worker: the next call runs on a fresh one.
 *
 * **Details**
 *
 * `fn` is the name of the export that was called, `module` its module's URL, `reason`
 * how the thread died, `exitCode` the code it exited with (for `"exit"`), and `cause`
 * the error the thread reported, when it reported one.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { WorkerFn, WorkerPool } from "@soonify/worker"
 *
 * // A Node built-in as a worker function: process.exit, on a worker thread, ends the thread.
 * const exit = WorkerFn.make<(code: number) => never>("node:process", "exit")
 *
 * export const recovered = WorkerFn.call(exit)(3).pipe(
 *   Effect.catchTag("WorkerCrashed", (error) => Effect.succeed(`${error.reason} ${error.exitCode}`)), // "exit 3"
 *   Effect.provide(WorkerPool.layer({ size: 1 }))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class WorkerCrashed extends Data.TaggedError("WorkerCrashed")<{
  /** The name of the export that was called. */
  readonly fn: string
  /** The URL of the module that exports it. */
  readonly module: string
  readonly reason: CrashReason
  /** The thread's exit code, for `reason: "exit"`. */
  readonly exitCode: number | undefined
  /** What the thread reported, when it reported something. */
  readonly cause: unknown
}> {
  override get message(): string {
    return crashMessage(this)
  }
}

/**
 * Tells whether a value is a {@link WorkerCrashed}.
 *
 * **Example**
 *
 * ```ts
 * import { isWorkerCrashed, WorkerCrashed } from "@soonify/worker"
 *
 * const error = new WorkerCrashed({ fn: "hash", module: "file:///hash.js", reason: "exit", exitCode: 1, cause: undefined })
 * isWorkerCrashed(error) // true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isWorkerCrashed = (u: unknown): u is WorkerCrashed =>
  Predicate.isTagged(u, "WorkerCrashed") && u instanceof WorkerCrashed
