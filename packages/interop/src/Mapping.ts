/**
 * `map`: a function over a lazy input, as a group, with backpressure (DESIGN §10): p-map's
 * `pMapIterable` that waits for its calls, cancels them together and loses no failure.
 *
 * @since 0.3.0
 */
import type { TaskOptions as KernelTaskOptions } from "@soonify/kernel"
import { CancelledError, TimeoutError } from "./Errors.ts"
import { runIn, stopSignal } from "#ambient"
import { GroupContext, type Settings } from "./internal/context.ts"
import { partitionsOf, rateOf } from "./internal/flow.ts"
import { NONE, taskError } from "./internal/outcome.ts"
import { CallTask } from "./internal/tasks.ts"
import {
  checkFunction,
  checkOptions,
  checkSignal,
  concurrencyOf,
  describe,
  isIterable,
  timeoutOf
} from "./internal/validation.ts"
import type { PartitionOptions, RateLimit } from "./TaskGroup.ts"

/**
 * Options of {@link map}.
 *
 * @since 0.3.0
 * @category models
 */
export interface MapOptions<T> {
  /**
   * At most this many calls run at once, and at most this many finished results wait
   * unread: the input is pulled only when both have room, so memory stays flat over an
   * endless input. A positive integer or `Infinity` (the default: give a number for an
   * endless input).
   */
  readonly concurrency?: number | undefined
  /** `true` (default): results in input order. `false`: in the order the calls end. */
  readonly ordered?: boolean | undefined
  /**
   * `false` (default): fail fast; the first failure cancels the calls still running and
   * the loop throws it. `true`: a failed call's error is yielded in its place (like
   * `gather`'s), and nothing is cancelled.
   */
  readonly returnExceptions?: boolean | undefined
  /**
   * Milliseconds for the whole map: when it runs out, the calls still running are
   * cancelled and the loop throws a `TimeoutError` once they have settled; with
   * `returnExceptions`, each of them yields that `TimeoutError` in its place and the loop
   * ends (no more input is pulled). Default `Infinity` (none).
   */
  readonly timeout?: number | undefined
  /** Cancels the map from outside; the loop then throws `signal.reason`, once the calls have settled. */
  readonly signal?: AbortSignal | undefined
  /** Each item's priority among the calls waiting for their turn (a `rate` window, a partition). */
  readonly priority?: ((item: T, index: number) => number) | undefined
  /** Each item's partition: with `partitions`, its limits apply per value (a host, a tenant). */
  readonly partition?: ((item: T, index: number) => string) | undefined
  /** At most `limit` calls start in any window of `interval` ms (a strict sliding window). */
  readonly rate?: RateLimit | undefined
  /** Limits per partition value: `{ concurrency?, rate? }`, as the group option. */
  readonly partitions?: PartitionOptions | undefined
  /** Names the map's group in snapshots and messages. Default `"map"`. */
  readonly name?: string | undefined
}

/**
 * Calls `fn(item, index, signal)` for each item of `input` (an iterable or an async
 * iterable), at most `concurrency` at once, and yields the results as an `AsyncIterable`:
 * p-map's `pMapIterable`, structured.
 *
 * **Details**
 *
 * - Lazy: nothing is pulled or called before the loop starts; the input is pulled one
 *   item at a time, and only when a call slot is free and fewer than `concurrency`
 *   finished results wait unread (so the items pulled and not yet consumed are at most
 *   `2 × concurrency`). An endless generator is fine.
 * - Results in input order (`ordered: false`: in completion order). The items of an
 *   iterable are taken as they are (a promise item is given to `fn` as a promise).
 * - The calls run as tasks of the map's own group: `signal` (the third argument, and
 *   `taskSignal()` inside) is aborted when the call is cancelled; interop operations
 *   `fn` starts are tied to it.
 * - Fail fast by default: the first failure (of a call, of the input's `next()`) cancels
 *   the calls still running, stops pulling, and the loop throws it once they have
 *   settled (an `AggregateError` when several failed meanwhile). With
 *   `returnExceptions: true` a failed call's error is yielded in its place.
 * - Leaving the loop early (`break`, `return`, a throw, the enclosing task's
 *   cancellation) cancels the calls still running, stops pulling, calls the input's own
 *   `return()` (closing a generator, running its `finally`), and waits until the calls
 *   have settled.
 * - `signal`, `timeout` (the whole map's), `rate`, `partitions`, and per item
 *   `priority` and `partition`, as for a group (DESIGN §10). Bad options throw at once.
 * - The iterable can be looped over once.
 *
 * **Example**
 *
 * Three at a time over an endless input, stopped after five results:
 *
 * ```ts
 * import { map } from "@soonify/interop"
 *
 * function* naturals() {
 *   for (let n = 0; ; n++) yield n
 * }
 * const squares: Array<number> = []
 * for await (const square of map(naturals(), async (n) => n * n, { concurrency: 3 })) {
 *   squares.push(square)
 *   if (squares.length === 5) break // cancels what runs, closes the generator
 * }
 * squares // => [0, 1, 4, 9, 16]
 * ```
 *
 * @since 0.3.0
 * @category combinators
 */
