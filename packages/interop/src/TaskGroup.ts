/**
 * Task groups for Promise code: run many async functions at once, get every result
 * back, lose nothing.
 *
 * @since 0.1.0
 */
import { stopSignal } from "#ambient"
import { GroupContext, type Settings } from "./internal/context.ts"
import { partitionsOf, rateOf } from "./internal/flow.ts"
import { GroupView } from "./internal/group.ts"
import { keepShapesWith } from "./internal/shapes.ts"
import { combine, errorsOf } from "./internal/outcome.ts"
import {
  checkFunction,
  checkName,
  checkOptions,
  checkSignal,
  concurrencyOf,
  describe,
  modeOf,
  stuckAfterOf,
  timeoutOf
} from "./internal/validation.ts"
import type { GroupSnapshot } from "./Snapshot.ts"
import type { SoonValue } from "./SoonValue.ts"

/**
 * Options for one task.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskOptions {
  /** The task's name, shown by its handle and in messages. Default: the function's name, else `task-N`. */
  readonly name?: string | undefined
  /**
   * The task's own time limit in milliseconds, counted from when it starts running (not
   * while it waits for a `concurrency` slot). When it runs out, the task is cancelled: its
   * signal (and `taskSignal()` inside it) is aborted with a `TimeoutError`; once it has
   * settled, it fails with that `TimeoutError`. A failure like any other: fail fast
   * cancels the group; in `"settle"` mode it stays in the handle. With `retry`, each
   * attempt has the timeout, and a timed-out attempt is retried when `retryIf` allows.
   * Default `Infinity` (none); a negative or NaN value throws a `RangeError`.
   */
  readonly timeout?: number | undefined
  /**
   * Among the tasks waiting for their turn (a `concurrency` slot, room in their
   * partition, a `rate` window), a higher priority starts first; equal priorities keep
   * spawn order. A number; default 0. It orders waiting tasks only: it never pre-empts a
   * running one.
   */
  readonly priority?: number | undefined
  /**
   * The partition the task counts against: with the group's `partitions` option, at most
   * `partitions.concurrency` tasks of one partition run at once, and at most
   * `partitions.rate` of them start per window (a crawler's host, a tenant, a user). A
   * string; without `partitions` it is only shown in snapshots.
   */
  readonly partition?: string | undefined
}

/**
 * What a task can be keyed by (see {@link SpawnOptions.key}).
 *
 * @since 0.2.0
 * @category models
 */
export type TaskKey = string | number | symbol

/**
 * Options of `tg.spawn`: a task's {@link TaskOptions}, and the capabilities no other
 * Promise library ships on a group.
 *
 * @since 0.2.0
 * @category models
 */
export interface SpawnOptions extends TaskOptions {
  /**
   * Single flight: while a task spawned into this group with the same key has not
   * settled (it runs, or waits for a `concurrency` slot), the spawn calls nothing and
   * gives that task's SoonValue (the same object); once it has settled, however it did,
   * the key is free. Keys are per group. A string, a number or a symbol.
   */
  readonly key?: TaskKey | undefined
  /**
   * Retry inside the group: a rejected attempt calls the function again (with a fresh
   * signal) before the rejection counts. See {@link RetryOptions}.
   */
  readonly retry?: RetryOptions | undefined
}

