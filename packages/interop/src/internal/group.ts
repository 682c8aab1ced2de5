// The group handed to Promise code: a core group, plus what Promise code needs around
// it (an AbortSignal, the reason it was cancelled with, the timeout and the outside
// signal). Every decision about tasks (counting, fail fast, waiting) is core's.
import { isTaskGroupClosed, TaskGroup as CoreTaskGroup, type TaskGroupClosed } from "@soonify/core"
import type * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { CancelledError, TaskGroupClosedError, TimeoutError } from "../Errors.ts"
import type { GroupSnapshot } from "../Snapshot.ts"
import type { SoonValue } from "../SoonValue.ts"
import type { SoonifyOptions, SpawnOptions, TaskGroup, TaskKey, TaskOptions } from "../TaskGroup.ts"
import { coreHandle } from "../SoonValue.ts"
import { wrap } from "./handle.ts"
import { type CoreTaskHandle, type Enclosing, enclosing, stopSignal } from "./ambient.ts"
import { keyedWrap, keyOfCall } from "./keys.ts"
import { placeInEnclosingTask } from "./observability.ts"
import { capabilitiesOf, coreOptions, hasCapabilities } from "./taskCapabilities.ts"
import { combine, errorsOf, groupResult, NONE, taskError } from "./outcome.ts"
import { watchUnread } from "./unread.ts"
import { type Owner, PromiseTask, TimedPromiseTask } from "./promiseTask.ts"
import { callName, checkFunction, checkName, checkOptions, describe, timeoutOf } from "./validation.ts"
import { reportStuck } from "./stuck.ts"

/** Validated group settings. */
export interface Settings {
  readonly name: string
  /**
   * How messages name the group: `Task group "crawler"` when the user named it, else the
   * call that made it (`taskGroup(…)`, `createTaskGroup(…)`, `gather(…)`, `asCompleted(…)`).
   */
  readonly label: string
  /** Cancels the group when aborted: the `signal` option, the enclosing task's, or both combined. */
  readonly signal: AbortSignal | undefined
  /** Milliseconds, or `undefined` for none. */
  readonly timeout: number | undefined
  /** With `onTaskError`: each task's SoonValue by its core handle, for the callback (see `taskErrorHook`). */
  readonly handles?: WeakMap<object, SoonValue<unknown>> | undefined
}

/**
 * What core calls for each task that fails in a settle group (its `onTaskError`): the
 * user's `onTaskError(error, handle)`, or, without one, the handle watched so that its
 * failure is reported if nobody reads it (unread.ts). Holds nothing of the group's view,
 * so that a group nobody disposes can still be collected (see createTaskGroup).
 *
 * The callback is called synchronously, as the task fails. If it throws, its error
 * becomes an unhandled rejection (the group and its other tasks go on; Node prints it);
 * a promise it returns is not awaited.
 */
export const taskErrorHook =
  (onTaskError: ((error: unknown, handle: SoonValue<unknown>) => unknown) | undefined, handles: Settings["handles"]) =>
  (cause: Cause.Cause<unknown>, handle: CoreTaskHandle): Effect.Effect<void> =>
    Effect.sync(() => {
      const error = taskError(cause, handle.name)
      if (onTaskError === undefined) return watchUnread(handle, error)
      try {
        onTaskError(error, handles?.get(handle) ?? wrap(handle))
      } catch (thrown) {
        void Promise.reject(thrown)
      }
    })

const noOptions: CoreTaskGroup.TaskOptions = {}

export class GroupView implements TaskGroup, Owner {
  readonly core: CoreTaskGroup.TaskGroup
  readonly name: string
  /** The task the group was opened in, if any: snapshots show the group under it. */
  readonly task: CoreTaskHandle | undefined
  /** Why the group is shutting down (its signal's reason), or `NONE` while it is not. */
  reason: unknown = NONE
  /** The reason `cancel` is about to shut the group down with. */
  #cancelling: unknown = NONE
  /** Made when somebody reads `signal`. */
  #controller: AbortController | undefined
  readonly #settings: Settings
  /** The context the group was opened in (see `isInside`). */
  readonly outer: Enclosing | undefined = enclosing()
  #timer: ReturnType<typeof setTimeout> | undefined
  #onAbort: (() => void) | undefined

