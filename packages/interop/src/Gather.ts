/**
 * Running many tasks and collecting their results: `gather` (asyncio's, with
 * `Promise.all`'s types) and `asCompleted` (values in completion order).
 *
 * @since 0.1.0
 */
import { CancelledError, TimeoutError } from "./Errors.ts"
import { runIn, stopSignal } from "#ambient"
import { Arrivals } from "./internal/completion.ts"
import { GroupContext, type Settings } from "./internal/context.ts"
import { checkTasks, type Input, isTask, type Prepared, prepare, taskOf, tasksFrom } from "./internal/inputs.ts"
import { combine, NONE, slotOf } from "./internal/outcome.ts"
import type { Job } from "./internal/tasks.ts"
import { checkOptions, checkSignal, concurrencyOf, describe, isIterable, timeoutOf } from "./internal/validation.ts"
import { observe, type SoonValue } from "./SoonValue.ts"

/**
 * One task for {@link gather} and {@link asCompleted}: a promise (watched), a SoonValue
 * or Future (watched), or a function `(signal) => promise` (started, and cancelled
 * through its signal when the others fail).
 *
 * @since 0.1.0
 * @category models
 */
export type Task<A> = PromiseLike<A> | SoonValue<A> | ((signal: AbortSignal) => A | PromiseLike<A>)

/**
 * The value a {@link Task} gives.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskValue<T> =
  T extends SoonValue<infer A> ? A : T extends (signal: AbortSignal) => infer R ? Awaited<R> : Awaited<T>

/**
 * Options of {@link gather}.
 *
 * @since 0.1.0
 * @category models
 */
export interface GatherOptions {
  /**
   * `false` (default): fail fast; the first failure cancels the functions still running
   * and `gather` rejects. `true`: everything runs to its end, and a failed slot holds its
   * error (a cancelled SoonValue's slot, its `CancelledError`).
   */
  readonly returnExceptions?: boolean | undefined
  /** At most this many tasks run (or are watched) at once, in input order. Default `Infinity`. */
  readonly concurrency?: number | undefined
  /** Cancels the gather from outside; it then rejects with `signal.reason`, once its functions have settled. */
  readonly signal?: AbortSignal | undefined
  /**
   * Cancels the tasks still running after this many milliseconds. Without
   * `returnExceptions`, the gather then rejects with a `TimeoutError`, once its functions
   * have settled; with it, the gather resolves, the tasks that ended in time keep their
   * values and errors, and each late slot holds the `TimeoutError`. Default `Infinity` (none).
   */
  readonly timeout?: number | undefined
}

/**
 * Options of {@link asCompleted}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AsCompletedOptions {
  /** Cancels the loop's functions from outside; the loop then throws `signal.reason`, once they have settled. */
  readonly signal?: AbortSignal | undefined
  /** Cancels them after this many milliseconds; the loop then throws a `TimeoutError`. Default `Infinity` (none). */
  readonly timeout?: number | undefined
  /**
   * At most this many tasks run (or are watched) at once: a function is called only when
   * a slot is free, in input order, so the rest start lazily as the first ones end.
   * Default `Infinity`.
   */
  readonly concurrency?: number | undefined
}

// A slot may hold an error whenever `returnExceptions` may be `true`.
type Slot<T, O> = true extends O[keyof O & "returnExceptions"] ? TaskValue<T> | Error : TaskValue<T>

/**
 * What {@link gather} resolves with: the input's shape, each task replaced by its value
 * (or, with `returnExceptions: true`, its value or its error).
 *
 * @since 0.1.0
 * @category models
 */
export type GatherResults<T, O = {}> =
  T extends ReadonlyArray<unknown>
    ? { -readonly [K in keyof T]: Slot<T[K], O> }
    : T extends Iterable<infer X>
      ? Array<Slot<X, O>>
      : never

