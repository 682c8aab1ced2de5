// What an interop group runs, as kernel task records: a call of a Promise-returning
// function (`soonify`, `spawn`, `start`, or a function given to `gather` or
// `asCompleted`; a group's body is no task: see context.ts), a promise somebody else
// started, and a handle somebody else holds. The kernel decides every rule (when a task starts, whether
// a failure fails the group, retries, timeouts); these records only run their code when
// the kernel says `startAttempt`, abort their signal when it says `interrupt`, and report how
// the attempt ended (`Group.end`).
import type { Ending, Task, TaskOptions } from "@soonify/kernel"
import { complete, observe, SoonValue } from "../SoonValue.ts"
import type { Enclosing } from "#ambient"
import {
  callSettled,
  endedCancelled,
  isCancellation,
  NONE,
  resultOf,
  SeveralErrors,
  type SettledAs,
  statusOf
} from "./outcome.ts"
import { enter, leave } from "./stack.ts"

/**
 * What a task belongs to (a group, a gather, an asCompleted loop): `reason` is the
 * reason it was cancelled with (its `signal.reason`), or `NONE` while it has not been;
 * `signal` is aborted with it.
 */
export interface Owner extends Enclosing {
  readonly reason: unknown
}

/** Whose context a call's code runs in: its own (it can be cancelled alone) or its owner's. */
export type CodeOf = "own context" | "owner's context"

/**
 * The kernel record of an interop task, which is also its handle (a {@link SoonValue}),
 * with the two things the runtime asks of it: `begin` (run the current attempt) and
 * `stop` (its signal aborted with `reason`).
 */
export abstract class Job extends SoonValue<any> {
  /**
   * Whether its handle was given out (a failure kept there is then watched, or given to
   * `onTaskError`): set before it is spawned, as a task may end during its spawn.
   */
  handed = false

  abstract begin(): void
  abstract stop(reason: unknown): void

  /** The task has ended (the kernel says so): its handle gets the outcome. */
  ended(): void {
    complete(this, statusOf(this), resultOf(this))
  }
}

/**
 * A call of a function as a task: the kernel record, the runner of its attempts, the
 * ambient context its code runs in (for a call with a context of its own) and the source
 * its handle reads. Its roles, by their fields:
 *
 * - record: the kernel's fields (`Task`), written by its group only;
 * - runner: `begin` calls the function (with its arguments, or with a signal), adopts
 *   what it returns as `Promise.resolve` does, and reports the end (`Group.end`);
 *   `stop` aborts the attempt's signal;
 * - context: `signal`, `task`, `outer`: what `taskSignal()`, `reportProgress` and the
 *   interop operations started by its code find (`runIn`);
 * - handle: it is its own SoonValue (`name`, `progress`, `attempt`, its outcome).
 *
 * How an attempt ends: its value → `succeeded`; its rejection (or throw) → `failed`. Once
 * asked to stop: a rejection with the reason (or an `AbortError` caused by it, or a
 * `CancelledError`) → `cancelled`; a value → `cancelled` (dropped); another error →
 * `failedWhileStopping`; asked by its own `timeout`, `failed` with the TimeoutError
 * (and the other error, if any).
 */
export class CallTask extends Job implements Enclosing {
  readonly owner: Owner
  readonly code: CodeOf
  /** The function and its arguments (`undefined`: it takes a signal). Kept while an attempt may follow. */
  #fn: ((...args: Array<any>) => unknown) | undefined
  #args: ReadonlyArray<unknown> | undefined
  /** The current attempt's signal, made when first asked for, and the reason it was aborted with. */
  #controller: AbortController | undefined
  #reason: unknown = NONE
  /** Whoever waits for `started` (`tg.start`): told when the task ends first. */
  starter: ((task: CallTask) => void) | undefined = undefined

  constructor(
    fn: (...args: Array<any>) => unknown,
    args: ReadonlyArray<unknown> | undefined,
    owner: Owner,
    code: CodeOf,
    name: string | undefined,
    options: TaskOptions | undefined
  ) {
    super(name, options)
    this.#fn = fn
    this.#args = args
    this.owner = owner
    this.code = code
  }

  // -- context -----------------------------------------------------------------