/**
 * The `retry` option of `tg.spawn` and `tg.soonify`.
 *
 * **Details**
 *
 * - At most `times + 1` attempts; `delay` ms before the first retry (default 0), multiplied
 *   by `factor` (default 2) before each next one; `retryIf(error)` decides whether an
 *   error is retried (default: every error).
 * - Only the last attempt's rejection reaches the handle and the group (fail fast happens
 *   on it alone). `soon.attempt` is the attempt number, 1-based.
 * - A cancelled attempt is not retried; cancelling the task or the group during a wait
 *   between attempts ends it at once.
 *
 * **Example**
 *
 * Retry a flaky call 3 times with backoff:
 *
 * ```ts
 * import { taskGroup } from "@soonify/interop"
 *
 * let calls = 0
 * // Fails twice with a timeout, then answers.
 * const flakyFetch = async () => {
 *   if (++calls < 3) throw new Error("ETIMEDOUT")
 *   return "200 OK"
 * }
 *
 * const soon = await taskGroup((tg) =>
 *   tg.spawn(flakyFetch, { retry: { times: 3, delay: 10, factor: 2, retryIf: (error) => error instanceof Error } })
 * )
 * console.log(soon.value, soon.attempt) // => "200 OK", 3: after waits of 10 and 20 ms
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface RetryOptions {
  /** How many retries at most (so `times + 1` attempts): a non-negative integer. */
  readonly times: number
  /** Milliseconds before the first retry. Default 0. */
  readonly delay?: number | undefined
  /** What the delay is multiplied by before each next retry. Default 2. */
  readonly factor?: number | undefined
  /** Whether to retry after `error`. Default: always. */
  readonly retryIf?: ((error: unknown) => boolean) | undefined
}

/**
 * Options of `tg.soonify`: those of {@link SpawnOptions}, with `name` and `key` also
 * functions of the call's arguments (`task-184` tells nobody which URL failed).
 *
 * **Example**
 *
 * Name each task after its URL:
 *
 * ```ts
 * import { taskGroup } from "@soonify/interop"
 *
 * const fetchPage = async (url: string) => url.length
 * const soon = await taskGroup(async (tg) => tg.soonify(fetchPage, { name: (url) => `fetch ${url}` })("https://a.example"))
 * soon.name // => "fetch https://a.example"
 * ```
 *
 * **Example**
 *
 * Deduplicate concurrent loads of the same user:
 *
 * ```ts
 * import { taskGroup } from "@soonify/interop"
 *
 * let queries = 0
 * const fetchUser = async (id: number) => {
 *   queries++
 *   await new Promise((resolve) => setTimeout(resolve, 10))
 *   return { id, name: `user ${id}` }
 * }
 *
 * const [header, sidebar, other] = await taskGroup((tg) => {
 *   const loadUser = tg.soonify(fetchUser, { key: (id) => `user:${id}` })
 *   // the header and the sidebar both need user 1: one query, one handle
 *   return [loadUser(1), loadUser(1), loadUser(2)]
 * })
 * console.log(header === sidebar, header === other, queries, sidebar.value.name) // => true, false, 2, "user 1"
 * ```
 *
 * @since 0.2.0
 * @category models
 */
export interface SoonifyOptions<Args extends ReadonlyArray<unknown>> extends Omit<
  SpawnOptions,
  "key" | "name" | "partition"
> {
  /**
   * The tasks' name: a string, or a function of each call's arguments that gives it.
   * Default: `fn`'s name, else `task-N`.
   */
  readonly name?: string | ((...args: Args) => string) | undefined
  /** A {@link TaskKey} for every call, or a function giving each call's key from its arguments. */
  readonly key?: TaskKey | ((...args: Args) => TaskKey) | undefined
  /** The partition of every call, or a function giving each call's partition from its arguments (see {@link TaskOptions.partition}). */
  readonly partition?: string | ((...args: Args) => string) | undefined
}

/**
 * A rate limit (the group options `rate` and `partitions.rate`): at most `limit` task
 * starts in any window of `interval` milliseconds. A strict sliding window, not fixed
 * buckets: a task starts `interval` ms after the start `limit` places before it at the
 * earliest, so that no stretch of `interval` ms ever sees more than `limit` starts.
 *
 * @since 0.3.0
 * @category models
 */
export interface RateLimit {
  /** Starts in one window: a positive integer. */
  readonly limit: number
  /** The window in milliseconds: above 0. */
  readonly interval: number
}

/**
 * The group option `partitions`: limits per value of the tasks' `partition` option.
 *
 * @since 0.3.0
 * @category models
 */
export interface PartitionOptions {
  /** At most this many running tasks per partition value. Default `Infinity`. */
  readonly concurrency?: number | undefined
  /** At most this rate of starts per partition value. Default: none. */
  readonly rate?: RateLimit | undefined
}