/**
 * Runs tasks at once and resolves with their values in input order (asyncio's
 * `gather`; `Promise.all` with structured concurrency).
 *
 * **Details**
 *
 * - Two forms: variadic, `gather(a, b, c)`, and one iterable with options,
 *   `gather(tasks, { returnExceptions, concurrency, signal, timeout })`. Tuples keep
 *   their types. Bad input gives a rejected promise, never a throw.
 * - Inside a task or a group body, the gather is tied to it: cancelled with it, and
 *   rejecting with its reason, as if its signal had been passed.
 * - A task is a promise, a SoonValue/Future, or a function `(signal) => promise`.
 *   Functions are started by `gather` and owned by it: on fail fast (or when `signal`
 *   aborts) their signals are aborted and `gather` waits until they have settled.
 *   Promises and handles were started elsewhere and cannot be cancelled: `gather` only
 *   stops watching them (as `Promise.all` does), and never lets their rejection go
 *   unhandled.
 * - Fail fast (default): rejects with the first failure (an `AggregateError` when
 *   several happened before everything stopped). `returnExceptions: true`: never
 *   rejects because of a task; each failed slot holds its error.
 * - A SoonValue that was cancelled counts as failed with its `CancelledError`.
 * - `timeout`: rejects with a `TimeoutError` when it runs out, once the functions have
 *   settled. With `returnExceptions: true` it keeps partial results instead (asyncio's
 *   `wait(timeout)`, shaped like `gather`): the tasks still running or waiting for a
 *   `concurrency` slot are cancelled (their signals aborted with the `TimeoutError`) and
 *   waited for, their slots hold that `TimeoutError`, the others keep their value or
 *   error, in input order. A late function that rejects with another error while it stops
 *   keeps that error. `signal` aborting first still rejects with its reason.
 * - No tasks: resolves with `[]` at once.
 *
 * **Gotchas**
 *
 * Pass functions, not called promises, when a failure should stop the others:
 * `gather(() => fetchA(), () => fetchB())` cancels `fetchB` if `fetchA` fails;
 * `gather(fetchA(), fetchB())` cannot.
 *
 * **Example**
 *
 * ```ts
 * import { gather } from "@soonify/interop"
 *
 * const [n, s] = await gather(Promise.resolve(1), async () => "two") // => [1, "two"]: [number, string]
 * const [failed, three] = await gather([Promise.reject(new Error("no")), Promise.resolve(3)], { returnExceptions: true })
 * console.log(n, s, failed, three) // => 1, "two", new Error("no"), 3
 * ```
 *
 * Fetch pages within a time budget and keep what arrived:
 *
 * ```ts
 * import { gather, TimeoutError } from "@soonify/interop"
 *
 * // Pages answer in 5 ms, except every 50th, which hangs until it is cancelled.
 * const fetchPage = (n: number) => (signal: AbortSignal) =>
 *   new Promise<string>((resolve, reject) => {
 *     if (n % 50 !== 49) setTimeout(() => resolve(`page ${n}`), 5)
 *     signal.addEventListener("abort", () => reject(signal.reason))
 *   })
 *
 * const slots = await gather(
 *   Array.from({ length: 200 }, (_, n) => fetchPage(n)),
 *   { timeout: 500, returnExceptions: true }
 * )
 * const pages = slots.filter((slot) => typeof slot === "string")
 * const late = slots.filter((slot) => slot instanceof TimeoutError)
 * console.log(pages.length, late.length) // => 196, 4
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export function gather<const T extends ReadonlyArray<Task<unknown>>>(...tasks: T): Promise<GatherResults<T>>
export function gather<const T extends Iterable<Task<unknown>>, const O extends GatherOptions = {}>(
  tasks: T,
  options?: O
): Promise<GatherResults<T, O>>
export function gather(...args: Array<unknown>): Promise<Array<unknown>> {
  let request: GatherRequest
  try {
    request = gatherRequest(args)
  } catch (error) {
    return Promise.reject(error)
  }
  const { inputs, settings } = request
  if (settings.signal?.aborted) return Promise.reject(settings.signal.reason)
  if (inputs.length === 0) return Promise.resolve([])
  // One kernel group, as core's own gather is: it counts, fails fast, times out and waits.
  const context = new GroupContext(settings)
  // Started as code of the gather's context: each function then starts without a switch.
  const tasks = runIn(context, spawnAll, { inputs, context })
  context.group.endOwner()
  return new Promise((resolve, reject) =>
    context.whenEnded(() => {
      try {
        resolve(slotsOf(context, tasks, request.returnExceptions))
      } catch (error) {
        reject(error)
      }
    })
  )
}

/** Spawns every input of a gather, as code of the gather (so each function starts without a switch). */
const spawnAll = (gathered: { readonly inputs: Array<Prepared>; readonly context: GroupContext }): Array<Job> => {
  const { context, inputs } = gathered
  const tasks: Array<Job> = []
  for (let i = 0; i < inputs.length; i++) {
    const task = taskOf(inputs[i]!, context)
    tasks.push(task)
    context.group.spawn(task)
  }
  return tasks
}

