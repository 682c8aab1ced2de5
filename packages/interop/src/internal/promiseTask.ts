// A Promise-returning function as a core task. Core adopts it as an external task (no
// fiber: `TaskGroup.spawnExternalUnsafe`), or runs it as an Effect where one is needed
// (`TaskGroup.external`: a group body, a gather slot, a start handshake). Either way
// core does the counting, the fail fast and the waiting; this class only runs the
// function, aborts its signal when asked to stop, and reports how it ended.
import type { TaskGroup as CoreTaskGroup } from "@soonify/core"
import type * as Exit from "effect/Exit"
import { CancelledError } from "../Errors.ts"
import { cancelledExit, cancelledFailedExit, failedExit, NONE, succeededExit } from "./outcome.ts"
import { type CoreTaskHandle, type Enclosing, isIn, runIn } from "./ambient.ts"
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
 * How a task's function is called: with the caller's arguments (`soonify`, a group
 * body), with a signal of the task's own (`spawn`, `start`: the task can be cancelled
 * alone), or with its owner's signal (a `gather` or `asCompleted` function: never
 * cancelled alone, so one signal serves them all).
 */
export type Call = { readonly args: ReadonlyArray<unknown> } | "ownSignal" | "ownerSignal"

/**
 * Tells whether a rejection, after the task was cancelled with `reason`, is that
 * cancellation rather than a failure: the reason itself (what `signal.throwIfAborted()`
 * and `fetch` throw), or an `AbortError` whose `cause` is the reason (what Node's own
 * APIs, such as `timers/promises` and `events.once`, throw).
 */
const isCancellation = (error: unknown, reason: unknown): boolean =>
  reason !== NONE &&
  (error === reason || (error instanceof Error && error.name === "AbortError" && error.cause === reason))

/** What every external task here shares: an Exit reported once, to one observer (core), then to `onEnd`. */
abstract class Settling<A> implements CoreTaskGroup.ExternalTask<A, unknown> {
  exit: Exit.Exit<A, unknown> | undefined = undefined
  #observer: ((exit: Exit.Exit<A, unknown>) => void) | undefined = undefined
  #onEnd: (() => void) | undefined

  constructor(onEnd: (() => void) | undefined) {
    this.#onEnd = onEnd
  }

  /** Calls `f` once the task has ended (at once if it has), after core has seen the end. */
  onEnd(f: () => void): void {
    if (this.exit !== undefined) f()
    else this.#onEnd = f
  }

  addObserver(observer: (exit: Exit.Exit<A, unknown>) => void): void {
    if (this.exit !== undefined) observer(this.exit)
    else this.#observer = observer
  }

  abstract interruptUnsafe(fiberId?: number | undefined): void

  /** Ends the task (the first end wins) during its first, synchronous steps. */
  protected endedAtOnce(exit: Exit.Exit<A, unknown>): void {
    this.exit = exit
    this.#onEnd?.()
  }

  end(exit: Exit.Exit<A, unknown>): void {
    if (this.exit !== undefined) return
    this.exit = exit
    const observer = this.#observer
    this.#observer = undefined
    observer?.(exit)
    this.#onEnd?.()
  }
}

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
 * A running call of a Promise-returning function, as a core external task.
 *
 * **Details**
 *
 * The function is called at once (see {@link Call}), as code of its task (or of its
 * owner, when it shares the owner's signal): interop's operations it starts are tied to
 * that cancellation. Its value (adopted like `Promise.resolve` does when it is a
 * thenable) ends the task with success, its rejection (or synchronous throw) with that
 * failure.
 *
 * `interruptUnsafe` aborts the task's signal with the owner's reason (or a
 * CancelledError when the task alone is cancelled); the task still ends only once the
 * promise has settled. A rejection with that reason (or the owner's) then ends it
 * cancelled; a rejection with anything else ends it cancelled *and* failed with that
 * error, so the group reports it; a value is dropped.
 */
export class PromiseTask<A> extends Settling<A> implements Enclosing {
  /** Once interrupted: the reason the signal was aborted with, and who interrupted. */
  #reason: unknown = NONE
  #interruptor: number | undefined = undefined
  #controller: AbortController | undefined = undefined
  readonly #owner: Owner
  /** The task's core handle, for a task with a context of its own (see `Enclosing.task`). */
  declare readonly task?: CoreTaskHandle | undefined

  constructor(
    fn: (...args: Array<any>) => unknown,
    call: Call,
    owner: Owner,
    onEnd: (() => void) | undefined = undefined,
    task: CoreTaskHandle | undefined = undefined
  ) {
    super(onEnd)
    this.#owner = owner
    if (call === "ownSignal" && task !== undefined) (this as { task?: CoreTaskHandle }).task = task
    let result: unknown
    try {
      if (call === "ownSignal") {
        result = runIn(this, () => fn(this.signal))
      } else if (isIn(owner)) {
        // Most tasks: started by their own group's code (its body, a gather).
        result = call === "ownerSignal" ? fn(owner.signal) : fn(...call.args)
      } else {
        result = runIn(owner, () => (call === "ownerSignal" ? fn(owner.signal) : fn(...call.args)))
      }
    } catch (error) {
      this.endedAtOnce(failedExit(settled(error)))
      return
    }
    if (!isThenable(result)) {
      this.endedAtOnce(succeededExit(result as A))
      return
    }
    // `Promise.resolve` adopts thenables that resolve with thenables, all the way down.
    Promise.resolve(result).then(
      (value) => this.end(this.#reason === NONE ? succeededExit(value as A) : cancelledExit(this.#interruptor)),
      (error) => this.end(this.#reason === NONE ? failedExit(settled(error)) : this.#stopped(settled(error)))
    )
  }

  /** The task's own signal, made when first asked for (aborted already if the task was cancelled). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.#reason !== NONE) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  interruptUnsafe(fiberId?: number | undefined): void {
    if (this.exit !== undefined || this.#reason !== NONE) return
    this.#interruptor = fiberId
    this.#reason = this.#owner.reason === NONE ? new CancelledError("The task was cancelled") : this.#owner.reason
    this.#controller?.abort(this.#reason)
  }

  /**
   * How a task that was asked to stop ends when it rejects with `error`. A
   * `CancelledError` counts as the cancellation too: it is what waiting on a handle that
   * the same cancellation cancelled gives (`soon.wait()`, `gather([soon])`), where no
   * enclosing context told the wait to stop with the reason itself.
   */
  #stopped(error: unknown): Exit.Exit<A, unknown> {
    return error instanceof CancelledError ||
      isCancellation(error, this.#reason) ||
      isCancellation(error, this.#owner.reason)
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
    super(undefined)
    // `Promise.resolve` adopts the thenable (and a thenable it resolves with), and turns
    // a `then` that throws into a rejection.
    Promise.resolve(promise).then(
      (value) => this.end(succeededExit(value)),
      (error) => this.end(failedExit(error))
    )
  }

  interruptUnsafe(fiberId?: number | undefined): void {
    this.end(cancelledExit(fiberId))
  }
}

/** Starts `fn` as a {@link PromiseTask}: what core's external-task functions take. */
export const promiseTask =
  <A>(fn: (...args: Array<any>) => unknown, call: Call, owner: Owner, onEnd?: () => void) =>
  (task: CoreTaskHandle | undefined): PromiseTask<A> =>
    new PromiseTask<A>(fn, call, owner, onEnd, task)