export function map<T, R>(
  input: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, index: number, signal: AbortSignal) => R,
  options: MapOptions<T> & { readonly returnExceptions: true }
): AsyncIterable<Awaited<R> | Error>
export function map<T, R>(
  input: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, index: number, signal: AbortSignal) => R,
  options?: MapOptions<T> & { readonly returnExceptions?: false | undefined }
): AsyncIterable<Awaited<R>>
export function map<T, R>(
  input: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, index: number, signal: AbortSignal) => R,
  options?: MapOptions<T>
): AsyncIterable<Awaited<R> | Error>
export function map<T, R>(
  input: Iterable<T> | AsyncIterable<T>,
  fn: (item: T, index: number, signal: AbortSignal) => R,
  options?: MapOptions<T>
): AsyncIterable<unknown> {
  const asynchronous = typeof input === "object" && input !== null && Symbol.asyncIterator in input
  if (!asynchronous && (!isIterable(input) || typeof input === "string")) {
    throw new TypeError(`map: expected an iterable or an async iterable of items, received ${describe(input)}`)
  }
  checkFunction("map", "fn", fn)
  checkOptions("map", options)
  const flag = (name: "ordered" | "returnExceptions", fallback: boolean): boolean => {
    const value = options?.[name] ?? fallback
    if (typeof value !== "boolean")
      throw new TypeError(`map: option "${name}" must be a boolean, received ${describe(value)}`)
    return value
  }
  const ordered = flag("ordered", true)
  const returnExceptions = flag("returnExceptions", false)
  for (const name of ["priority", "partition"] as const) {
    const f = options?.[name]
    if (f !== undefined && typeof f !== "function") {
      throw new TypeError(
        `map: option "${name}" must be a function (item, index) => ${name === "priority" ? "number" : "string"}, received ${describe(f)}`
      )
    }
  }
  checkSignal("map", options?.signal)
  const name = options?.name
  if (name !== undefined && typeof name !== "string")
    throw new TypeError(`map: option "name" must be a string, received ${describe(name)}`)
  const timeout = timeoutOf("map", options?.timeout)
  const settings: Settings = {
    name: name ?? "map",
    label: name === undefined ? "map(…)" : `map "${name}"`,
    // Tied to where the loop is made: the enclosing task, if any.
    signal: stopSignal(options?.signal),
    timeout,
    mode: returnExceptions ? "settle" : "failFast",
    concurrency: concurrencyOf("map", options?.concurrency),
    rate: rateOf("map", "rate", options?.rate),
    partitions: partitionsOf("map", options?.partitions),
    owner: "body",
    timeoutError:
      returnExceptions && timeout !== undefined
        ? new TimeoutError("map(…)", timeout, "this call had not settled and was cancelled at the deadline")
        : undefined
  }
  const run = new MapRun<T>(input, asynchronous, fn, settings, ordered, returnExceptions, options)
  return run.results()
}

/** One call of a map: the kernel task, reporting its end to its run. */
class MapCall extends CallTask {
  readonly index: number
  readonly mapRun: MapRun<any>

  constructor(
    run: MapRun<any>,
    index: number,
    call: (signal: AbortSignal) => unknown,
    options: KernelTaskOptions | undefined
  ) {
    // Code of the map (as a gather's functions are): its signal is the map's, which only
    // the map's cancellation aborts, and a call needs no async context of its own.
    super(call, undefined, run.context!, "owner's context", undefined, options)
    this.mapRun = run
    this.index = index
  }