  /**
   * The attempt's signal (aborted already if it was asked to stop). Code of a call that
   * has ended (a callback it left behind) belongs to its owner: it gets the owner's.
   */
  get signal(): AbortSignal {
    if (this.code === "owner's context") return this.owner.signal
    if (this.#controller === undefined) {
      if (this.ready && this.#reason === NONE) return this.owner.signal
      this.#controller = new AbortController()
      if (this.#reason !== NONE) this.#controller.abort(this.#reason)
    }
    return this.#controller.signal
  }

  /** The task the code runs in, for snapshots and progress. */
  get task(): Task<any> | undefined {
    return this.code === "own context" ? this : this.owner.task
  }

  get outer(): Enclosing {
    return this.owner
  }

  // -- runner ------------------------------------------------------------------

  begin(): void {
    this.#reason = NONE
    this.#controller = undefined
    // Now, or from a fresh stack when group work is deep on this one (stack.ts).
    if (!enter()) return queueMicrotask(() => this.#call())
    try {
      this.#call()
    } finally {
      leave()
    }
  }

  #call(): void {
    // Deferred to a fresh stack, and asked to stop meanwhile: it never runs. (Its group
    // waits for this attempt's end: the kernel ends a started attempt only through `end`.)
    if (this.#reason !== NONE) return this.group!.end(this, this.timedOut ? "failed" : "cancelled", this.#reason)
    callSettled(this.code === "own context" ? this : this.owner, call, this, this, CallTask.#settled)
  }

  static #settled(task: CallTask, how: SettledAs, result: unknown): void {
    task.#settle(how, result)
  }

  /** Aborts the attempt's signal: the kernel asks an attempt to stop once. */
  stop(reason: unknown): void {
    this.#reason = reason
    this.#controller?.abort(reason)
  }

  /**
   * The call of the current attempt settled: tells the group how. (An attempt settles once,
   * the kernel ends it only through `end`, and a next attempt starts after this settle: it
   * is the current one, in its group.)
   */
  #settle(how: SettledAs, result: unknown): void {
    const group = this.group!
    const reason = this.#reason
    if (reason === NONE) return group.end(this, how === "fulfilled" ? "succeeded" : "failed", result)
    const quiet = endedCancelled(how, result, reason) || isCancellation(result, this.owner.reason)
    if (this.timedOut) return group.end(this, "failed", quiet ? reason : new SeveralErrors([reason, result]))
    const ending: Ending = quiet ? "cancelled" : "failedWhileStopping"
    group.end(this, ending, quiet ? undefined : result)
  }

  /** The function's arguments this attempt: its own, or its signal. */
  static invoke(task: CallTask): unknown {
    const fn = task.#fn!
    const args = task.#args
    // Nothing more to call: let go of the function and its arguments.
    if (task.options.retry === undefined) {
      task.#fn = undefined
      task.#args = undefined
    }
    return args === undefined ? fn(task.signal) : fn(...args)
  }
}

const call = CallTask.invoke

/** The outcome of a task that ended, as `Group.end` takes it. */
interface Settled {
  readonly ending: Ending
  readonly outcome: unknown
}

/**
 * A promise that somebody else started, watched as a task (`gather`, `asCompleted`): it
 * ends like the promise settles. It cannot be cancelled: `stop` only stops the watching
 * (it ends cancelled at once), as `Promise.all` stops caring. Its rejection is handled
 * from the start (before it is spawned, even if it never starts), so it is never
 * unhandled.
 */
export class PromiseWatch extends Job {
  #settled: Settled | undefined

  constructor(promise: PromiseLike<unknown>) {
    super()
    // `Promise.resolve` adopts the thenable (and a thenable it resolves with), and turns
    // a `then` that throws into a rejection.
    Promise.resolve(promise).then(
      (value) => this.#end({ ending: "succeeded", outcome: value }),
      (error) => this.#end({ ending: "failed", outcome: error })
    )
  }

  #end(settled: Settled): void {
    this.#settled = settled
    if (this.phase === "running" || this.phase === "starting") this.group?.end(this, settled.ending, settled.outcome)
  }

  begin(): void {
    const settled = this.#settled
    if (settled !== undefined) this.group!.end(this, settled.ending, settled.outcome)
  }

  stop(): void {
    this.group?.end(this, "cancelled", undefined)
  }
}

/**
 * A handle somebody else holds (a SoonValue or Future), watched as a task (`gather`,
 * `asCompleted`): it ends with the handle's value, or fails with what the handle's
 * `value` throws (its error, or the CancelledError of a cancelled one; read, so that the
 * gather reports it instead). `stop` only stops the watching.
 */
export class HandleWatch extends Job {
  readonly #watched: SoonValue<unknown>
  #unobserve: (() => void) | undefined = undefined

  constructor(watched: SoonValue<unknown>) {
    super()
    this.#watched = watched
  }

  begin(): void {
    if (this.#watched.ready) return this.#end()
    this.#unobserve = observe(this.#watched, () => this.#end())
  }

  #end(): void {
    this.#unobserve = undefined
    const watched = this.#watched
    if (watched.status === "fulfilled") this.group?.end(this, "succeeded", watched.value)
    else this.group?.end(this, "failed", watched.exception)
  }

  stop(): void {
    this.#unobserve?.()
    this.#unobserve = undefined
    this.group?.end(this, "cancelled", undefined)
  }
}
