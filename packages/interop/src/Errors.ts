/**
 * The errors `@soonify/interop` throws and rejects with: plain `Error` subclasses, each
 * with its own `name`, so `instanceof` and `error.name` both work.
 *
 * @since 0.1.0
 */

/**
 * Thrown by `soon.value` (and `soon.exception` never throws it) when the task has not
 * ended yet.
 *
 * **Details**
 *
 * Most of the time it means the value was read inside the group block instead of after
 * it. Read values after `await taskGroup(...)` (or after the `await using` block), check
 * `soon.ready` first, or `await soon.wait()`.
 *
 * **Example**
 *
 * ```ts
 * import { PendingValueError, taskGroup } from "@soonify/interop"
 *
 * await taskGroup(async (tg) => {
 *   const soon = tg.spawn(() => new Promise((r) => setTimeout(r, 10)))
 *   try {
 *     soon.value
 *   } catch (error) {
 *     error instanceof PendingValueError // => true
 *   }
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PendingValueError extends Error {
  override readonly name = "PendingValueError"
  /** The name of the task whose value was read too early. */
  declare readonly task: string

  /** `of`: what was read, a task's handle (the default) or a `Future`, whose advice differs. */
  constructor(task: string, of: "task" | "future" = "task") {
    super(
      of === "future"
        ? `The value of Future "${task}" is still pending: it was read before anything set it. ` +
            "Set it first (setResult, setException), check `future.ready`, or use `await future.wait()`."
        : `The value of task "${task}" is still pending: it was read before the task ended, most likely ` +
            "inside the task group block. Read it after the group has ended, check `soon.ready` first, " +
            "or use `await soon.wait()`."
    )
    this.task = task
  }
}

/**
 * What reading a cancelled task gives: `soon.value` throws it, `soon.wait()` rejects with
 * it, `soon.exception` holds it, and a `gather` slot with `returnExceptions: true` holds it.
 *
 * **Details**
 *
 * Also the default `reason` of a cancellation: the AbortSignal of a task cancelled alone
 * (`soon.cancel()`) is aborted with a `CancelledError`, and so is a group's `signal` when
 * the group is cancelled by a failure or by `tg.cancel()` without a reason.
 * A cancelled task is not a failure: its group does not reject because of it.
 *
 * **Example**
 *
 * ```ts
 * import { CancelledError, taskGroup } from "@soonify/interop"
 *
 * const soon = await taskGroup(async (tg) => {
 *   const soon = tg.spawn((signal) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason))))
 *   await soon.cancel()
 *   return soon
 * })
 * soon.status // => "cancelled"
 * soon.exception instanceof CancelledError // => true
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class CancelledError extends Error {
  override readonly name = "CancelledError"

  constructor(message = "The operation was cancelled", options?: ErrorOptions) {
    super(message, options)
  }
}

/**
 * What a group (or `gather`) with a `timeout` rejects with when the time ran out before
 * every task had ended. Also the reason its `signal` is aborted with.
 *
 * **Example**
 *
 * ```ts
 * import { setTimeout as sleep } from "node:timers/promises"
 * import { TimeoutError, taskGroup } from "@soonify/interop"
 *
 * try {
 *   await taskGroup((tg) => tg.spawn((signal) => sleep(1000, undefined, { signal })), { timeout: 10 })
 * } catch (error) {
 *   console.log(error instanceof TimeoutError) // => true: after 10 ms, the sleep was cancelled
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Error {
  override readonly name = "TimeoutError"
  /** The timeout that ran out, in milliseconds. */
  declare readonly timeout: number

  /**
   * `what` timed out after `timeout` ms, then `consequence`: by default, that its tasks
   * were cancelled and have ended (a group, a gather); a late slot of a gather with
   * partial results says that its own task was cancelled at the deadline.
   */
  constructor(what: string, timeout: number, consequence: string = "its tasks were cancelled and have ended") {
    super(`${what} timed out after ${timeout} ms: ${consequence}`)
    this.timeout = timeout
  }
}