  override ended(): void {
    this.mapRun.ended(this)
  }
}

/** A map's state: its input, its group, the calls in flight and the results not yet read. */
class MapRun<T> {
  context: GroupContext | undefined = undefined
  private iterator: Iterator<T> | AsyncIterator<T> | undefined = undefined
  /** Items pulled (the next item's index), calls not yet ended, results not yet read. */
  private pulled = 0
  private inFlight = 0
  private unread = 0
  /** The input has ended (or failed, or was closed): no more pulls, no `return()`. */
  private inputDone = false
  /** An async `next()` of the input is pending. */
  private pulling = false
  private filling = false
  /** Results by index (ordered), or in the order they ended, and the next one to read. */
  private readonly byIndex = new Map<number, MapCall>()
  private readonly arrived: Array<MapCall> = []
  private nextIndex = 0
  private wake: (() => void) | undefined = undefined
  private readonly limit: number
  private readonly input: Iterable<T> | AsyncIterable<T>
  private readonly asynchronous: boolean
  private readonly fn: (item: T, index: number, signal: AbortSignal) => unknown
  private readonly settings: Settings
  private readonly ordered: boolean
  private readonly returnExceptions: boolean
  private readonly options: MapOptions<T> | undefined

  constructor(
    input: Iterable<T> | AsyncIterable<T>,
    asynchronous: boolean,
    fn: (item: T, index: number, signal: AbortSignal) => unknown,
    settings: Settings,
    ordered: boolean,
    returnExceptions: boolean,
    options: MapOptions<T> | undefined
  ) {
    this.input = input
    this.asynchronous = asynchronous
    this.fn = fn
    this.settings = settings
    this.ordered = ordered
    this.returnExceptions = returnExceptions
    this.options = options
    this.limit = settings.concurrency
  }

  async *results(): AsyncGenerator<unknown, void, undefined> {
    const context = (this.context = new GroupContext(this.settings))
    this.iterator = this.asynchronous
      ? (this.input as AsyncIterable<T>)[Symbol.asyncIterator]()
      : (this.input as Iterable<T>)[Symbol.iterator]()
    let thrown = false
    // The loop wakes when the map shuts down, too (a pull may be pending, no call running).
    context.signal.addEventListener("abort", () => this.fill(), { once: true })
    try {
      this.fill()
      for (;;) {
        // Shut down (a failure, the signal, the timeout, the enclosing task): the loop
        // throws what the group ends with, once its calls have settled; with
        // returnExceptions, a timeout yields the late calls' TimeoutErrors first.
        if (context.reason !== NONE && !(this.returnExceptions && context.group.timedOut)) {
          thrown = true
          await this.close()
          context.result()
        }
        const call = this.take()
        if (call !== undefined) {
          yield this.slot(call)
          continue
        }
        if (this.inFlight === 0 && (context.reason !== NONE || (this.inputDone && !this.pulling))) return
        await new Promise<void>((resolve) => (this.wake = resolve))
      }
    } finally {
      if (!thrown) {
        await this.close()
        // Failures of calls that failed as they stopped, after the loop was left: never lost.
        // oxlint-disable-next-line no-unsafe-finally
        if (context.group.failures.length > 0) context.result()
      }
    }
  }

  /** Cancels what runs (unless every item was done), stops pulling, closes the input, and waits for the group's end. */
  private async close(): Promise<void> {
    const context = this.context!
    if (context.group.state === "open" && (!this.inputDone || this.inFlight > 0 || this.pulling)) {
      context.cancel(new CancelledError("The map loop was left before its input was done"))
    }
    if (!this.inputDone) {
      this.inputDone = true
      const closing = this.iterator!.return?.()
      // Awaited as `for await` awaits it; but while a pull is pending (an async generator
      // closes only once it has settled), not: an input stuck in `next()` must not keep
      // a cancelled map from ending. It closes when that pull settles.
      if (!this.pulling) await closing
      else if (closing !== undefined) Promise.resolve(closing).catch(() => {})
    }
    context.group.endOwner()
    await new Promise((resolve) => context.whenEnded(resolve))
  }

  /** The next result to read, if it has arrived. */
  private take(): MapCall | undefined {
    let call: MapCall | undefined
    if (this.ordered) {
      call = this.byIndex.get(this.nextIndex)
      if (call !== undefined) this.byIndex.delete(this.nextIndex++)
    } else call = this.arrived.shift()
    if (call === undefined) return undefined
    // Reading makes room to pull only when the unread results were what held the pulling back.
    if (this.unread-- === this.limit) this.fill()
    return call
  }

