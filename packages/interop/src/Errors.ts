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
  readonly task: string

  constructor(task: string) {
    super(
      `The value of task "${task}" is still pending: it was read before the task ended, most likely ` +
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
  readonly timeout: number

  constructor(what: string, timeout: number, outcome = "its tasks were cancelled and have ended") {
    super(`${what} timed out after ${timeout} ms: ${outcome}`)
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
  readonly future: string

  constructor(future: string) {
    super(
      `Future "${future}" already has an outcome: a Future takes one, and the first one stays. ` +
        "Check `future.ready` before setting it, or use a new Future."
    )
    this.future = future
  }
}

/**
 * Thrown when a task is spawned into a group that has ended (its block and all its tasks
 * are done), for example through a `tg` kept after `await taskGroup(...)` returned.
 *
 * **Details**
 *
 * A group that is still shutting down (after a failure or a cancel) has not ended:
 * spawning into it gives a handle that is cancelled at once, not this error.
 *
 * **Example**
 *
 * ```ts
 * import { TaskGroupClosedError, taskGroup } from "@soonify/interop"
 *
 * const tg = await taskGroup(async (tg) => tg)
 * try {
 *   tg.spawn(async () => 1)
 * } catch (error) {
 *   error instanceof TaskGroupClosedError // => true
 * }
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TaskGroupClosedError extends Error {
  override readonly name = "TaskGroupClosedError"
  /** The name of the group that had ended. */
  readonly group: string
  /** The name of the task that was refused. */
  readonly task: string

  constructor(group: string, task: string, options?: ErrorOptions) {
    super(
      `Cannot spawn task "${task}" into task group "${group}": the group has ended (its block and all its ` +
        "tasks are done). Spawn tasks while the group's block or one of its tasks is still running, " +
        "or open a new group.",
      options
    )
    this.group = group
    this.task = task
  }
}
