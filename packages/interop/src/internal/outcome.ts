// The one place where the kernel's outcomes meet what Promise code sees: a task's
// outcome as its handle gives it (a value, its own error object, a cancellation), a
// group's end as its promise settles (its body's value, the one error, an
// AggregateError, or the reason it was cancelled with), and, the other way, how a
// settled promise ends a task (see tasks.ts).
import type { GroupCause, Task } from "@soonify/kernel"
import { type Enclosing, runIn } from "#ambient"
import { CancelledError } from "../Errors.ts"
import type { Status } from "../SoonValue.ts"
import { isThenable } from "./validation.ts"

/** "Nothing here": a reason or an error that was not set (`undefined` is a valid reason). */
export const NONE: unique symbol = Symbol("@soonify/interop/none")

/**
 * A task that failed with more than one error: its own timeout, and the error it
 * stopped with (nothing is lost). The group reports each; the handle an AggregateError.
 */
export class SeveralErrors {
  declare readonly errors: ReadonlyArray<unknown>
  constructor(errors: ReadonlyArray<unknown>) {
    this.errors = errors
  }
}

/** One error as itself; several as an AggregateError holding each, in order. */
export const combine = (errors: ReadonlyArray<unknown>, message: string): unknown =>
  errors.length === 1 ? errors[0] : new AggregateError(errors, message)

/** The error a failed task's handle gives, from the outcome it ended with. */
export const taskError = (outcome: unknown, task: string): unknown =>
  outcome instanceof SeveralErrors
    ? combine(outcome.errors, `Task "${task}" failed with ${outcome.errors.length} errors`)
    : outcome

/** The status of an ended task's handle. */
export const statusOf = (task: Task<any>): Exclude<Status, "pending"> =>
  task.ending === "succeeded" ? "fulfilled" : task.ending === "cancelled" ? "cancelled" : "rejected"

/** What an ended task's handle holds: its value, its error, or nothing (cancelled: the handle makes its CancelledError). */
export const resultOf = (task: Task<any>): unknown =>
  task.ending === "succeeded"
    ? task.outcome
    : task.ending === "cancelled"
      ? undefined
      : taskError(task.outcome, task.name)

/**
 * A slot of a gather (with `returnExceptions`): the task's value, else its error; a
 * cancelled task's slot holds `cancelledWith` (the deadline's TimeoutError) or a
 * CancelledError.
 */
export const slotOf = (task: Task<any>, cancelledWith: unknown): unknown =>
  task.ending === "succeeded"
    ? task.outcome
    : task.ending === "cancelled"
      ? cancelledWith === NONE
        ? new CancelledError(`Task "gathered task" was cancelled`)
        : cancelledWith
      : taskError(task.outcome, "gathered task")

/**
 * What `tg.start` rejects with when its task ended before calling `started`: its error;
 * the reason it was cancelled with (`reason`: the caller's or the group's); or, when it
 * returned, an error saying it never called `started`.
 */
export const startFailure = (task: Task<any>, reason: unknown): unknown =>
  task.ending === "succeeded"
    ? new Error(
        `tg.start: task "${task.name}" ended without calling started(value); ` +
          "call started once the task is ready, before it returns"
      )
    : task.ending === "cancelled"
      ? reason === NONE
        ? new Error(`Starting task "${task.name}" was cancelled`)
        : reason
      : taskError(task.outcome, task.name)

/**
 * The errors of a group's failures, in order, each object once (a body that awaited a
 * failed task rejects with that task's error: one error, not two).
 */
export const errorsOf = (failures: ReadonlyArray<unknown>): Array<unknown> => {
  const errors: Array<unknown> = []
  const add = (error: unknown) => {
    if (!errors.includes(error)) errors.push(error)
  }
  for (const failure of failures) {
    if (failure instanceof SeveralErrors) for (const error of failure.errors) add(error)
    else add(failure)
  }
  return errors
}

/**
 * What a group's promise settles with once the group has ended: the body's `value` when
 * nothing shut the group down; else its errors (one as itself, several as an
 * AggregateError); else `reason` (the outside signal's reason, a TimeoutError, what
 * `tg.cancel` was given).
 */
export const groupResult = <A>(cause: GroupCause | undefined, value: A, what: string, reason: unknown): A => {
  if (cause === undefined) return value
  const errors = errorsOf(cause.failures)
  if (errors.length > 0) throw combine(errors, `${what} failed with ${errors.length} errors`)
  throw reason === NONE ? new CancelledError(`${what} was cancelled`) : reason
}

/**
 * Tells whether a rejection, after the task was cancelled with `reason`, is that
 * cancellation rather than a failure: the reason itself (what `signal.throwIfAborted()`
 * and `fetch` throw), or an `AbortError` whose `cause` is the reason (what Node's own
 * APIs, such as `timers/promises` and `events.once`, throw).
 */
export const isCancellation = (error: unknown, reason: unknown): boolean =>
  reason !== NONE &&
  (error === reason || (error instanceof Error && error.name === "AbortError" && error.cause === reason))

/** How a call of user code ended: with a value, or with an error (a throw or a rejection). */
export type SettledAs = "fulfilled" | "rejected"

/**
 * Calls `f(x)` as code of `context` (a group's body, a task's attempt), and tells
 * `settle(target, how, result)` how it ended, once: at once for a value or a throw, later
 * for a thenable it returns (adopted as `Promise.resolve` does, thenables that resolve with
 * thenables all the way down).
 */
export const callSettled = <X, T>(
  context: Enclosing,
  f: (x: X) => unknown,
  x: X,
  target: T,
  settle: (target: T, how: SettledAs, result: unknown) => void
): void => {
  let result: unknown
  try {
    result = runIn(context, f, x)
  } catch (error) {
    return settle(target, "rejected", settled(error))
  }
  if (!isThenable(result)) return settle(target, "fulfilled", result)
  Promise.resolve(result).then(
    (value) => settle(target, "fulfilled", value),
    (error) => settle(target, "rejected", settled(error))
  )
}

/**
 * Whether code asked to stop with `reason` ended as that cancellation rather than failing:
 * with a value (dropped), a `CancelledError`, or the reason (see {@link isCancellation}).
 */
export const endedCancelled = (how: SettledAs, result: unknown, reason: unknown): boolean =>
  how === "fulfilled" || result instanceof CancelledError || isCancellation(result, reason)

/**
 * Formats an error's stack now. Until then V8 keeps the stack's functions, and with them
 * whatever they close over (often the task's group): a failure kept for reporting would
 * keep its group from ever being collected (see createTaskGroup).
 */
export const settled = (error: unknown): unknown => {
  if (error instanceof Error) void error.stack
  return error
}
