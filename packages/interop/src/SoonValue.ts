/**
 * A `SoonValue` is the handle to one task's outcome: the value it returned, the error it
 * failed with, or its cancellation. Plus waiting on many handles at once.
 *
 * @since 0.1.0
 */
import { Task, type TaskOptions } from "@soonify/kernel"
import { CancelledError, PendingValueError } from "./Errors.ts"
import { stopSignal } from "#ambient"
import { allEnded, Arrivals } from "./internal/completion.ts"
import type { Progress } from "./Snapshot.ts"
import { failureRead } from "./internal/unread.ts"
import { checkOptions, checkSignal, describe, isIterable } from "./internal/validation.ts"

/**
 * Where a task is: `"pending"` while it runs; then `"fulfilled"` (it returned a value),
 * `"rejected"` (it failed) or `"cancelled"`.
 *
 * @since 0.1.0
 * @category models
 */
export type Status = "pending" | "fulfilled" | "rejected" | "cancelled"

// `complete` and `observe` are constants in all but syntax: friend functions that reach
// a handle's private fields, assigned once, in `SoonValue`'s static block (which runs as
// this module loads, before any other module can call them), and never again. They are
// `let` only because a static block cannot assign a `const` declared outside the class.

/**
 * Gives a handle its outcome, once (the first wins: `false` after), and tells its
 * observers, in the order they came (for interop's own modules).
 *
 * @internal
 */
export let complete: (soon: SoonValue<unknown>, status: Exclude<Status, "pending">, result: unknown) => boolean

/**
 * Calls `f` once the handle has its outcome (for interop's own modules); gives the
 * function that stops watching. Never call it on a handle that is ready.
 *
 * @internal
 */
export let observe: (soon: SoonValue<unknown>, f: () => void) => () => void

