// One interop group's Promise side: the kernel `Runtime` its group is driven by, the
// ambient context its body (and the code of a gather's functions) runs in, and what
// the group's promise settles with. The kernel group decides every rule; this object
// starts tasks, aborts signals, keeps time with `setTimeout`, and turns the group's end
// into a value or a rejection (internal/outcome.ts).
//
// It holds nothing of the `TaskGroup` object user code holds (group.ts), so that a
// `createTaskGroup` nobody disposes can be collected and report what it would have.
import {
  Group,
  type Mode,
  type PartitionLimits,
  type Rate,
  type Route,
  type Runtime,
  type StuckTask,
  type Task
} from "@soonify/kernel"
import { CancelledError, TimeoutError } from "../Errors.ts"
import type { SoonValue } from "../SoonValue.ts"
import { type Enclosing, enclosing } from "#ambient"
import { fiberTask } from "./observability.ts"
import { callSettled, endedCancelled, groupResult, NONE, type SettledAs, taskError } from "./outcome.ts"
import { clock, onStack } from "./stack.ts"
import { keepShapes } from "./shapes.ts"
import { reportStuck } from "./stuck.ts"
import { CallTask, type Job, type Owner } from "./tasks.ts"
import { watchUnread } from "./unread.ts"

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
  readonly mode: Mode
  /** At most this many tasks at once (`Infinity`: no limit). */
  readonly concurrency: number
  readonly rate?: Rate | undefined
  readonly partitions?: PartitionLimits | undefined
  readonly stuckAfter?: number | undefined
  /** Settle mode: called for each task that fails (see TaskGroupOptions.onTaskError). */
  readonly onTaskError?: ((error: unknown, handle: SoonValue<unknown>) => unknown) | undefined
  /** `"body"`: `taskGroup`, gather, asCompleted; `"scope"`: `createTaskGroup`, ended by its disposal. */
  readonly owner: "body" | "scope"
  /** The error a timed-out group gives (default: a TimeoutError naming the group). */
  readonly timeoutError?: TimeoutError | undefined
}

/** Runs when the group's promise side learns that it has ended. */
type OnEnd = (context: GroupContext) => void

/** The one runtime behind every interop task's group: see the module header. */
export class GroupContext implements Runtime<Job>, Owner {
  declare readonly group: Group<Job>
  declare readonly settings: Settings
  /** Why the group is shutting down (its signal's reason), or `NONE` while it is not. */
  reason: unknown = NONE
  /** The context the group was opened in (see `isInside`). */
  declare readonly outer: Enclosing | undefined
  /** The task the group was opened in, if any: snapshots show it there; progress in its body goes to it. */
  declare readonly task: Task<any> | undefined
  #controller: AbortController | undefined
  #onAbort: (() => void) | undefined = undefined
  #onEnd: OnEnd | undefined
  /** The body's value, once it has returned one. */
  value: unknown

  constructor(settings: Settings) {
    keepShapes()
    this.settings = settings
    const outer = enclosing()
    this.outer = outer
    this.task = outer?.task ?? (fiberTask() as Task<any> | undefined)
    // A rate window reads the time afresh: a reading kept for the synchronous run could
    // be late by as long as the run, and let a start in early.
    if (settings.rate !== undefined || settings.partitions?.rate !== undefined) this.now = Date.now
    // The settings are the kernel's options (with a few of the adapter's own beside them).
    this.group = new Group<Job>(this, { ...settings, parent: this.task })
    const signal = settings.signal
    if (signal !== undefined) {
      if (signal.aborted) this.cancel(signal.reason)
      else {
        this.#onAbort = () => {
          this.#cancelReason(signal.reason)
          onStack(cancelGroup, this)
        }
        signal.addEventListener("abort", this.#onAbort, { once: true })
      }
    }
  }

  /** Aborted when the group is cancelled, with the reason. Made when somebody reads it. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController()
      if (this.reason !== NONE) this.#controller.abort(this.reason)
    }
    return this.#controller.signal
  }

  /**
   * Cancels the group with `reason` (default: a CancelledError naming it). The first
   * reason given wins, also over one given while the shutdown waits for a fresh stack
   * (stack.ts).
   */
  cancel(reason?: unknown): void {
    // Once the group is not open, the kernel's `cancel` does nothing, and the reason kept is never read.
    this.#cancelReason(reason)
    this.group.cancel(this.#cancelling)
  }

  /** The reason `cancel` shuts the group down with: the first one given. */
  #cancelling: unknown = NONE

  #cancelReason(reason: unknown): void {
    if (this.#cancelling === NONE) {
      this.#cancelling = reason === undefined ? new CancelledError(`${this.settings.label} was cancelled`) : reason
    }
  }