  /** `opener`: the core task that called `taskGroup` (its group opens in a fiber of its own). */
  constructor(core: CoreTaskGroup.TaskGroup, settings: Settings, opener?: CoreTaskHandle) {
    this.core = core
    this.name = settings.name
    this.#settings = settings
    this.task = placeInEnclosingTask(core, opener)
    CoreTaskGroup.onShutdownUnsafe(core, GroupView.#onShutdown(new WeakRef(this)))
    CoreTaskGroup.onStuckUnsafe(core, reportStuck)
    const signal = settings.signal
    if (signal !== undefined) {
      if (signal.aborted) {
        this.cancel(signal.reason)
      } else {
        this.#onAbort = () => this.cancel(signal.reason)
        signal.addEventListener("abort", this.#onAbort, { once: true })
      }
    }
    if (settings.timeout !== undefined) {
      const timeout = settings.timeout
      this.#timer = setTimeout(() => this.cancel(new TimeoutError(settings.label, timeout)), timeout)
    }
  }

  // Holds the view weakly, so that a group nobody disposes can still be collected (and
  // report what it would have: see createTaskGroup). Made out of the constructor, whose
  // other closures hold `this`.
  static #onShutdown(view: WeakRef<GroupView>): () => void {
    return () => view.deref()?.shuttingDown()
  }

  /** Called by core once, when the group starts shutting down. */
  private shuttingDown(): void {
    this.reason =
      this.#cancelling !== NONE
        ? this.#cancelling
        : new CancelledError(`${this.#settings.label} was cancelled after a failure`)
    this.#controller?.abort(this.reason)
  }

  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.reason !== NONE) this.#controller.abort(this.reason)
    }
    return this.#controller.signal
  }

  cancel(reason?: unknown): void {
    // Kept, not reset after the call: on a deep stack core runs the shutdown listener a
    // little later, from a fresh stack (see core's internal/callDepth.ts). The first
    // reason given wins.
    if (this.#cancelling === NONE) {
      this.#cancelling = reason === undefined ? new CancelledError(`${this.#settings.label} was cancelled`) : reason
    }
    CoreTaskGroup.cancelUnsafe(this.core)
  }

  soonify<Args extends ReadonlyArray<unknown>, R>(
    fn: (...args: Args) => R,
    options?: SoonifyOptions<Args>
  ): (...args: Args) => SoonValue<Awaited<R>> {
    // Validated once: the function it gives checks nothing.
    checkFunction("tg.soonify", "fn", fn)
    const nameOf = options?.name
    const named = typeof nameOf === "function"
    if (named) checkOptions("tg.soonify", options)
    const taskOptions = named ? noOptions : taskOptionsOf("tg.soonify", fn, options as TaskOptions | undefined)
    const timeout = timeoutOf("tg.soonify", options?.timeout)
    const optionsOf = (args: Args): CoreTaskGroup.TaskOptions =>
      named ? { name: callName("tg.soonify", nameOf, args) } : taskOptions
    if (hasCapabilities(options)) {
      const { retry } = capabilitiesOf("tg.soonify", options!, "function allowed")
      const key = options!.key
      // Each attempt of a retried task is a task of its own: the handle is core's, wrapped.
      return (...args) =>
        this.#spawnWith(
          (soon) => ownTask<Awaited<R>>(fn, args, this, timeout).adopted(soon).run(),
          coreOptions(optionsOf(args), key === undefined ? undefined : keyOfCall("tg.soonify", key, args), retry)
        )
    }
    if (timeout !== undefined) {
      return (...args) => this.#spawn(new TimedPromiseTask<Awaited<R>>(fn, args, this, timeout), optionsOf(args))
    }
    if (named) return (...args) => this.#spawn(new PromiseTask(fn, args, true, this), optionsOf(args))
    return (...args) => this.#spawn(new PromiseTask(fn, args, true, this), taskOptions)
  }

  spawn<R>(fn: (signal: AbortSignal) => R, options?: SpawnOptions): SoonValue<Awaited<R>> {
    checkFunction("tg.spawn", "fn", fn)
    const taskOptions = taskOptionsOf("tg.spawn", fn, options)
    const timeout = timeoutOf("tg.spawn", options?.timeout)
    if (hasCapabilities(options)) {
      const { retry } = capabilitiesOf("tg.spawn", options!, "key only")
      return this.#spawnWith(
        (soon) => ownTask<Awaited<R>>(fn, undefined, this, timeout).adopted(soon).run(),
        coreOptions(taskOptions, options!.key, retry)
      )
    }
    return this.#spawn(ownTask<Awaited<R>>(fn, undefined, this, timeout), taskOptions)
  }

  get keys(): ReadonlyArray<TaskKey> {
    return this.core.keys
  }

  start<S = void, A = unknown>(
    fn: (started: (value: S) => void, signal: AbortSignal) => A | PromiseLike<A>,
    options?: TaskOptions
  ): Promise<[value: S, soon: SoonValue<A>]> {
    // It returns a promise: bad input and an ended group reject it, never throw.
    try {
      return this.#start(fn, options)
    } catch (error) {
      return Promise.reject(error)
    }
  }

  #start<S, A>(
    fn: (started: (value: S) => void, signal: AbortSignal) => A | PromiseLike<A>,
    options: TaskOptions | undefined
  ): Promise<[value: S, soon: SoonValue<A>]> {
    checkFunction("tg.start", "fn", fn)
    const taskOptions = taskOptionsOf("tg.start", fn, options)
    const timeout = timeoutOf("tg.start", options?.timeout)
    if (this.reason !== NONE) this.#refuseFromOutside(taskOptions.name)
    // The caller's cancellation (the enclosing task's) cancels the handshake, and with
    // it the starting task; the caller then sees its own reason.
    const stop = stopSignal(undefined)
    let callStarted!: (value: S) => void
    const task = ownTask<A>((signal: AbortSignal) => fn(callStarted, signal), undefined, this, timeout)
    let handshake: CoreTaskGroup.ExternalStart<S, A, unknown>
    try {
      // Core calls `fn` (through `task.run()`) before it returns, as a spawn does.
      handshake = CoreTaskGroup.startExternalUnsafe<S, A, unknown>(
        this.core,
        (started, soon) => {
          callStarted = started
          this.#settings.handles?.set(soon, task)
          return task.adopted(soon).run()
        },
        taskOptions
      )
    } catch (error) {
      throw this.#fromCore(error)
    }
    task[coreHandle] = handshake.soon
    this.#settings.handles?.set(handshake.soon, task)
    const waiting = Effect.runFork(handshake.started, { signal: stop })
    return new Promise((resolve, reject) =>
      waiting.addObserver((exit) => {
        try {
          const reason = stop?.aborted === true ? stop.reason : this.reason
          resolve([groupResult(exit, `Starting task "${taskOptions.name ?? "?"}"`, reason), task])
        } catch (error) {
          reject(error)
        }
      })
    )
  }

  /** Spawns `task` into the core group: the task is its own handle, core's is kept in it. */
  #spawn<A>(task: PromiseTask<A>, options: CoreTaskGroup.TaskOptions): SoonValue<A> {
    if (this.reason !== NONE) this.#refuseFromOutside(options.name)
    const handles = this.#settings.handles
    let soon: CoreTaskHandle
    try {
      // Core gives its handle before the task runs (the task's own code, a progress
      // report or a group opened in it, can find it), and also when it never runs.
      soon = CoreTaskGroup.spawnExternalUnsafe(
        this.core,
        (soon) => {
          handles?.set(soon, task)
          return task.adopted(soon).run()
        },
        options
      )
    } catch (error) {
      throw this.#fromCore(error)
    }
    task[coreHandle] = soon
    handles?.set(soon, task)
    return task
  }

  /**
   * Whether the running code is inside the group: its block, one of its tasks, or
   * anything running under them (a group opened there, a gather there…). The code that
   * created the group is not.
   */
  isInside(): boolean {
    for (let context = enclosing(); context !== undefined; context = context.outer) if (context === this) return true
    return false
  }

  /** Throws what core refuses a spawn from outside with, while the group shuts down; nothing from inside. */
  #refuseFromOutside(name: string | undefined): void {
    if (this.isInside()) return
    const closed = CoreTaskGroup.closedErrorUnsafe(this.core, name)
    if (closed !== undefined) throw this.#closedError(closed)
  }

  /** Core's errors as interop's: a TaskGroupClosed becomes a TaskGroupClosedError saying what closed the group. */
  #fromCore(error: unknown): unknown {
    return isTaskGroupClosed(error) ? this.#closedError(error) : error
  }

  /**
   * The TaskGroupClosedError for a refused spawn: its cause is what the group rejects
   * with (the one error, an AggregateError of several), else the reason it was cancelled
   * with; the message says which.
   */
  #closedError(closed: TaskGroupClosed): TaskGroupClosedError {
    const errors = closed.cause === undefined ? [] : errorsOf(closed.cause)
    const options = { ended: closed.ended }
    if (errors.length > 0) {
      const more = errors.length > 1 ? `, and ${errors.length - 1} more` : ""
      return new TaskGroupClosedError(this.name, closed.task, {
        ...options,
        cause: combine(errors, `Task group "${this.name}" failed with ${errors.length} errors`),
        closedBy: `a failure (${describeError(errors[0])}${more})`
      })
    }
    const reason = this.reason
    if (reason === NONE) return new TaskGroupClosedError(this.name, closed.task, options)
    return new TaskGroupClosedError(this.name, closed.task, {
      ...options,
      cause: reason,
      closedBy: reason instanceof TimeoutError ? "it timed out" : `it was cancelled (${describeError(reason)})`
    })
  }

  snapshot(): GroupSnapshot {
    return CoreTaskGroup.snapshotUnsafe(this.core)
  }

  /**
   * A spawn with `key` or `retry` (internal/taskCapabilities.ts): a live key gives the
   * SoonValue its task already has.
   */
  #spawnWith<A>(start: (soon: CoreTaskHandle) => PromiseTask<A>, options: CoreTaskGroup.SpawnOptions): SoonValue<A> {
    if (this.reason !== NONE) this.#refuseFromOutside(options.name)
    let soon: SoonValue<A>
    try {
      const handle = CoreTaskGroup.spawnExternalUnsafe(this.core, start, options)
      soon = options.key === undefined ? wrap(handle) : keyedWrap(handle)
      this.#settings.handles?.set(handle, soon)
    } catch (error) {
      throw this.#fromCore(error)
    }
    return soon
  }

  /** What the group's promise settles with, once the group has ended; stops the timer and the listener. */
  result<A>(exit: Exit.Exit<A, unknown>): A {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    if (this.#onAbort !== undefined) this.#settings.signal!.removeEventListener("abort", this.#onAbort)
    return groupResult(exit, this.#settings.label, this.reason)
  }
}

/** A task with a context of its own (`soonify`, `spawn`, `start`), with its own `timeout` (ms) if given. */
const ownTask = <A>(
  fn: (...args: Array<any>) => unknown,
  args: ReadonlyArray<unknown> | undefined,
  owner: Owner,
  timeout: number | undefined
): PromiseTask<A> =>
  timeout === undefined ? new PromiseTask<A>(fn, args, true, owner) : new TimedPromiseTask<A>(fn, args, owner, timeout)

/** An error in a few words, for a message. */
const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : describe(error)

/** Options for one task: its name is the option, else the function's name. */
const taskOptionsOf = (where: string, fn: Function, options: TaskOptions | undefined): CoreTaskGroup.TaskOptions => {
  checkOptions(where, options)
  checkName(where, options?.name)
  const name = options?.name ?? fn.name
  return name === "" ? noOptions : { name }
}
