// The one place where core's outcomes (`Exit`s and their `Cause`s) meet what Promise
// code sees: a value, a thrown error object, an AggregateError, or a cancellation; and,
// the other way, how a settled promise becomes a task's Exit.
import { isTaskGroupClosed } from "@soonify/core"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import { CancelledError, TaskGroupClosedError } from "../Errors.ts"
import type { Status } from "../SoonValue.ts"

/** "Nothing here": a reason or an error that was not set (`undefined` is a valid reason). */
export const NONE: unique symbol = Symbol("@soonify/interop/none")

/**
 * Core's errors, turned into interop's where there is one. (A group's own refusals are
 * turned by its view, which knows the reason it was cancelled with: internal/group.ts.)
 */
export const fromCore = (error: unknown): unknown => {
  if (!isTaskGroupClosed(error)) return error
  const errors = error.cause === undefined ? [] : errorsOf(error.cause)
  return new TaskGroupClosedError(error.group, error.task, {
    ended: error.ended,
    ...(errors.length === 0
      ? {}
      : { cause: combine(errors, `Task group "${error.group}" failed with ${errors.length} errors`) })
  })
}

/**
 * The errors in a cause, in order: each failure's error and each defect, each object
 * once. Interruptions are not errors: a cause made only of them gives `[]`.
 */
export const errorsOf = (cause: Cause.Cause<unknown>): Array<unknown> => {
  const errors: Array<unknown> = []
  for (const reason of cause.reasons) {
    if (reason._tag === "Interrupt") continue
    const error = fromCore(reason._tag === "Fail" ? reason.error : reason.defect)
    // A body that awaited a failed task rejects with that task's error: one error, not two.
    if (!errors.includes(error)) errors.push(error)
  }
  return errors
}

/** Tells whether a cause holds an error (a failure or a defect), not only interruptions. */
const hasErrors = (cause: Cause.Cause<unknown>): boolean => {
  for (const reason of cause.reasons) if (reason._tag !== "Interrupt") return true
  return false
}

/** One error as itself; several as an AggregateError holding each, in order. */
export const combine = (errors: ReadonlyArray<unknown>, message: string): unknown =>
  errors.length === 1 ? errors[0] : new AggregateError(errors, message)

/** The status of a task from its Exit (`undefined` while it runs). */
export const statusOf = (exit: Exit.Exit<unknown, unknown> | undefined): Status =>
  exit === undefined
    ? "pending"
    : exit._tag === "Success"
      ? "fulfilled"
      : hasErrors(exit.cause)
        ? "rejected"
        : "cancelled"

/**
 * The error that reading a failed or cancelled task gives: its own error object (an
 * AggregateError if it somehow failed several times), or a CancelledError.
 */
export const taskError = (cause: Cause.Cause<unknown>, task: string): unknown => {
  const errors = errorsOf(cause)
  return errors.length === 0
    ? new CancelledError(`Task "${task}" was cancelled`)
    : combine(errors, `Task "${task}" failed with ${errors.length} errors`)
}

/**
 * What a group's promise settles with: its value; else its errors (one as itself,
 * several as an AggregateError); else, when it was only cancelled, `reason` (the outside
 * signal's reason, a TimeoutError, or what `tg.cancel` was given).
 */
export const groupResult = <A>(exit: Exit.Exit<A, unknown>, what: string, reason: unknown): A => {
  if (exit._tag === "Success") return exit.value
  const errors = errorsOf(exit.cause)
  if (errors.length > 0) throw combine(errors, `${what} failed with ${errors.length} errors`)
  throw reason === NONE ? new CancelledError(`${what} was cancelled`) : reason
}

/** A slot of `gather(…, { returnExceptions: true })`: the value, or the error. */
export const slotOf = (exit: Exit.Exit<unknown, unknown>): unknown =>
  exit._tag === "Success" ? exit.value : taskError(exit.cause, "gathered task")

// -----------------------------------------------------------------------------
// promises to Exits
// -----------------------------------------------------------------------------

/** A task that fulfilled with `value`. */
export const succeededExit: <A>(value: A) => Exit.Exit<A> = Exit.succeed

/** A task that rejected (or threw) `error`. */
export const failedExit = (error: unknown): Exit.Exit<never, unknown> => Exit.fail(error)

/** A task that was cancelled by `interruptor` and ended as cancelled. */
export const cancelledExit = (interruptor: number | undefined): Exit.Exit<never> => Exit.interrupt(interruptor)

/** A task whose own timeout ran out: it fails with `timeout`, and with `error` too when it stopped with one. */
export const timedOutExit = (timeout: unknown, error: unknown): Exit.Exit<never, unknown> =>
  error === NONE
    ? Exit.fail(timeout)
    : Exit.failCause(Cause.fromReasons([Cause.makeFailReason(timeout), Cause.makeFailReason(error)]))

/** A task that was cancelled, then failed with `error` instead of stopping quietly. */
export const cancelledFailedExit = (interruptor: number | undefined, error: unknown): Exit.Exit<never, unknown> =>
  Exit.failCause(Cause.fromReasons([Cause.makeInterruptReason(interruptor), Cause.makeFailReason(error)]))