/**
 * Thrown by `future.setResult` / `future.setException` when the future already has an
 * outcome (a value, an error, or a cancellation). The first outcome stays.
 *
 * **Example**
 *
 * ```ts
 * import { Future, FutureSetAgainError } from "@soonify/interop"
 *
 * const future = new Future<number>()
 * future.setResult(1)
 * try {
 *   future.setResult(2)
 * } catch (error) {
 *   error instanceof FutureSetAgainError // => true: future.value is still 1
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class FutureSetAgainError extends Error {
  override readonly name = "FutureSetAgainError"
  /** The name of the future that was already set. */
  declare readonly future: string

  constructor(future: string) {
    super(
      `Future "${future}" already has an outcome: a Future takes one, and the first one stays. ` +
        "Check `future.ready` before setting it, or use a new Future."
    )
    this.future = future
  }
}

/**
 * Options of {@link TaskGroupClosedError}: `cause` is what closed the group.
 *
 * @since 0.3.0
 * @category errors
 */
export interface TaskGroupClosedOptions extends ErrorOptions {
  /** Whether the group had ended (default `true`); else it was shutting down and the spawn came from outside it. */
  readonly ended?: boolean | undefined
  /** What closed the group, in words, for the message ("a failure (…)", "it timed out after 200 ms"). */
  readonly closedBy?: string | undefined
}

/**
 * Thrown when a task is spawned into a group that is no longer open: it has ended (its
 * block and all its tasks are done), or it is shutting down (after a failure, its
 * `signal`, its `timeout` or `tg.cancel()`) and the spawn came from outside it.
 *
 * **Details**
 *
 * - `cause` is what closed the group: what it rejects with (the one error, an
 *   `AggregateError` of several), or the reason it was cancelled with (a `TimeoutError`,
 *   `signal.reason`, what `tg.cancel` was given); `undefined` for a group that ended
 *   without failing or being cancelled. The message says which.
 * - "Outside" is code that is neither the group's block, one of its tasks, nor anything
 *   running under them: a request handler spawning into an app-lifetime
 *   `createTaskGroup`, the code that created it, or a `tg` kept after `taskGroup`
 *   returned. From inside (the code the shutdown is cancelling anyway), a spawn into a
 *   group that is shutting down gives a handle that is cancelled at once.
 * - `tg.spawn` and `tg.soonify`'s function throw it; `tg.start` rejects with it.
 *
 * **Example**
 *
 * ```ts
 * import { TaskGroupClosedError, createTaskGroup } from "@soonify/interop"
 *
 * const bg = createTaskGroup()
 * bg.spawn(async () => {
 *   throw new Error("one job failed")
 * })
 * await new Promise((resolve) => setTimeout(resolve, 10))
 * let closedBy: unknown
 * try {
 *   bg.spawn(async () => "later")
 * } catch (error) {
 *   if (error instanceof TaskGroupClosedError) closedBy = error.cause
 * }
 * const message = (closedBy as Error).message
 * message // => "one job failed"
 * await bg[Symbol.asyncDispose]().catch(() => undefined)
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskGroupClosedError extends Error {
  override readonly name = "TaskGroupClosedError"
  /** The name of the group that was closed. */
  declare readonly group: string
  /** The name of the task that was refused. */
  declare readonly task: string
  /** Whether the group had ended; else it was shutting down and the spawn came from outside it. */
  declare readonly ended: boolean

  constructor(group: string, task: string, options?: TaskGroupClosedOptions) {
    const ended = options?.ended ?? true
    const closedBy = options?.closedBy
    // A group without a `name` option has the name "TaskGroup", which the user never wrote.
    const where = group === "TaskGroup" ? "a task group without a name" : `task group "${group}"`
    super(
      `Cannot spawn task "${task}" into ${where}: ` +
        (ended
          ? `the group has ended${closedBy === undefined ? "" : ` after ${closedBy}`} (its block and all its ` +
            "tasks are done). Spawn tasks while the group's block or one of its tasks is still running, " +
            "or open a new group."
          : `the group is shutting down after ${closedBy ?? "it was cancelled"}, and this spawn comes from ` +
            "outside it (not from its block or one of its tasks), where a task that never runs would go " +
            "unnoticed. Handle what closed the group (this error's cause), or spawn into a group that is open."),
      options
    )
    this.group = group
    this.task = task
    this.ended = ended
  }
}