  /** What a call yields: its value, its error (returnExceptions), or the timeout it was cancelled at. */
  private slot(call: MapCall): unknown {
    if (call.ending === "succeeded") return call.outcome
    if (call.ending === "cancelled") return this.context!.reason
    return taskError(call.outcome, call.name)
  }

  /** A call has ended: its result waits to be read (unless the map is shutting down). */
  ended(call: MapCall): void {
    this.inFlight--
    const context = this.context!
    const kept =
      call.ending === "succeeded" || (this.returnExceptions && (call.ending !== "cancelled" || context.group.timedOut))
    if (kept && (context.reason === NONE || this.returnExceptions)) {
      this.unread++
      if (this.ordered) this.byIndex.set(call.index, call)
      else this.arrived.push(call)
    }
    this.fill()
  }

  /** Pulls and starts items while a call slot and room for a result are free; wakes the loop. */
  private fill(): void {
    if (!this.filling) {
      this.filling = true
      try {
        // As code of the map: each call then starts in its context without a switch.
        runIn(this.context!, MapRun.pull, this)
      } finally {
        this.filling = false
      }
    }
    const wake = this.wake
    this.wake = undefined
    wake?.()
  }

  private static pull(run: MapRun<any>): void {
    run.pullWhileRoom()
  }

  private pullWhileRoom(): void {
    while (
      !this.inputDone &&
      !this.pulling &&
      this.context!.reason === NONE &&
      this.inFlight < this.limit &&
      this.unread < this.limit
    ) {
      if (this.asynchronous) return this.pullLater()
      let step: IteratorResult<T>
      try {
        step = (this.iterator as Iterator<T>).next()
      } catch (error) {
        return this.inputFailed(error)
      }
      if (step.done === true) this.inputDone = true
      else this.call(step.value)
    }
  }

  /** Pulls the next item of an async input; `fill` goes on when it comes. */
  private pullLater(): void {
    this.pulling = true
    let next: Promise<IteratorResult<T>>
    try {
      next = Promise.resolve((this.iterator as AsyncIterator<T>).next())
    } catch (error) {
      this.pulling = false
      return this.inputFailed(error)
    }
    next.then(
      (step) => {
        this.pulling = false
        if (step.done === true) this.inputDone = true
        // An item pulled after the loop was left is dropped.
        else if (this.context!.reason === NONE) runIn(this.context!, (item) => this.call(item), step.value)
        this.fill()
      },
      (error) => {
        this.pulling = false
        this.inputFailed(error)
        this.fill()
      }
    )
  }

  /** The input's `next()` failed: the map fails with that error (an input that threw is done: no `return()`). */
  private inputFailed(error: unknown): void {
    this.inputDone = true
    this.context!.group.fail(error)
  }

  /** Starts the call of `item`, with its priority and partition. */
  private call(item: T): void {
    const index = this.pulled++
    const fn = this.fn
    let options: { priority?: number; partition?: string } | undefined
    try {
      options = this.callOptions(item, index)
    } catch (error) {
      return this.context!.group.fail(error)
    }
    this.inFlight++
    this.context!.group.spawn(new MapCall(this, index, (signal) => fn(item, index, signal), options))
  }

  /** The kernel options of one call: its priority and partition, from the item. */
  private callOptions(item: T, index: number): { priority?: number; partition?: string } | undefined {
    const priorityOf = this.options?.priority
    const partitionOf = this.options?.partition
    if (priorityOf === undefined && partitionOf === undefined) return undefined
    const options: { priority?: number; partition?: string } = {}
    if (priorityOf !== undefined) {
      const priority = priorityOf(item, index)
      if (typeof priority !== "number" || Number.isNaN(priority)) {
        throw new TypeError(`map: the "priority" function must return a number, returned ${describe(priority)}`)
      }
      options.priority = priority
    }
    if (partitionOf !== undefined) {
      const partition = partitionOf(item, index)
      if (typeof partition !== "string") {
        throw new TypeError(`map: the "partition" function must return a string, returned ${describe(partition)}`)
      }
      options.partition = partition
    }
    return options
  }
}
