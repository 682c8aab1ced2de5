// A Promise-returning function as a core task. Core adopts it as an external task (no
// fiber: `TaskGroup.spawnExternalUnsafe`), or runs it as an Effect where one is needed
// (`TaskGroup.external`: a group body, a gather slot, a start handshake). Either way
// core does the counting, the fail fast and the waiting; this class only runs the
// function, aborts its signal when asked to stop, and reports how it ended.
import type { TaskGroup as CoreTaskGroup } from "@soonify/core"
import type * as Exit from "effect/Exit"
import { CancelledError } from "../Errors.ts"
import { cancelledExit, cancelledFailedExit, failedExit, NONE, succeededExit } from "./outcome.ts"
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
 * A running call of a Promise-returning function, as a core external task.
 *
 * **Details**
 *
 * The function is called at once: `fn(...args)`, or `fn(signal)` when `args` is
 * `undefined`. Its value (awaited when it is a promise) ends the task with success, its
 * rejection (or synchronous throw) with that failure.
 *
 * `interruptUnsafe` aborts the function's AbortSignal with the owner's reason (or a
 * CancelledError when the task alone is cancelled); the task still ends only once the
 * promise has settled. A rejection with that reason (or the owner's) then ends it
 * cancelled; a rejection with anything else ends it cancelled *and* failed with that
 * error, so the group reports it; a value is dropped.
 *
 * The AbortController is only made for a function that declares a parameter (as
 * Effect does for `Effect.promise`): tasks that take no signal cost none.
 */
/** What every external task here shares: an Exit reported once, to one observer. */
abstract class Settling<A> implements CoreTaskGroup.ExternalTask<A, unknown> {
  exit: Exit.Exit<A, unknown> | undefined = undefined
  #observer: ((exit: Exit.Exit<A, unknown>) => void) | undefined = undefined

  addObserver(observer: (exit: Exit.Exit<A, unknown>) => void): void {
    if (this.exit !== undefined) observer(this.exit)
    else this.#observer = observer
  }

  abstract interruptUnsafe(fiberId?: number | undefined): void

  end(exit: Exit.Exit<A, unknown>): void {
    if (this.exit !== undefined) return
    this.exit = exit
    const observer = this.#observer
    this.#observer = undefined
    observer?.(exit)
  }
}

export class PromiseTask<A> extends Settling<A> {
  /** Once interrupted: the reason the signal was aborted with, and who interrupted. */
  #reason: unknown = NONE
  #interruptor: number | undefined = undefined
  #controller: AbortController | undefined = undefined
  readonly #owner: Owner

  constructor(fn: (...args: Array<any>) => unknown, args: ReadonlyArray<unknown> | undefined, owner: Owner) {
    super()
    this.#owner = owner
    let result: unknown
    try {
      if (args !== undefined) {
        result = fn(...args)
      } else if (fn.length === 0) {
        result = fn()
      } else {
        this.#controller = new AbortController()
        result = fn(this.#controller.signal)
      }
    } catch (error) {
      this.exit = failedExit(error)
      return
    }
    if (!isThenable(result)) {
      this.exit = succeededExit(result as A)
      return
    }
    try {
      result.then(
        (value) => this.end(this.#reason === NONE ? succeededExit(value as A) : cancelledExit(this.#interruptor)),
        (error) => this.end(this.#reason === NONE ? failedExit(error) : this.#stopped(error))
      )
    } catch (error) {
      this.exit = failedExit(error)
    }
  }

  interruptUnsafe(fiberId?: number | undefined): void {
    if (this.exit !== undefined || this.#reason !== NONE) return
    this.#interruptor = fiberId
    this.#reason = this.#owner.reason === NONE ? new CancelledError("The task was cancelled") : this.#owner.reason
    this.#controller?.abort(this.#reason)
  }

  /** How a task that was asked to stop ends when it rejects with `error`. */
  #stopped(error: unknown): Exit.Exit<A, unknown> {
    return isCancellation(error, this.#reason) || isCancellation(error, this.#owner.reason)
      ? cancelledExit(this.#interruptor)
      : cancelledFailedExit(this.#interruptor, error)
  }
}

/**
 * A promise that somebody else started, watched as a task: it ends like the promise
 * settles. It cannot be cancelled: interrupting it only stops the watching (its task
 * ends cancelled at once), as `Promise.all` stops caring. Its rejection is handled from
 * the start, so it is never unhandled, even if nobody reads it.
 */
export class PromiseWatch<A> extends Settling<A> {
  constructor(promise: PromiseLike<A>) {
    super()
    try {
      promise.then(
        (value) => this.end(succeededExit(value)),
        (error) => this.end(failedExit(error))
      )
    } catch (error) {
      this.exit = failedExit(error)
    }
  }

  interruptUnsafe(fiberId?: number | undefined): void {
    this.end(cancelledExit(fiberId))
  }
}

/** Starts `fn` as a {@link PromiseTask}: what core's external-task functions take. */
export const promiseTask =
  <A>(fn: (...args: Array<any>) => unknown, args: ReadonlyArray<unknown> | undefined, owner: Owner) =>
  (): PromiseTask<A> =>
    new PromiseTask<A>(fn, args, owner)