/**
 * What a gather resolves with once its group has ended: the values, in input order (or
 * its rejection). With `returnExceptions`, each slot holds its value or its error; once
 * the deadline ran out, a task it cancelled holds the TimeoutError (and a failure met
 * while stopping stays in its slot, not in the gather's rejection).
 */
const slotsOf = (context: GroupContext, tasks: ReadonlyArray<Job>, returnExceptions: boolean): Array<unknown> => {
  const partial = returnExceptions && context.group.timedOut
  if (!partial) context.result()
  const slots: Array<unknown> = []
  for (let i = 0; i < tasks.length; i++) slots.push(slotOf(tasks[i]!, partial ? context.reason : NONE))
  return slots
}

interface GatherRequest {
  readonly inputs: Array<Prepared>
  readonly returnExceptions: boolean
  readonly settings: Settings
}

/** Reads `gather`'s arguments, or throws a TypeError / RangeError naming the problem. */
const gatherRequest = (args: Array<unknown>): GatherRequest => {
  let inputs: Array<Input>
  let options: GatherOptions | undefined
  if (args.length > 0 && !isTask(args[0]) && isIterable(args[0]) && typeof args[0] !== "string") {
    if (args.length > 2) {
      throw new TypeError(
        `gather: the iterable form takes (tasks, options), received ${args.length} arguments; ` +
          "pass the tasks one by one (gather(a, b, c)) or as one iterable (gather([a, b, c], options))"
      )
    }
    options = args[1] as GatherOptions | undefined
    checkOptions("gather", options)
    inputs = tasksFrom("gather", args[0])
  } else {
    inputs = checkTasks("gather", args, "argument")
  }
  const returnExceptions = options?.returnExceptions ?? false
  if (typeof returnExceptions !== "boolean") {
    throw new TypeError(`gather: option "returnExceptions" must be a boolean, received ${describe(returnExceptions)}`)
  }
  const concurrency = concurrencyOf("gather", options?.concurrency)
  checkSignal("gather", options?.signal)
  const timeout = timeoutOf("gather", options?.timeout)
  return {
    inputs: inputs.map(prepare),
    returnExceptions,
    settings: {
      name: "gather",
      label: "gather(…)",
      signal: stopSignal(options?.signal),
      timeout,
      mode: returnExceptions ? "settle" : "failFast",
      concurrency,
      owner: "body",
      // With returnExceptions, the timeout keeps partial results instead of rejecting.
      timeoutError:
        returnExceptions && timeout !== undefined
          ? new TimeoutError("gather(…)", timeout, "this task had not settled and was cancelled at the deadline")
          : undefined
    }
  }
}

/**
 * Runs tasks at once and gives their values in the order they complete, as an
 * `AsyncIterable` (asyncio's `as_completed`): `for await (const value of asCompleted(tasks))`.
 *
 * **Details**
 *
 * - Tasks are those of {@link gather}. The functions start when the loop starts; with
 *   `concurrency`, at most that many at once, the others each when a slot is free.
 * - `signal` and `timeout` (and, inside a task, the task's cancellation) cancel the
 *   functions still running; the loop then throws the reason (a `TimeoutError` for the
 *   timeout) once they have settled.
 * - A failed task throws its error out of the loop when its turn comes (a cancelled
 *   SoonValue, its `CancelledError`); the other tasks are not cancelled by the failure
 *   until then.
 * - Leaving the loop early (`break`, `return`, a throw, or a failure) cancels the
 *   functions still running and waits until they have settled. If one of them failed
 *   rather than being cancelled, leaving the loop throws that error too (unless the loop
 *   is left by a throw of its own, which JavaScript lets win).
 * - The iterable can be looped over once. No tasks: the loop ends at once.
 *
 * **Example**
 *
 * ```ts
 * import { asCompleted } from "@soonify/interop"
 *
 * const sleep = (ms: number, signal: AbortSignal) =>
 *   new Promise((resolve, reject) => {
 *     const timer = setTimeout(resolve, ms)
 *     signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)))
 *   })
 * const fetchFrom = (mirror: string, ms: number) => async (signal: AbortSignal) => (await sleep(ms, signal), mirror)
 *
 * for await (const mirror of asCompleted([fetchFrom("a", 30), fetchFrom("b", 10)])) {
 *   console.log(mirror) // => "b"
 *   break // cancels the request to "a", and waits for it
 * }
 * ```
 *
 * @since 0.1.0
 * @category combinators
 */
