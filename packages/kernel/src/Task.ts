/**
 * The task record: one per task, made by the adapter (often as its own handle, by
 * subclassing) and handed to `Group.spawn`. Everything the kernel knows of a task is a
 * plain field of this record (its phase, key, attempt, progress, start and cancel times):
 * no side tables.
 *
 * @since 0.1.0
 */
import { describe } from "./Arguments.ts"
import type { Group } from "./Group.ts"
import type { SnapshotSource } from "./Snapshot.ts"

/**
 * Where a task is in its life. A task moves only forward through this table, except that
 * a retried task goes from `running` or `cancelling` (its own timeout) back to `running`
 * for its next attempt.
 *
 * | phase        | what it means                                               | moved on by                                                        |
 * | ------------ | ----------------------------------------------------------- | ------------------------------------------------------------------ |
 * | `queued`     | spawned `"soon"`: waits for its spawner to yield            | `Group.flush` → `waiting` or `starting`; a cancel → `ended`        |
 * | `waiting`    | waits for its turn (a permit, its partition, a rate window) | the scheduler's turn → `starting`; a cancel → `ended`              |
 * | `starting`   | `Runtime.startAttempt` runs its first synchronous steps     | it returns → `running`; a cancel → `cancelling`; its end          |
 * | `running`    | runs                                                        | a cancel, the shutdown, its timeout → `cancelling`; its end        |
 * | `retrying`   | a failed attempt's retry waits for its delay (`retry`)      | the delay → `starting`; a cancel, the shutdown → `ended`           |
 * | `cancelling` | asked to stop (`cancelledAt`), has not ended                | its end → `ended` (a timed-out attempt: retried or `ended`)        |
 * | `ended`      | has ended (`ending`, `outcome`); left its group             | nothing                                                            |
 *
 * A task cancelled while `queued`, `waiting` or `retrying` ends at once (it never runs
 * again); one cancelled while `starting` is asked to stop as soon as `Runtime.startAttempt`
 * returns. Snapshots show `queued` and `waiting` as `"queued"`, `cancelling` as
 * `"cancelling"`, the others as `"running"`.
 *
 * @since 0.1.0
 * @category models
 */
export type Phase = "queued" | "waiting" | "starting" | "running" | "retrying" | "cancelling" | "ended"

/**
 * How a task (or an attempt of it) ended, as the adapter reports it to `Group.end`:
 *
 * - `succeeded`: with a value;
 * - `failed`: with a failure (a rejection, a typed failure, a defect, its own timeout);
 * - `cancelled`: it stopped because it was asked to, and nothing else went wrong;
 * - `failedWhileStopping`: asked to stop, it failed as it stopped (a finalizer that
 *   threw): a failure of its group when the group was shutting down (DESIGN §4.6).
 *
 * @since 0.1.0
 * @category models
 */
export type Ending = "succeeded" | "failed" | "cancelled" | "failedWhileStopping"

/**
 * What a task may be keyed by (DESIGN §6, single flight).
 *
 * @since 0.1.0
 * @category models
 */
export type Key = string | number | symbol

/**
 * How far along a task is: `done` units of work, out of `total` when known.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  /** Units of work done. */
  readonly done: number
  /** Units of work in all, when known. */
  readonly total?: number
}

/**
 * The start handshake of a task (trio's `start`), as the kernel keeps it:
 *
 * | handshake       | meaning                                                            |
 * | --------------- | ------------------------------------------------------------------ |
 * | `none`          | a plain spawn, or a handshake that is over                         |
 * | `awaited`       | somebody waits for the task to call `started` (`Group.started`)    |
 * | `endedFirst`    | the task ended before `started`: its outcome is the starter's      |
 * | `orphaned`      | the starter gave up without the handle: failures go to the group   |
 *
 * @since 0.1.0
 * @category models
 */
export type Handshake = "none" | "awaited" | "endedFirst" | "orphaned"