/**
 * The handle to the outcome of one task, given by `tg.soonify(fn)(...args)`,
 * `tg.spawn(fn)` and `tg.start(fn)` (and, completed by hand, by `new Future()`).
 *
 * **Details**
 *
 * - `ready`: `true` once the task has ended, whatever its outcome. It never depends on
 *   the value: `undefined`, `0` and `""` are values like any other.
 * - `status`: `"pending"`, then `"fulfilled"`, `"rejected"` or `"cancelled"`.
 * - `value`: never waits. Before the task ends it throws {@link PendingValueError}; after,
 *   it gives the value, or throws the task's own error object, or a `CancelledError`.
 * - `exception`: what `value` throws once the task has ended (its error, or the
 *   `CancelledError`), or `undefined` if it fulfilled or is still running.
 * - `wait()`: waits for the task to end, then settles like `value`. Allowed inside the
 *   group block.
 * - `cancel()`: cancels this task alone (aborts its signal) and resolves once it has
 *   ended. A cancelled task is not a failure of its group. It never waits for its
 *   caller: from inside the task it cancels (or a task nested under it) it rejects at
 *   once with the task's cancellation reason, as any interop operation of a cancelled
 *   task does.
 *
 * A SoonValue is not a thenable on purpose: `await soon` would hide whether you meant to
 * wait (`await soon.wait()`) or to read (`soon.value`).
 *
 * It is the task's kernel record itself (one object per task, as core's handle is), so
 * it also carries the record's fields (`phase`, `startedAt`…), which only its group writes.
 *
 * **Example**
 *
 * ```ts
 * import { taskGroup } from "@soonify/interop"
 *
 * const soon = await taskGroup(async (tg) => tg.soonify(async (n: number) => n * 2)(21))
 * soon.ready // => true: the group has ended
 * soon.status // => "fulfilled"
 * soon.value // => 42
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class SoonValue<out A> extends Task<undefined> {
  #status: Status = "pending"
  /** The value, or what `value` throws (made once, so that every read gives the same object). */
  #result: unknown
  /** Who waits for the outcome (the waits, a gather): made when the first one comes. */
  #observers: Array<() => void> | undefined
  /** `true` for a Future's handle (`value` read too early gives other advice; `cancel` completes it). */
  declare readonly future?: boolean

  static {
    complete = (soon, status, result) => soon.#complete(status, result)
    observe = (soon, f) => soon.#observe(f)
  }

  /** SoonValues are made by task groups and by `new Future()`, not by user code. */
  protected constructor(name?: string, options?: TaskOptions) {
    if (new.target === SoonValue) {
      throw new TypeError(
        "SoonValue: handles are made by task groups (tg.soonify, tg.spawn, tg.start) and by new Future(), " +
          `not constructed directly; received ${describe(name)}`
      )
    }
    super(undefined, name, options)
  }

  /** `true` once the task has ended: fulfilled, rejected or cancelled. */
  override get ready(): boolean {
    return this.#status !== "pending"
  }

  /**
   * What the task last reported with `reportProgress` (`{ done, total? }`), or
   * `undefined` if it reported nothing.
   */
  declare readonly progress: Progress | undefined

  /** The attempt the task is on (or ended on), 1-based: above 1 only with `retry`. */
  declare readonly attempt: number

  /**
   * `"pending"` while the task runs; then `"fulfilled"`, `"rejected"` or `"cancelled"`.
   * Reading `"rejected"` is reading the failure, as `value` and `exception` are (core's
   * `poll`): a settle group's failure seen there is not reported again as unread.
   */
  get status(): Status {
    if (this.#status === "rejected") failureRead(this)
    return this.#status
  }

  /**
   * The task's value, without waiting. Throws {@link PendingValueError} before the task
   * has ended, the task's own error if it failed, a `CancelledError` if it was cancelled.
   */
  get value(): A {
    switch (this.#status) {
      case "fulfilled":
        return this.#result as A
      case "pending":
        throw new PendingValueError(this.name, this.future === true ? "future" : "task")
      default:
        throw this.#error()
    }
  }

  /**
   * What `value` throws once the task has ended (its error, or a `CancelledError`);
   * `undefined` if the task fulfilled or is still running.
   */
  get exception(): unknown {
    return this.#status === "pending" || this.#status === "fulfilled" ? undefined : this.#error()
  }

  /**
   * Waits for the task to end, then settles like `value`: its value, its error, or a
   * `CancelledError`. Stops waiting (rejecting with the reason) when `signal`, or the
   * task this runs in, is cancelled; the task itself goes on.
   */
  wait(options?: WaitOptions): Promise<A> {
    try {
      const signal = stopSignalOf("soon.wait", options)
      if (this.ready) return Promise.resolve(this.value)
      return allEnded([this], observe, signal).then(() => this.value)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  /**
   * Cancels this task alone: aborts its signal, then resolves once it has ended. Does
   * nothing to a task that has ended. Not a failure of its group.
   *
   * Never waits for its caller: inside a task, it stops waiting when that task is
   * cancelled, rejecting with the task's cancellation reason (as interop's other
   * operations do), while the cancellation it started goes on. So `await soon.cancel()`
   * from inside the very task it cancels, or from a task nested under it, starts the
   * cancellation and rejects at once with that reason.
   */
  cancel(): Promise<void> {
    // The cancellation starts now, whoever asks; only the waiting stops with the caller.
    if (!this.ready) {
      if (this.future === true) this.#complete("cancelled", undefined)
      else this.group?.cancelTask(this, this)
    }
    if (this.ready) return Promise.resolve()
    const stopped = allEnded([this], observe, stopSignal(undefined))
    // It only tells a caller that awaits it that its own task was cancelled (reported
    // where that task is): `void soon.cancel()` in a task then cancelled is no unhandled rejection.
    stopped.catch(ignore)
    return stopped
  }

  /** A summary for logs: the name and the status. */
  toJSON(): { readonly name: string; readonly status: Status } {
    return { name: this.name, status: this.status }
  }

  override toString(): string {
    return this.#describe(this.status)
  }

  /**
   * What `console.log` (Node's `util.inspect`) shows: the same as `String(soon)`, not the
   * task record's fields; unlike `status`, it does not count as reading a failure.
   */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.#describe(this.#status)
  }

  #describe(status: Status): string {
    return `${this.future === true ? this.constructor.name : "SoonValue"}(${this.name}: ${status})`
  }

  #error(): unknown {
    // Read: a failure kept in a settle group's handle is no longer reported (internal/unread.ts).
    if (this.#status === "rejected") {
      failureRead(this)
      return this.#result
    }
    return (this.#result ??= new CancelledError(`Task "${this.name}" was cancelled`))
  }

  #complete(status: Exclude<Status, "pending">, result: unknown): boolean {
    if (this.#status !== "pending") return false
    this.#status = status
    this.#result = result
    const observers = this.#observers
    this.#observers = undefined
    if (observers !== undefined) for (const f of observers) f()
    return true
  }

  #observe(f: () => void): () => void {
    const observers = (this.#observers ??= [])
    observers.push(f)
    return () => {
      // Once the handle has its outcome, its observers are being called (or were): nothing to stop.
      if (this.#observers !== observers) return
      const at = observers.indexOf(f)
      if (at >= 0) observers.splice(at, 1)
    }
  }
}

const ignore = (): void => {}

/**
 * Options of the functions that wait on handles ({@link SoonValue.wait}, {@link waitAny},
 * {@link waitAll}, {@link resultsToChannel}).
 *
 * @since 0.1.0
 * @category models
 */
export interface WaitOptions {
  /**
   * Stops the wait when aborted: it rejects with `signal.reason`. The tasks waited on go
   * on (they belong to their group). Inside a task, the task's cancellation does the same.
   */
  readonly signal?: AbortSignal | undefined
}

/** Reads waiting options: the signal to stop on, the given one or the enclosing task's. */
const stopSignalOf = (where: string, options: WaitOptions | undefined): AbortSignal | undefined => {
  checkOptions(where, options)
  checkSignal(where, options?.signal)
  return stopSignal(options?.signal)
}

/** Reads an iterable of SoonValues, or throws a TypeError naming the problem. */
const handlesFrom = <H extends SoonValue<unknown>>(where: string, handles: unknown): Array<H> => {
  if (!isIterable(handles) || typeof handles === "string") {
    throw new TypeError(`${where}: expected an iterable of SoonValues, received ${describe(handles)}`)
  }
  const array = Array.from(handles)
  for (let i = 0; i < array.length; i++) {
    if (!(array[i] instanceof SoonValue)) {
      throw new TypeError(`${where}: element ${i} is not a SoonValue (or Future), received ${describe(array[i])}`)
    }
  }
  return array as Array<H>
}

/**
 * Waits until one of the handles has ended and returns it: the first to end, not the
 * first listed (aioresult's `wait_any`). The other tasks keep running.
 *
 * **Details**
 *
 * A handle that has already ended is returned at once (the first such in input order).
 * Never rejects because of the tasks' errors: read the handle it gives. Waiting on
 * nothing is a mistake: an empty list throws a `RangeError` at once.
 *
 * **Example**
 *
 * ```ts
 * import { taskGroup, waitAny } from "@soonify/interop"
 *
 * const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
 *
 * await taskGroup(async (tg) => {
 *   const slow = tg.spawn(async () => (await sleep(20), "slow"))
 *   const fast = tg.spawn(async () => (await sleep(10), "fast"))
 *   const first = await waitAny([slow, fast])
 *   first.value // => "fast"
 * })
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitAny = <H extends SoonValue<unknown>>(handles: Iterable<H>, options?: WaitOptions): Promise<H> => {
  try {
    const array = handlesFrom<H>("waitAny", handles)
    if (array.length === 0) {
      throw new RangeError("waitAny: needs at least one handle to wait for, received an empty iterable")
    }
    const signal = stopSignalOf("waitAny", options)
    const ended = array.find((soon) => soon.ready)
    if (ended !== undefined) return Promise.resolve(ended)
    const arrivals = new Arrivals(array, observe)
    return arrivals
      .next(0, signal)
      .then(() => arrivals.arrived[0]!)
      .finally(() => arrivals.close())
  } catch (error) {
    return Promise.reject(error)
  }
}

/**
 * Waits until every handle has ended (aioresult's `wait_all`). Never rejects because of
 * the tasks' errors: read each handle afterwards. Waiting on nothing is done at once.
 *
 * **Example**
 *
 * ```ts
 * import { taskGroup, waitAll } from "@soonify/interop"
 *
 * await taskGroup(
 *   async (tg) => {
 *     const a = tg.spawn(async () => { throw new Error("boom") })
 *     const b = tg.spawn(async () => 2)
 *     await waitAll([a, b])
 *     return [a.status, b.status] // => ["rejected", "fulfilled"]
 *   },
 *   { mode: "settle" }
 * )
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitAll = (handles: Iterable<SoonValue<unknown>>, options?: WaitOptions): Promise<void> => {
  try {
    const array = handlesFrom("waitAll", handles)
    const signal = stopSignalOf("waitAll", options)
    if (array.every((soon) => soon.ready)) return Promise.resolve()
    return allEnded(array, observe, signal)
  } catch (error) {
    return Promise.reject(error)
  }
}

/**
 * The handles, in the order their tasks end (aioresult's `results_to_channel`), as an
 * `AsyncIterable`: `for await (const soon of resultsToChannel(handles))`.
 *
 * **Details**
 *
 * Handles that have already ended come first, in input order. A failed task's handle
 * comes like any other (read its `status` or `value`). Leaving the loop early cancels
 * nothing: the tasks belong to their group. To run tasks and get their values in
 * completion order, cancelling the rest on `break`, use `asCompleted`.
 *
 * **Example**
 *
 * ```ts
 * import { resultsToChannel, taskGroup } from "@soonify/interop"
 *
 * const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
 *
 * await taskGroup(async (tg) => {
 *   const handles = [30, 10, 20].map((ms) => tg.spawn(async () => (await sleep(ms), ms)))
 *   for await (const soon of resultsToChannel(handles)) console.log(soon.value) // 10, 20, 30
 * })
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const resultsToChannel = <H extends SoonValue<unknown>>(
  handles: Iterable<H>,
  options?: WaitOptions
): AsyncIterable<H> => {
  const array = handlesFrom<H>("resultsToChannel", handles)
  return inCompletionOrder(array, stopSignalOf("resultsToChannel", options))
}

async function* inCompletionOrder<H extends SoonValue<unknown>>(
  array: Array<H>,
  signal: AbortSignal | undefined
): AsyncGenerator<H, void, undefined> {
  // Ended handles first, in input order; then each other one as it ends.
  const arrivals = new Arrivals(array, observe)
  try {
    for (let delivered = 0; delivered < array.length; delivered++) {
      if (signal?.aborted) throw signal.reason
      if (delivered === arrivals.arrived.length) await arrivals.next(delivered, signal)
      yield arrivals.arrived[delivered]!
    }
  } finally {
    arrivals.close()
  }
}