/**
 * Options for a group.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskGroupOptions {
  /**
   * Cancels the group from outside when aborted; the group then rejects with
   * `signal.reason` (as `fetch` does), once every task has settled. Inside a task, the
   * task's cancellation does the same without it.
   */
  readonly signal?: AbortSignal | undefined
  /**
   * Cancels the group after this many milliseconds; it then rejects with a
   * `TimeoutError`, once every task has settled. Default `Infinity` (none).
   */
  readonly timeout?: number | undefined
  /**
   * At most this many tasks run at once; the rest wait their turn, in `priority` then
   * spawn order. A positive integer or `Infinity` (the default); `tg.setConcurrency`
   * changes it while the group runs.
   */
  readonly concurrency?: number | undefined
  /**
   * At most `limit` task starts in any window of `interval` ms (a strict sliding window);
   * the others wait their turn, in `priority` then spawn order. Default: none.
   */
  readonly rate?: RateLimit | undefined
  /**
   * Limits per value of the tasks' `partition` option, on top of the group's own: at most
   * `concurrency` running tasks and `rate` starts per partition value ("at most 2
   * requests and 5 per second per host"). A task its partition holds back never holds
   * back the tasks of other partitions. Default: none.
   */
  readonly partitions?: PartitionOptions | undefined
  /**
   * `"failFast"` (default): the first failure cancels the block and every task, and the
   * group rejects with every failure. `"settle"`: a task's failure stays in its handle
   * and cancels nothing.
   */
  readonly mode?: "failFast" | "settle" | undefined
  /**
   * Names the group in messages (`Task group "crawler" timed out…`) and snapshots. Default
   * `"TaskGroup"`; messages then name the call that made the group (`taskGroup(…) timed out…`).
   */
  readonly name?: string | undefined
  /**
   * A task that was cancelled (by the group's failure, `cancel`, `signal` or `timeout`,
   * `soon.cancel()`, or its own `timeout`) and has not settled this many milliseconds
   * later is reported once: `process.emitWarning(message, "SoonifyStuckTaskWarning")`
   * (`console.warn` where there is no `process`), naming the task, its group and how long
   * it has ignored its signal. Snapshots show it as `"cancelling"` from the cancellation
   * on. Default 10 000 (10 s); `Infinity` never reports. No timer runs until a task is
   * cancelled.
   */
  readonly stuckAfter?: number | undefined
  /**
   * Settle mode only: called once for each task that fails, when it fails, with the
   * task's own error (what `soon.exception` gives) and its handle. For an app-lifetime
   * group, where nobody waits on each handle: log, count, alert.
   *
   * - Called synchronously as the task settles (its handle has its outcome already).
   *   A cancelled task is not a failure.
   * - If it throws, its error becomes an unhandled rejection (Node prints it, and exits
   *   by default: it is a bug in the reporter, not lost); the group and its other tasks
   *   go on. A promise it returns is not awaited (a rejection of it is unhandled too).
   * - Without it, a failed task's error that nobody read (`value`, `exception`,
   *   `wait()`, or a `gather` / `asCompleted` given the handle) becomes an unhandled
   *   rejection once the handle is garbage-collected.
   * - Given to a `failFast` group (the default mode), it is a bad argument (a
   *   `TypeError`): there a failure rejects the group itself, with every failure.
   */
  readonly onTaskError?: ((error: unknown, handle: SoonValue<unknown>) => void) | undefined
}

