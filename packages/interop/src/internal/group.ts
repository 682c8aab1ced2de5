// The group handed to Promise code: a core group, plus what Promise code needs around
// it (an AbortSignal, the reason it was cancelled with, the timeout and the outside
// signal). Every decision about tasks (counting, fail fast, waiting) is core's.
import { TaskGroup as CoreTaskGroup } from "@soonify/core"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import { CancelledError, TaskGroupClosedError, TimeoutError } from "../Errors.ts"
import type { SoonValue } from "../SoonValue.ts"
import type { SoonifyOptions, SpawnOptions, TaskGroup, TaskKey, TaskOptions } from "../TaskGroup.ts"
import { type CoreHandle, wrap } from "./handle.ts"
import { stopSignal } from "./ambient.ts"
import { keyedWrap, keyOfCall } from "./keys.ts"
import { capabilitiesOf, coreOptions, hasCapabilities } from "./taskCapabilities.ts"
import { errorsOf, fromCore, groupResult, NONE } from "./outcome.ts"
import { type Owner, type PromiseTask, promiseTask } from "./promiseTask.ts"
import { checkFunction, checkName, checkOptions } from "./validation.ts"

/** Validated group settings. */
export interface Settings {
  readonly name: string
  /** Cancels the group when aborted: the `signal` option, the enclosing task's, or both combined. */
  readonly signal: AbortSignal | undefined
  /** Milliseconds, or `undefined` for none. */
  readonly timeout: number | undefined
}

const noOptions: CoreTaskGroup.TaskOptions = {}

export class GroupView implements TaskGroup, Owner {
  readonly core: CoreTaskGroup.TaskGroup
  readonly name: string
  /** Why the group is shutting down (its signal's reason), or `NONE` while it is not. */
  reason: unknown = NONE
  /** The reason `cancel` is about to shut the group down with. */
  #cancelling: unknown = NONE
  /** Made when somebody reads `signal`. */
  #controller: AbortController | undefined
  readonly #settings: Settings
  #timer: ReturnType<typeof setTimeout> | undefined
  #onAbort: (() => void) | undefined

  constructor(core: CoreTaskGroup.TaskGroup, settings: Settings) {
    this.core = core
    this.name = settings.name
    this.#settings = settings
    CoreTaskGroup.onShutdownUnsafe(core, GroupView.#onShutdown(new WeakRef(this)))
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
      this.#timer = setTimeout(() => this.cancel(new TimeoutError(`Task group "${this.name}"`, timeout)), timeout)
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
        : new CancelledError(`Task group "${this.name}" was cancelled after a failure`)
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
      this.#cancelling = reason === undefined ? new CancelledError(`Task group "${this.name}" was cancelled`) : reason
    }
    CoreTaskGroup.cancelUnsafe(this.core)
  }

  soonify<Args extends ReadonlyArray<unknown>, R>(
    fn: (...args: Args) => R,
    options?: SoonifyOptions<Args>
  ): (...args: Args) => SoonValue<Awaited<R>> {
    checkFunction("tg.soonify", "fn", fn)
    const taskOptions = taskOptionsOf("tg.soonify", fn, options)
    if (hasCapabilities(options)) {
      const { retry } = capabilitiesOf("tg.soonify", options!, "function allowed")
      const key = options!.key
      return (...args) =>
        this.#spawnWith(
          promiseTask(fn, { args }, this),
          coreOptions(taskOptions, key === undefined ? undefined : keyOfCall("tg.soonify", key, args), retry)
        )
    }
    return (...args) => this.#spawn(promiseTask(fn, { args }, this), taskOptions)
  }

  spawn<R>(fn: (signal: AbortSignal) => R, options?: SpawnOptions): SoonValue<Awaited<R>> {
    checkFunction("tg.spawn", "fn", fn)
    const taskOptions = taskOptionsOf("tg.spawn", fn, options)
    if (hasCapabilities(options)) {
      const { retry } = capabilitiesOf("tg.spawn", options!, "key only")
      return this.#spawnWith(promiseTask(fn, "ownSignal", this), coreOptions(taskOptions, options!.key, retry))
    }
    return this.#spawn(promiseTask(fn, "ownSignal", this), taskOptions)
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
    // The caller's cancellation (the enclosing task's) cancels the handshake, and with
    // it the starting task; the caller then sees its own reason.
    const stop = stopSignal(undefined)
    const starting = this.core.start<S, A, unknown, never>(
      (started) =>
        CoreTaskGroup.external(
          promiseTask<A>(
            (signal: AbortSignal) => fn((value: S) => Effect.runSync(started(value)), signal),
            "ownSignal",
            this
          )
        ),
      taskOptions
    )
    // Core has no synchronous start for an external task: `fn` is called once this fiber
    // has spawned it, a tick later than `spawn` would.
    const fiber = Effect.runFork(starting, { signal: stop })
    const early = fiber.pollUnsafe()
    // Starting in an ended group fails at once.
    if (early !== undefined && early._tag === "Failure") {
      const closed = errorsOf(early.cause).find((error) => error instanceof TaskGroupClosedError)
      if (closed !== undefined) throw closed
    }
    return new Promise((resolve, reject) =>
      fiber.addObserver((exit) => {
        try {
          const reason = stop?.aborted === true ? stop.reason : this.reason
          const [value, handle] = groupResult(exit, `Starting task "${taskOptions.name ?? "?"}"`, reason)
          resolve([value, wrap(handle as CoreHandle<A>)])
        } catch (error) {
          reject(error)
        }
      })
    )
  }

  #spawn<A>(start: () => PromiseTask<A>, options: CoreTaskGroup.TaskOptions): SoonValue<A> {
    try {
      return wrap(CoreTaskGroup.spawnExternalUnsafe(this.core, start, options))
    } catch (error) {
      throw fromCore(error)
    }
  }

  /**
   * A spawn with `key` or `retry` (internal/taskCapabilities.ts): a live key gives the
   * SoonValue its task already has.
   */
  #spawnWith<A>(start: () => PromiseTask<A>, options: CoreTaskGroup.SpawnOptions): SoonValue<A> {
    try {
      const handle = CoreTaskGroup.spawnExternalUnsafe(this.core, start, options)
      return options.key === undefined ? wrap(handle) : keyedWrap(handle)
    } catch (error) {
      throw fromCore(error)
    }
  }

  /** What the group's promise settles with, once the group has ended; stops the timer and the listener. */
  result<A>(exit: Exit.Exit<A, unknown>): A {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    if (this.#onAbort !== undefined) this.#settings.signal!.removeEventListener("abort", this.#onAbort)
    return groupResult(exit, `Task group "${this.name}"`, this.reason)
  }
}

/** Options for one task: its name is the option, else the function's name. */
const taskOptionsOf = (where: string, fn: Function, options: TaskOptions | undefined): CoreTaskGroup.TaskOptions => {
  checkOptions(where, options)
  checkName(where, options?.name)
  const name = options?.name ?? fn.name
  return name === "" ? noOptions : { name }
}
