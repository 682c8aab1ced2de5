// A Promise-returning function as a core task. Core adopts it as an external task (no
// fiber: `TaskGroup.spawnExternalUnsafe`), or runs it as an Effect where one is needed
// (`TaskGroup.external`: a group body, a gather slot, a start handshake). Either way
// core does the counting, the fail fast and the waiting; this class only runs the
// function, aborts its signal when asked to stop, and reports how it ended.
import { TaskGroup as CoreTaskGroup } from "@soonify/core"
import type * as Exit from "effect/Exit"
import { CancelledError, TimeoutError } from "../Errors.ts"
import { cancelledExit, cancelledFailedExit, failedExit, NONE, succeededExit, timedOutExit } from "./outcome.ts"
import { coreHandle, handleToCome, SoonValue } from "../SoonValue.ts"
import { type CoreTaskHandle, type Enclosing, runIn } from "./ambient.ts"
import { isThenable } from "./validation.ts"

/**
 * What a task belongs to (a group, a gather, an asCompleted loop): `reason` is the
 * reason the owner itself was cancelled with (its `signal.reason`), or `NONE` while it
 * has not been; `signal` is aborted with it.
 */
export interface Owner extends Enclosing {
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
 * Formats an error's stack now. Until then V8 keeps the stack's functions, and with them
 * whatever they close over (often the task's group): a failure kept for reporting would
 * keep its group from ever being collected (see createTaskGroup).
 */
const settled = (error: unknown): unknown => {
  if (error instanceof Error) void error.stack
  return error
}

/**
 * A call of a Promise-returning function as a task: at once the interop handle to it
 * (a SoonValue), the external task core adopts (`TaskGroup.spawnExternalUnsafe`, or
 * `TaskGroup.external` where an Effect is needed: a group body, a gather slot, a start
 * handshake) and, for a task with a context of its own, the ambient context its code
 * runs in. One object per task: core does the counting, the fail fast and the waiting;
 * this class only calls the function, aborts its signal when asked to stop, and reports
 * how it ended.
 *
 * **Details**
 *
 * `run()` calls the function: with the caller's arguments (`soonify`, a group body) or
 * with a signal (`spawn`, `start`: the task's own; a `gather` or `asCompleted`
 * function: its owner's). A task with a context of its own (`soonify`, `spawn`,
 * `start`) runs as code of itself, so that the interop operations it starts are
 * cancelled with it, even when its handle alone is; the others (a body, a gather
 * function, never cancelled alone) run as code of their owner. The signal is made
 * only when somebody reads it.
 *
 * The function's value (adopted like `Promise.resolve` does when it is a thenable) ends
 * the task with success, its rejection (or synchronous throw) with that failure.
 * `interruptUnsafe` aborts the task's signal with the owner's reason (or a
 * CancelledError when the task alone is cancelled); the task still ends only once the
 * promise has settled. A rejection with that reason (or the owner's) then ends it
 * cancelled; a rejection with anything else ends it cancelled *and* failed with that
 * error, so the group reports it; a value is dropped.
 */
export class PromiseTask<A> extends SoonValue<A> implements CoreTaskGroup.ExternalTask<A, unknown>, Enclosing {
  /** The task's Exit once it has ended (core's handle gets it through the observer). */
  exit: Exit.Exit<A, unknown> | undefined = undefined
  #observer: ((exit: Exit.Exit<A, unknown>) => void) | undefined = undefined
  #onEnd: (() => void) | undefined
  /** The function and its arguments (`undefined`: a signal) until `run` calls it. */
  #fn: ((...args: Array<any>) => unknown) | undefined
  #args: ReadonlyArray<unknown> | undefined
  /** Whether the task is a context of its own (else its code is its owner's). */
  readonly #own: boolean
  readonly #owner: Owner
  /** Once interrupted: the reason the signal was aborted with, and who interrupted. */
  #reason: unknown = NONE
  #interruptor: number | undefined = undefined
  #controller: AbortController | undefined = undefined

  static {
    // What user code holds is a SoonValue: logs and `toString` say so.
    Object.defineProperty(this, "name", { value: "SoonValue" })
  }

  constructor(
    fn: (...args: Array<any>) => unknown,
    args: ReadonlyArray<unknown> | undefined,
    own: boolean,
    owner: Owner,
    onEnd: (() => void) | undefined = undefined
  ) {
    super(handleToCome)
    this.#fn = fn
    this.#args = args
    this.#own = own
    this.#owner = owner
    this.#onEnd = onEnd
  }

  /** Keeps core's handle for this task (what the SoonValue reads); gives the task. */
  adopted(soon: CoreTaskHandle): this {
    this[coreHandle] = soon
    return this
  }

  /**
   * The core handle of the task, for snapshots and progress (see `Enclosing.task`): a
   * task with a context of its own has one; code of its owner has the owner's.
   */
  get task(): CoreTaskHandle | undefined {
    return this.#own ? (this[coreHandle] as CoreTaskHandle | undefined) : this.#owner.task
  }

  /** The task's owner: what its code runs under, in turn. */
  get outer(): Enclosing {
    return this.#owner
  }

  /** Calls the function as code of the task (or of its owner); gives the task (what core's start functions return). */
  run(): this {
    let result: unknown
    try {
      result = runIn(this.#own ? this : this.#owner, PromiseTask.#call, this)
    } catch (error) {
      this.#endedAtOnce(failedExit(settled(error)))
      return this
    }
    if (!isThenable(result)) {
      this.#endedAtOnce(succeededExit(result as A))
      return this
    }
    // `Promise.resolve` adopts thenables that resolve with thenables, all the way down.
    Promise.resolve(result).then(
      (value) => this.end(this.#reason === NONE ? succeededExit(value as A) : this.#stopped(NONE)),
      (error) => this.end(this.#reason === NONE ? failedExit(settled(error)) : this.#stopped(settled(error)))
    )
    return this
  }

  static #call(task: PromiseTask<any>): unknown {
    const fn = task.#fn!
    const args = task.#args
    task.#fn = undefined
    task.#args = undefined
    if (args !== undefined) return fn(...args)
    return fn(task.#own ? task.signal : task.#owner.signal)
  }

  /**
   * The task's own signal, made when first asked for (aborted already if the task was
   * cancelled). Code of a task that has ended (a callback it left behind) belongs to
   * its owner: it gets the owner's signal.
   */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      if (this.exit !== undefined && this.#reason === NONE) return this.#owner.signal
      this.#controller = new AbortController()
      if (this.#reason !== NONE) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  addObserver(observer: (exit: Exit.Exit<A, unknown>) => void): void {
    if (this.exit !== undefined) observer(this.exit)
    else this.#observer = observer
  }

  interruptUnsafe(fiberId?: number | undefined): void {
    if (this.exit !== undefined || this.#reason !== NONE) return
    this.cancelWith(
      this.#owner.reason === NONE ? new CancelledError("The task was cancelled") : this.#owner.reason,
      fiberId
    )
  }

  /** Cancels the task with `reason` (its signal is aborted with it), unless it has ended or was cancelled already. */
  protected cancelWith(reason: unknown, fiberId: number | undefined): void {
    if (this.exit !== undefined || this.#reason !== NONE) return
    this.#interruptor = fiberId
    this.#reason = reason
    this.#controller?.abort(reason)
  }

  /** What the task was cancelled with, or `NONE`. */
  protected get cancelReason(): unknown {
    return this.#reason
  }

  /** Ends the task during its first, synchronous steps (before core observes it). */
  #endedAtOnce(exit: Exit.Exit<A, unknown>): void {
    this.exit = exit
    this.#onEnd?.()
  }

  /** Ends the task (the first end wins): tells core, then `onEnd`. */
  end(exit: Exit.Exit<A, unknown>): void {
    if (this.exit !== undefined) return
    this.exit = exit
    const observer = this.#observer
    this.#observer = undefined
    observer?.(exit)
    this.#onEnd?.()
  }

  /**
   * How a task that was asked to stop ends when it rejects with `error` (or fulfils: `NONE`). A
   * `CancelledError` counts as the cancellation too: it is what waiting on a handle that
   * the same cancellation cancelled gives (`soon.wait()`, `gather([soon])`), where no
   * enclosing context told the wait to stop with the reason itself.
   */
  #stopped(error: unknown): Exit.Exit<A, unknown> {
    const cancellation =
      error === NONE ||
      error instanceof CancelledError ||
      isCancellation(error, this.#reason) ||
      isCancellation(error, this.#owner.reason)
    return this.stoppedExit(cancellation ? NONE : error)
  }

  /** The Exit of a task that stopped once asked to: cancelled, and failed too when it stopped with an `error`. */
  protected stoppedExit(error: unknown): Exit.Exit<A, unknown> {
    return error === NONE ? cancelledExit(this.#interruptor) : cancelledFailedExit(this.#interruptor, error)
  }
}

/**
 * A {@link PromiseTask} with its own `timeout` (ms), counted from `run`: when it runs out,
 * the task is cancelled with a `TimeoutError` (core is told it is cancelling, so that
 * snapshots show it and a stuck one is reported) and, once it has settled, fails with
 * that error (and with the error it stopped with, if any: nothing is lost). A class of its
 * own, so that a task without `timeout` carries nothing for it.
 */
export class TimedPromiseTask<A> extends PromiseTask<A> {
  readonly #timeout: number
  #timer: ReturnType<typeof setTimeout> | undefined = undefined
  #error: TimeoutError | undefined = undefined

  static {
    // What user code holds is a SoonValue: logs and `toString` say so.
    Object.defineProperty(this, "name", { value: "SoonValue" })
  }

  constructor(
    fn: (...args: Array<any>) => unknown,
    args: ReadonlyArray<unknown> | undefined,
    owner: Owner,
    timeout: number
  ) {
    super(fn, args, true, owner)
    this.#timeout = timeout
  }

  override run(): this {
    super.run()
    if (this.exit === undefined) this.#timer = setTimeout(TimedPromiseTask.#timedOut, this.#timeout, this)
    return this
  }

  static #timedOut(task: TimedPromiseTask<any>): void {
    task.#timer = undefined
    if (task.exit !== undefined || task.cancelReason !== NONE) return
    const soon = task[coreHandle] as CoreTaskHandle | undefined
    const error = new TimeoutError(
      soon === undefined ? "The task" : `Task "${soon.name}"`,
      task.#timeout,
      "it was cancelled (its signal aborted with this error) and has settled"
    )
    task.#error = error
    task.cancelWith(error, undefined)
    if (soon !== undefined) CoreTaskGroup.markCancellingUnsafe(soon, "requested")
  }

  override interruptUnsafe(fiberId?: number | undefined): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    super.interruptUnsafe(fiberId)
  }

  override end(exit: Exit.Exit<A, unknown>): void {
    if (this.exit !== undefined) return
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    // A retried attempt that timed out ends, and its task goes on: no longer cancelling.
    const soon = this[coreHandle] as CoreTaskHandle | undefined
    if (this.#error !== undefined && soon !== undefined) CoreTaskGroup.markCancellingUnsafe(soon, "ended")
    super.end(exit)
  }

  protected override stoppedExit(error: unknown): Exit.Exit<A, unknown> {
    const timedOut = this.#error
    return timedOut !== undefined && this.cancelReason === timedOut
      ? timedOutExit(timedOut, error)
      : super.stoppedExit(error)
  }
}

/**
 * A promise that somebody else started, watched as a task: it ends like the promise
 * settles. It cannot be cancelled: interrupting it only stops the watching (its task
 * ends cancelled at once), as `Promise.all` stops caring. Its rejection is handled from
 * the start, so it is never unhandled, even if nobody reads it.
 */
export class PromiseWatch<A> implements CoreTaskGroup.ExternalTask<A, unknown> {
  exit: Exit.Exit<A, unknown> | undefined = undefined
  #observer: ((exit: Exit.Exit<A, unknown>) => void) | undefined = undefined
  #onEnd: (() => void) | undefined = undefined

  constructor(promise: PromiseLike<A>) {
    // `Promise.resolve` adopts the thenable (and a thenable it resolves with), and turns
    // a `then` that throws into a rejection.
    Promise.resolve(promise).then(
      (value) => this.end(succeededExit(value)),
      (error) => this.end(failedExit(error))
    )
  }

  /** Calls `f` once the promise has settled (at once if it has), after core has seen it. */
  onEnd(f: () => void): void {
    if (this.exit !== undefined) f()
    else this.#onEnd = f
  }

  addObserver(observer: (exit: Exit.Exit<A, unknown>) => void): void {
    if (this.exit !== undefined) observer(this.exit)
    else this.#observer = observer
  }

  interruptUnsafe(fiberId?: number | undefined): void {
    this.end(cancelledExit(fiberId))
  }

  /** Ends the watch (the first end wins): tells core, then `onEnd`. */
  end(exit: Exit.Exit<A, unknown>): void {
    if (this.exit !== undefined) return
    this.exit = exit
    const observer = this.#observer
    this.#observer = undefined
    observer?.(exit)
    this.#onEnd?.()
  }
}

/** Starts `fn` as a {@link PromiseTask} when called: what core's external-task functions take. */
export const promiseTask =
  <A>(
    fn: (...args: Array<any>) => unknown,
    args: ReadonlyArray<unknown> | undefined,
    own: boolean,
    owner: Owner,
    onEnd?: () => void
  ) =>
  (): PromiseTask<A> =>
    new PromiseTask<A>(fn, args, own, owner, onEnd).run()