/**
 * A group of concurrent tasks, handed to the body of {@link taskGroup} (or made by
 * {@link createTaskGroup}). Everything spawned into it has settled before the group
 * ends.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskGroup {
  /** The group's name: `options.name`, or `"TaskGroup"`. */
  readonly name: string
  /**
   * Aborted when the group is cancelled: by a failure (fail fast), `tg.cancel()`, the
   * outside `signal` or the `timeout`. Pass it on to `fetch` and friends from the block;
   * in a `soonify`'d function pass `taskSignal()`, which its handle's
   * `cancel()` and its own `timeout` abort too.
   */
  readonly signal: AbortSignal
  /**
   * Turns `fn` into a function that calls `fn(...args)` as a task of this group and
   * returns its handle at once. Keeps `fn`'s parameter types. `fn` gets no signal as an
   * argument: pass `taskSignal()` to its I/O (`fetch(url, { signal: taskSignal() })`),
   * so that cancelling the task reaches it, or use {@link TaskGroup.spawn}. The interop operations it
   * starts are tied to the task: cancelled with it, even when its handle alone is
   * cancelled (`soon.cancel()`).
   */
  soonify<Args extends ReadonlyArray<unknown>, R>(
    fn: (...args: Args) => R,
    options?: NoInfer<SoonifyOptions<Args>>
  ): (...args: Args) => SoonValue<Awaited<R>>
  /**
   * Calls `fn(signal)` as a task of this group and returns its handle at once. `signal`
   * is the task's own, aborted when the task or its group is cancelled; `fn` always gets
   * it, whatever its declared arity. The interop operations `fn` starts are tied to the
   * task: cancelled with it, even when its handle alone is cancelled.
   */
  spawn<R>(fn: (signal: AbortSignal) => R, options?: SpawnOptions): SoonValue<Awaited<R>>
  /**
   * The start handshake (trio's `nursery.start`): calls `fn(started, signal)` as a task
   * and resolves once it calls `started(value)`, with `[value, handle]`, while the task
   * goes on in the group. If the task ends before calling `started`, `start` rejects
   * with its error (and the group does not).
   */
  start<S = void, A = unknown>(
    fn: (started: (value: S) => void, signal: AbortSignal) => A | PromiseLike<A>,
    options?: TaskOptions
  ): Promise<[value: S, soon: SoonValue<A>]>
  /**
   * Cancels the group: aborts its signal (with `reason`, default a `CancelledError`) and
   * every task's. Returns at once; the group settles once every task has, rejecting
   * with `reason` unless a task failed meanwhile.
   */
  cancel(reason?: unknown): void
  /**
   * The group now, as a plain, JSON-serialisable tree: its state, counts, and the tasks
   * not yet ended (queued or running, with their progress and the groups opened inside
   * them). See {@link GroupSnapshot}; {@link renderSnapshot} prints it.
   */
  snapshot(): GroupSnapshot
  /** The keys of the group's keyed tasks that have not settled, in spawn order (a fresh array). */
  readonly keys: ReadonlyArray<TaskKey>
  /**
   * Changes `concurrency` while the group runs: raising it starts waiting tasks at once;
   * lowering it lets running tasks finish and starts no more until fewer run than the new
   * limit. Takes what the option takes (a positive integer or `Infinity`); anything else
   * throws a TypeError or RangeError naming the argument.
   */
  setConcurrency(concurrency: number): void
  /** The limit of running tasks now (`Infinity`: none): the `concurrency` option, or what `setConcurrency` set. */
  readonly concurrency: number
}

/**
 * The group {@link createTaskGroup} makes: a {@link TaskGroup} that `await using` ends.
 *
 * @since 0.1.0
 * @category models
 */
export interface DisposableTaskGroup extends TaskGroup, AsyncDisposable {
  /**
   * Waits until every task has settled, then resolves, or rejects like
   * {@link taskGroup} does. `await using` calls it at the end of the block.
   */
  [Symbol.asyncDispose](): Promise<void>
}

/** Throws a TypeError for an `onTaskError` that is not a function, or given to a failFast group. */
const checkOnTaskError = (where: string, onTaskError: unknown, mode: string): void => {
  if (onTaskError === undefined) return
  if (typeof onTaskError !== "function") {
    throw new TypeError(
      `${where}: option "onTaskError" must be a function (error, handle) => void, received ${describe(onTaskError)}`
    )
  }
  if (mode !== "settle") {
    throw new TypeError(
      `${where}: option "onTaskError" is for groups in settle mode, and this group is in failFast mode (the ` +
        'default), where a task\'s failure rejects the group itself: add mode: "settle", or handle the ' +
        "group's rejection instead"
    )
  }
}