/**
 * Retry bookkeeping (DESIGN §6): the adapter's policy, asked by the kernel after each
 * failed attempt. `delayBefore(attempt, outcome)` gives the milliseconds to wait before
 * attempt number `attempt` (2 for the first retry), or `undefined` for no more attempts
 * (then `outcome` is the task's failure). The kernel counts the attempts, waits (one
 * runtime timer, cancelled with the task) and calls `Runtime.startAttempt` again. A policy that
 * throws ends the retries: the task fails with what it threw (a `retryIf` that throws).
 *
 * **Example**
 *
 * ```ts
 * import type { Retry } from "@soonify/kernel"
 *
 * // Three retries, 100 ms, 200 ms and 400 ms apart.
 * const retry: Retry = { delayBefore: (attempt) => (attempt <= 4 ? 100 * 2 ** (attempt - 2) : undefined) }
 * retry.delayBefore(2, new Error("boom")) // => 100
 * retry.delayBefore(5, new Error("boom")) // => undefined
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Retry {
  /** Milliseconds to wait before attempt `attempt`, or `undefined` for no more attempts. */
  readonly delayBefore: (attempt: number, outcome: unknown) => number | undefined
}

/**
 * The options of a spawn that are usually shared by many tasks (a `soonify`'d
 * function's): one object, referenced by each task.
 *
 * @since 0.1.0
 * @category models
 */
export interface TaskOptions {
  /** Milliseconds each attempt may run before it is asked to stop (and fails, as the adapter says). */
  readonly timeout?: number | undefined
  readonly retry?: Retry | undefined
  /** Among the tasks waiting for a permit, higher starts first (DESIGN §10); default 0. */
  readonly priority?: number | undefined
  /**
   * The partition value the task counts against (DESIGN §10): its group's `partitions`
   * limits apply to the tasks with the same value; without that option, only shown.
   */
  readonly partition?: string | undefined
}

/** The options of a task given none. */
export const noTaskOptions: TaskOptions = {}

