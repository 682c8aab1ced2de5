// A Promise-returning function as a core task: an Effect that calls it, settles with
// its promise, and, when interrupted, aborts the function's AbortSignal and waits for
// the promise to settle, so that nothing is ever abandoned.
import * as Effect from "effect/Effect"
import { CancelledError } from "../Errors.ts"
import { NONE } from "./outcome.ts"
import { isThenable } from "./validation.ts"

/**
 * What a task belongs to (a group, a gather, an asCompleted loop): `reason` is the
 * reason the owner itself was cancelled with (its `signal.reason`), or `NONE` while it
 * has not been.
 */
export interface Owner {
  readonly reason: unknown
}

/**
 * Tells whether a rejection, after the task was cancelled with `reason`, is that
 * cancellation rather than a failure: the reason itself (what `signal.throwIfAborted()`
 * and `fetch` throw), or an `AbortError` whose `cause` is the reason (what Node's own
 * APIs, such as `timers/promises` and `events.once`, throw).
 */
const isCancellation = (error: unknown, reason: unknown): boolean =>
  reason !== NONE &&
  (error === reason || (error instanceof Error && error.name === "AbortError" && error.cause === reason))

/**
 * Runs `start` as a task: its return value (awaited when it is a promise) is the task's
 * value, its rejection (or synchronous throw) the task's failure.
 *
 * **Details**
 *
 * When the task is interrupted (cancelled alone or with its owner), the AbortSignal
 * given to `start` is aborted with the owner's reason (or a CancelledError when the task
 * alone is cancelled), then the interruption waits until the promise settles. If it
 * rejects with the cancellation's reason (or its owner's), the task ends cancelled; if
 * with anything else, that error is added to the interruption, so the group reports it.
 *
 * The AbortController is only made when `wantsSignal` (a function that declares a
 * parameter, as Effect does for `Effect.promise`): tasks that take no signal cost none.
 */
export const promiseTask = <A>(
  start: (signal: AbortSignal) => unknown,
  owner: Owner,
  wantsSignal: boolean
): Effect.Effect<A, unknown> =>
  Effect.callback<A, unknown>((resume) => {
    let controller: AbortController | undefined
    let result: unknown
    try {
      if (wantsSignal) controller = new AbortController()
      result = start(controller?.signal as AbortSignal)
    } catch (error) {
      return resume(Effect.fail(error))
    }
    if (!isThenable(result)) return resume(Effect.succeed(result as A))
    // Once the task is interrupted: the reason its signal was aborted with, and how to
    // end the interruption once the promise has settled.
    let reason: unknown = NONE
    let settle: (effect: Effect.Effect<void, unknown>) => void = resume as any
    const onValue = (value: unknown) => (reason === NONE ? resume(Effect.succeed(value as A)) : settle(Effect.void))
    const onError = (error: unknown) =>
      reason === NONE
        ? resume(Effect.fail(error))
        : settle(
            isCancellation(error, reason) || isCancellation(error, owner.reason) ? Effect.void : Effect.fail(error)
          )
    try {
      result.then(onValue, onError)
    } catch (error) {
      return resume(Effect.fail(error))
    }
    // Effect types the interruption handler as infallible, yet runs it as a finalizer:
    // its failure is added to the interruption's cause, which is how a task that fails
    // while being cancelled gets reported. The interop tests pin this behaviour down.
    return Effect.callback<void, unknown>((done) => {
      settle = done
      reason = owner.reason === NONE ? new CancelledError("The task was cancelled") : owner.reason
      controller?.abort(reason)
    }) as Effect.Effect<void>
  })