const settingsOf = (where: string, options: TaskGroupOptions | undefined, owner: Settings["owner"]): Settings => {
  checkOptions(where, options)
  checkSignal(where, options?.signal)
  checkName(where, options?.name)
  // Inside a task, the group is also cancelled with it.
  const signal = stopSignal(options?.signal)
  const timeout = timeoutOf(where, options?.timeout)
  const name = options?.name ?? "TaskGroup"
  const mode = modeOf(where, options?.mode)
  const onTaskError = options?.onTaskError
  checkOnTaskError(where, onTaskError, mode)
  return {
    name,
    label: options?.name === undefined ? `${where}(…)` : `Task group "${name}"`,
    signal,
    timeout,
    mode,
    concurrency: concurrencyOf(where, options?.concurrency),
    rate: rateOf(where, "rate", options?.rate),
    partitions: partitionsOf(where, options?.partitions),
    stuckAfter: stuckAfterOf(where, options?.stuckAfter),
    onTaskError,
    owner
  }
}

/**
 * Runs `body(tg)` with a new task group, then waits for every task spawned into it;
 * asyncer's `async with create_task_group() as tg:` for Promise code.
 *
 * **Details**
 *
 * - Resolves with the body's value once the body and every task have settled. Tasks may
 *   spawn more tasks while the group is open.
 * - One task (or the body) failed: rejects with that very error. Several failed: with
 *   an `AggregateError` holding each, in the order they failed.
 * - `failFast` (default): the first failure cancels the body and every other task
 *   (their signals are aborted) and waits for them. `settle`: a task's failure stays in
 *   its handle; a failure of the body still cancels everything.
 * - `signal` aborted: rejects with `signal.reason`. `timeout` ran out: rejects with a
 *   `TimeoutError`. Either way only after every task has settled (a task that ignores
 *   its signal is waited for, not abandoned), and a task that failed meanwhile is
 *   reported instead.
 * - A task that, once cancelled, rejects with its signal's reason was cancelled; one
 *   that rejects with anything else failed, and is reported.
 * - Inside a task or another group's body, the group is tied to that task: cancelled
 *   with it (rejecting with its reason), as if its signal had been passed.
 * - Bad input never throws: the promise rejects, with a `RangeError` for `concurrency`
 *   or `timeout` out of range, a `TypeError` for the rest.
 *
 * **Gotchas**
 *
 * Don't keep `tg` for later: once the group has ended, spawning into it throws
 * `TaskGroupClosedError`. Don't read `soon.value` inside the body before the task has
 * ended: it throws `PendingValueError` (use `await soon.wait()`).
 *
 * **Example**
 *
 * ```ts
 * import { taskGroup } from "@soonify/interop"
 *
 * const doWork = async (name: string) => {
 *   await new Promise((resolve) => setTimeout(resolve, 1000))
 *   return `Hello, ${name}`
 * }
 *
 * const values = await taskGroup(async (tg) => [tg.soonify(doWork)("Yury"), tg.soonify(doWork)("Nathaniel")])
 * values.map((soon) => soon.value) // => ["Hello, Yury", "Hello, Nathaniel"]: after 1 second, not 2
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const taskGroup = <T>(body: (tg: TaskGroup) => T, options?: TaskGroupOptions): Promise<Awaited<T>> => {
  let settings: Settings
  try {
    checkFunction("taskGroup", "body", body)
    settings = settingsOf("taskGroup", options, "body")
  } catch (error) {
    return Promise.reject(error)
  }
  if (settings.signal?.aborted) return Promise.reject(settings.signal.reason)
  const context = new GroupContext(settings)
  return new Promise((resolve, reject) => {
    context.whenEnded(settle(resolve, reject))
    context.runBody(body, new GroupView(context))
  })
}

/** Settles a group's promise once the group has ended. */
const settle =
  <A>(resolve: (value: A) => void, reject: (error: unknown) => void) =>
  (context: GroupContext): void => {
    try {
      resolve(context.result<A>())
    } catch (error) {
      reject(error)
    }
  }