/**
 * One task: the spawn request (what the adapter sets before `Group.spawn`: `run`, the
 * name, `key`, `options`, `handshake`) and the task's state (what the kernel writes: the
 * rest). The adapter reads the state and never writes it; it may subclass `Task` to make
 * the record its own handle (one object per task).
 *
 * **Example**
 *
 * ```ts
 * import { Group, Task, type Runtime } from "@soonify/kernel"
 *
 * const runtime: Runtime = {
 *   startAttempt: (task) => task.group!.end(task, "succeeded", (task.run as () => unknown)()),
 *   interrupt: () => {},
 *   now: () => 0,
 *   setTimer: () => undefined,
 *   clearTimer: () => {},
 *   warn: () => {},
 *   scheduleFlush: () => {},
 *   taskEnded: () => {},
 *   groupEnded: () => {}
 * }
 * const group = new Group(runtime, { name: "jobs" })
 * const task = new Task(() => 42, "answer")
 * group.spawn(task)
 * ;[task.phase, task.ending, task.outcome] // => ["ended", "succeeded", 42]
 * group.endOwner()
 * group.state // => "closed"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Task<R = unknown> {
  /**
   * What the runtime runs (an Effect, a function and its arguments…): opaque to the
   * kernel; only on a task given one. The adapter's own field: it may let go of it
   * (`undefined`) once no attempt can follow.
   */
  declare run: R
  /** The name given, or the number from which `task-N` is made (set by `Group.spawn`). */
  label: string | number
  /** Its timeout, retry, priority and partition (one object shared by many tasks). */
  readonly options: TaskOptions
  // Fields every task has are set here; the others (`declare`d) only on the tasks that
  // use them, so that a plain task stays small (it is most of the cost per task).

  /** The task's key, if spawned with one: while it has not ended, spawning the key again gives this task. */
  declare key?: Key | undefined
  /** The start handshake (see {@link Handshake}; `undefined` is `"none"`): set `"awaited"` before spawning for `start`. */
  declare handshake?: Handshake | undefined

  // The task's state: written by its group only.

  /** Where it is in its life (see {@link Phase}). */
  phase: Phase = "queued"
  /** Its group, until it ends (a kept task keeps no group alive). */
  group: Group<any, any> | undefined
  /** The attempt it is on, 1-based. */
  attempt = 1
  /** When it started running (ms since epoch, `Runtime.now`); `undefined` while queued or waiting. */
  startedAt: number | undefined
  /** How it ended, once `ended`. */
  ending: Ending | undefined
  /** What it ended with (its value, its failure), as the adapter gave it; opaque to the kernel. */
  outcome: unknown
  /** The live tasks of its group before and after it, in spawn order (`Group`'s list), until it ends. */
  previous: Task<any> | undefined
  next: Task<any> | undefined
  /** When it was asked to stop (ms since epoch), while it has not ended (or its timed-out attempt has not). */
  declare cancelledAt?: number | undefined
  /** Who asked it alone to stop (`Group.cancelTask`'s `by`); `undefined` when its group's shutdown did, or nobody. */
  declare cancelledBy?: unknown
  /** Whether the running attempt was asked to stop by its own `timeout`. */
  declare timedOut?: boolean | undefined
  /** The groups opened inside it that are still open (see Registry.ts). */
  declare groups?: Set<SnapshotSource> | undefined
  /** What it last reported (`reportProgress`), once it has. */
  declare progress: Progress | undefined
  /** Whether it was reported stuck in its cancellation. */
  declare stuckReported?: boolean | undefined
  /** The timer of its attempt's timeout or of its wait between attempts, while one runs. */
  declare timer?: unknown

  constructor(run: R, name?: string | undefined, options: TaskOptions = noTaskOptions) {
    // An adapter whose task records are their own runners (interop, core) gives none.
    if (run !== undefined) (this as { run: R }).run = run
    this.label = name ?? 0
    this.options = options
  }

  /** Its name: the one given, else `task-N` (N its spawn number in its group). */
  get name(): string {
    return typeof this.label === "string" ? this.label : `task-${this.label}`
  }

  /** Whether it has ended. */
  get ready(): boolean {
    return this.phase === "ended"
  }
}

/**
 * The problem with a progress report, or `undefined`: `done` and `total` (when given)
 * are finite numbers ≥ 0. `where` starts the message (the adapter's function name).
 *
 * **Example**
 *
 * ```ts
 * import { progressProblem } from "@soonify/kernel"
 *
 * progressProblem("reportProgress", 1, 3) // => undefined
 * progressProblem("reportProgress", -1) // => 'reportProgress: "done" must be a finite number ≥ 0, received number -1'
 * ```
 *
 * @since 0.1.0
 * @category progress
 */
export const progressProblem = (where: string, done: unknown, total?: unknown): string | undefined => {
  if (typeof done !== "number" || !(done >= 0) || done === Infinity) {
    return `${where}: "done" must be a finite number ≥ 0, received ${describe(done)}`
  }
  if (total !== undefined && (typeof total !== "number" || !(total >= 0) || total === Infinity)) {
    return `${where}: "total" must be a finite number ≥ 0 or undefined, received ${describe(total)}`
  }
  return undefined
}

/**
 * Records a progress report in the task (a new plain object each time: snapshots taken
 * before keep theirs). The adapter checks it first ({@link progressProblem}).
 *
 * **Example**
 *
 * ```ts
 * import { reportProgress, Task } from "@soonify/kernel"
 *
 * const task = new Task("work")
 * reportProgress(task, 2, 10)
 * task.progress // => { done: 2, total: 10 }
 * ```
 *
 * @since 0.1.0
 * @category progress
 */
export const reportProgress = (task: Task<any>, done: number, total?: number): void => {
  task.progress = total === undefined ? { done } : { done, total }
}