  /**
   * Whether the running code is inside the group: its body, one of its tasks, or
   * anything running under them (a group opened there, a gather there…). The code that
   * created the group is not.
   */
  isInside(): boolean {
    for (let context = enclosing(); context !== undefined; context = context.outer) if (context === this) return true
    return false
  }

  // -- the body ------------------------------------------------------------------

  /** Runs `body(arg)` as the group's body (code of the group); the group's owner part ends with it. */
  runBody<X>(body: (x: X) => unknown, arg: X): void {
    onStack((context) => callSettled(context, body, arg, context, GroupContext.#bodySettled), this)
  }

  static #bodySettled(context: GroupContext, how: SettledAs, result: unknown): void {
    context.#bodyEnded(how, result)
  }

  /** The body ended `how`, with `result`. */
  #bodyEnded(how: SettledAs, result: unknown): void {
    const reason = this.reason
    if (reason === NONE) {
      if (how === "fulfilled") this.value = result
      return this.group.bodyEnded(how === "fulfilled" ? "succeeded" : "failed", result)
    }
    // Shut down meanwhile: the body was asked to stop (its signal, the group's, is aborted).
    const quiet = endedCancelled(how, result, reason)
    this.group.bodyEnded(quiet ? "cancelled" : "failedWhileStopping", quiet ? undefined : result)
  }

  /** Calls `f` once the group has ended (at once if it has). */
  whenEnded(f: OnEnd): void {
    if (this.group.state === "closed") f(this)
    else this.#onEnd = f
  }

  /** What the group's promise settles with, once it has ended. */
  result<A>(): A {
    return groupResult(this.group.cause(), this.value as A, this.settings.label, this.reason)
  }

  // -- the runtime ---------------------------------------------------------------

  startAttempt(task: Job): void {
    task.begin()
  }

  interrupt(task: Job): void {
    task.stop(this.#reasonFor(task))
  }

  /** The reason a task is asked to stop with: its own timeout's, its handle's cancel, or its group's. */
  #reasonFor(task: Job): unknown {
    if (task.timedOut) {
      return new TimeoutError(
        `Task "${task.name}"`,
        task.options.timeout!,
        "it was cancelled (its signal aborted with this error) and has settled"
      )
    }
    if (task.cancelledBy !== undefined || this.reason === NONE) return new CancelledError("The task was cancelled")
    return this.reason
  }

  now(): number {
    return clock()
  }

  setTimer<A>(ms: number, fire: (target: A) => void, target: A): unknown {
    return setTimeout(fire, ms, target)
  }

  clearTimer(timer: unknown): void {
    clearTimeout(timer as ReturnType<typeof setTimeout>)
  }

  warn(stuck: StuckTask): void {
    reportStuck(stuck)
  }

  scheduleFlush(group: Group<Job>): void {
    queueMicrotask(() => group.flush())
  }

  taskEnded(task: Job, route: Route): void {
    task.ended()
    if (route === "handle") this.#keptInHandle(task)
    else if (route === "starter") (task as CallTask).starter?.(task as CallTask)
  }

  /**
   * A failure kept in its handle (settle mode): the user's `onTaskError(error, handle)`,
   * called synchronously (if it throws, its error becomes an unhandled rejection; a
   * promise it returns is not awaited), or, without one, the handle watched so that its
   * failure is reported if nobody reads it (unread.ts).
   */
  #keptInHandle(task: Job): void {
    if (!task.handed) return
    const soon = task
    const onTaskError = this.settings.onTaskError
    const error = taskError(task.outcome, task.name)
    if (onTaskError === undefined) return watchUnread(soon, error)
    try {
      onTaskError(error, soon)
    } catch (thrown) {
      void Promise.reject(thrown)
    }
  }

  shuttingDown(group: Group<Job>): void {
    this.reason = group.timedOut
      ? (this.settings.timeoutError ?? new TimeoutError(this.settings.label, this.settings.timeout!))
      : group.cancelled
        ? group.cancelledBy
        : new CancelledError(`${this.settings.label} was cancelled after a failure`)
    this.#controller?.abort(this.reason)
  }

  groupEnded(): void {
    if (this.#onAbort !== undefined) this.settings.signal!.removeEventListener("abort", this.#onAbort)
    this.#onAbort = undefined
    const onEnd = this.#onEnd
    this.#onEnd = undefined
    onEnd?.(this)
  }
}

/** Cancels a group whose outside signal was aborted (see stack.ts), with the reason it kept. */
const cancelGroup = (context: GroupContext): void => context.cancel()