/**
 * Makes a task group that accepts tasks at once and ends when it is disposed: for
 * `await using`, the closest thing to Python's `async with`.
 *
 * **Details**
 *
 * The group is open from the start: `tg.soonify`, `tg.spawn` and `tg.start` work at
 * once, synchronously. `await tg[Symbol.asyncDispose]()` (what `await using` calls at
 * the end of the block) waits for every task and rejects like {@link taskGroup} does.
 * `signal` and `timeout` count from the creation.
 *
 * **Gotchas**
 *
 * `await using` does not tell the group that its block threw: the tasks are not
 * cancelled, they are waited for at the end of the block (and a failure of theirs is
 * combined with the block's error into a `SuppressedError`). Call `tg.cancel()` in a
 * `catch` if the block's error should stop them, or use {@link taskGroup}, whose body
 * failing cancels everything. Once the group shuts down (a failure in `failFast` mode, a
 * cancel, its `signal` or `timeout`), spawning from outside it (the code that created it,
 * a request handler) throws `TaskGroupClosedError`, whose `cause` is what closed it: for
 * independent background jobs, use `mode: "settle"` with `onTaskError`.
 *
 * **Example**
 *
 * ```ts
 * import { createTaskGroup, type SoonValue } from "@soonify/interop"
 *
 * const doWork = async (name: string) => `Hello, ${name}`
 *
 * let soon: SoonValue<string>
 * {
 *   await using tg = createTaskGroup()
 *   soon = tg.soonify(doWork)("Alex")
 * } // waits here for every task of tg
 * soon.value // => "Hello, Alex"
 * ```
 *
 * **Example**
 *
 * An app-lifetime group of background jobs, whose failures are handled as they happen:
 *
 * ```ts
 * import { createTaskGroup } from "@soonify/interop"
 *
 * const failures: Array<string> = []
 * const jobs = createTaskGroup({
 *   mode: "settle",
 *   onTaskError: (error, job) => failures.push(`${job.name}: ${(error as Error).message}`)
 * })
 * jobs.spawn(
 *   async () => {
 *     throw new Error("disk full")
 *   },
 *   { name: "backup" }
 * )
 * jobs.spawn(async () => "sent", { name: "email" })
 * await jobs[Symbol.asyncDispose]()
 * failures // => ["backup: disk full"]
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const createTaskGroup = (options?: TaskGroupOptions): DisposableTaskGroup =>
  new OwnedGroup(new GroupContext(settingsOf("createTaskGroup", options, "scope")))

/**
 * Reports the failures of a group that was collected without being disposed: once its
 * tasks have all ended, its errors become an unhandled rejection, which Node prints
 * (Python's "Task exception was never retrieved"). Cancellations alone are not reported.
 */
const undisposed = /* @__PURE__ */ new FinalizationRegistry<GroupContext>((context) => {
  context.group.endOwner()
  context.whenEnded(() => {
    const cause = context.group.cause()
    const errors = cause === undefined ? [] : errorsOf(cause.failures)
    if (errors.length > 0) {
      void Promise.reject(combine(errors, `A task group that was never disposed failed with ${errors.length} errors`))
    }
  })
})

class OwnedGroup extends GroupView implements DisposableTaskGroup {
  #ending: Promise<void> | undefined

  constructor(context: GroupContext) {
    super(context)
    undisposed.register(this, context, this)
  }

  [Symbol.asyncDispose](): Promise<void> {
    if (this.#ending !== undefined) return this.#ending
    undisposed.unregister(this)
    const context = this.context
    context.group.endOwner()
    this.#ending = new Promise<void>((resolve, reject) => context.whenEnded(settle(resolve, reject)))
    return this.#ending
  }
}

// The small group whose handle and group object keep the classes of a task, a group, its
// context and its scheduler alive across full garbage collections, run as the first group opens (internal/shapes.ts).
keepShapesWith(() =>
  taskGroup((tg) => [tg, tg.soonify(async (n: number) => n)(0)], { concurrency: 1, name: "soonify.shapes" })
)