export const asCompleted = <T extends Task<unknown>>(
  tasks: Iterable<T>,
  options?: AsCompletedOptions
): AsyncIterable<TaskValue<T>> => {
  const inputs = tasksFrom("asCompleted", tasks).map(prepare)
  checkOptions("asCompleted", options)
  checkSignal("asCompleted", options?.signal)
  const timeout = timeoutOf("asCompleted", options?.timeout)
  const concurrency = concurrencyOf("asCompleted", options?.concurrency)
  // Tied to where the loop is made: the enclosing task, if any.
  const signal = stopSignal(options?.signal)
  return completions(inputs, {
    name: "asCompleted",
    label: "asCompleted(…)",
    signal,
    timeout,
    // Settle mode: a failure waits for its turn in the loop instead of cancelling the rest.
    mode: "settle",
    concurrency,
    owner: "body"
  }) as AsyncIterable<TaskValue<T>>
}

async function* completions(inputs: Array<Prepared>, settings: Settings): AsyncGenerator<unknown, void, undefined> {
  const context = new GroupContext(settings)
  const handles = runIn(context, spawnWithHandles, { inputs, context })
  context.group.endOwner()
  // The handles in the order they ended, recorded as each ends (not when the loop gets
  // to look), so that tasks ending in one turn keep their true order.
  const arrivals = new Arrivals(handles, observe)
  let delivered = 0
  let thrown: unknown = NONE
  try {
    while (delivered < handles.length) {
      // Cancelled from outside (the signal, the timeout, the enclosing task): the loop stops.
      if (context.reason !== NONE) throw (thrown = context.reason)
      if (delivered === arrivals.arrived.length) {
        await arrivals.next(delivered, context.signal).catch(ignore)
        continue
      }
      const soon = arrivals.arrived[delivered++]!
      if (soon.status !== "fulfilled") throw (thrown = soon.exception)
      yield soon.value
    }
  } finally {
    arrivals.close()
    if (delivered < handles.length) {
      context.cancel(new CancelledError("The asCompleted loop was left before every task had completed"))
    }
    await new Promise((resolve) => context.whenEnded(resolve))
    // Failures of tasks that ended after the loop was left: reported, never lost. They
    // win over a cancellation from outside, as in a group.
    const failure = thrown !== NONE && thrown !== context.reason
    const errors = failure ? [thrown] : []
    const seen = new Set(arrivals.arrived.slice(0, delivered))
    for (const soon of handles) if (!seen.has(soon) && soon.status === "rejected") errors.push(soon.exception)
    // A `break` reaches only this block: throwing here is how the failure gets out of the loop.
    // oxlint-disable-next-line no-unsafe-finally
    if (errors.length > (failure ? 1 : 0)) throw combine(errors, `asCompleted: ${errors.length} tasks failed`)
  }
}

/** Spawns every input of an asCompleted loop with a handle, as code of the loop. */
const spawnWithHandles = (looped: {
  readonly inputs: Array<Prepared>
  readonly context: GroupContext
}): Array<SoonValue<unknown>> => {
  const { context, inputs } = looped
  const handles: Array<SoonValue<unknown>> = []
  for (let i = 0; i < inputs.length; i++) {
    const task = taskOf(inputs[i]!, context)
    task.handed = true
    handles.push(task)
    context.group.spawn(task)
  }
  return handles
}

const ignore = (): void => {}
