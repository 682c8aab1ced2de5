/**
 * The group: the state machine of one task group, and the only code that writes its
 * state and its tasks' state. Adapters call its methods and hear back through their
 * {@link Runtime}.
 *
 * @since 0.1.0
 */
import { StuckWatch } from "./internal/stuck.ts"
import { type Place, registry } from "./Registry.ts"
import type { Route, Runtime } from "./Runtime.ts"
import { type PartitionLimits, type Rate, Scheduler } from "./Scheduler.ts"
import {
  type GroupSnapshot,
  type InnerGroup,
  innerGroups,
  type SnapshotParent,
  type SnapshotSource,
  snapshotTree,
  type TaskSnapshot
} from "./Snapshot.ts"
import type { Ending, Key, Task } from "./Task.ts"

/**
 * A group's state (see {@link Group}).
 *
 * @since 0.1.0
 * @category models
 */
export type State = "open" | "closing" | "closed"

/**
 * What a group does with a task's failure: `failFast` fails the group with it (and stops
 * every other task); `settle` keeps it in the task's handle.
 *
 * @since 0.1.0
 * @category models
 */
export type Mode = "failFast" | "settle"

/**
 * The settings of a group, checked by the adapter (each with its own error messages).
 *
 * @since 0.1.0
 * @category models
 */
export interface GroupOptions {
  /** Default `"TaskGroup"`. */
  readonly name?: string | undefined
  /** Default `"failFast"`. */
  readonly mode?: Mode | undefined
  /** At most this many tasks run at once; default (and `Infinity`): no limit. */
  readonly concurrency?: number | undefined
  /** At most `limit` task starts in any window of `interval` ms (DESIGN §10); default: no limit. */
  readonly rate?: Rate | undefined
  /** Limits per value of the tasks' `partition` option (DESIGN §10); default: none. */
  readonly partitions?: PartitionLimits | undefined
  /** Milliseconds after which the group times out (`timedOut`): it shuts down. Default: never. */
  readonly timeout?: number | undefined
  /** Milliseconds after which a task asked to stop that has not ended is reported (`Runtime.warn`). Default 10,000; `Infinity`: never. */
  readonly stuckAfter?: number | undefined
  /**
   * Who owns the group's end: a `"body"` (the group ends once the body has returned and
   * every task has ended) or a `"scope"` (the same, but cancelling the group also ends the
   * owner's part: a group with no body running is finished once its tasks are). Default `"body"`.
   */
  readonly owner?: "body" | "scope" | undefined
  /** The task the group was opened in, if any: snapshots show the group under it. */
  readonly parent?: SnapshotParent | undefined
}

/**
 * What a group ends with besides its body's value, or what closed it: every failure in
 * the order they happened (`failures`, as the adapter gave them), whether its `timeout`
 * ran out (`timedOut`), and whether it was cancelled as a whole (`cancelled`, by
 * `cancelledBy`).
 *
 * @since 0.1.0
 * @category models
 */
export interface GroupCause<F = unknown> {
  /** Every failure, in the order they happened. */
  readonly failures: ReadonlyArray<F>
  /** Whether the group's `timeout` ran out. */
  readonly timedOut: boolean
  /** Whether it was cancelled as a whole (`Group.cancel`). */
  readonly cancelled: boolean
  /** Who cancelled it (`Group.cancel`'s argument). */
  readonly cancelledBy: unknown
}

/**
 * A spawn the group refused (DESIGN §4.5): into an ended group, or from outside into a
 * group shutting down. The one description of that error, for each adapter to raise in
 * its own terms: the group's and the task's names, whether the group has `ended` (else
 * it is shutting down), and what closed it (`cause`: `undefined` for a group that ended
 * without shutting down).
 *
 * **Example**
 *
 * ```ts
 * import { Group, Refusal, Task, type Runtime } from "@soonify/kernel"
 *
 * const runtime = {
 *   now: () => 0, taskEnded: () => {}, groupEnded: () => {}
 * } as unknown as Runtime
 * const group = new Group(runtime, { name: "jobs" })
 * group.endOwner()
 * const refused = group.spawn(new Task("work", "late"))
 * refused instanceof Refusal // => true
 * const { task, ended, cause } = refused as Refusal
 * ;[task, ended, cause] // => ["late", true, undefined]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Refusal<F = unknown> {
  /** The group's name. */
  declare readonly group: string
  /** The refused task's name (`task-N` for one without a name). */
  declare readonly task: string
  /** Whether the group has ended; else it is shutting down. */
  declare readonly ended: boolean
  /** What closed the group; `undefined` when it ended without shutting down. */
  declare readonly cause: GroupCause<F> | undefined

  constructor(group: string, task: string, ended: boolean, cause: GroupCause<F> | undefined) {
    this.group = group
    this.task = task
    this.ended = ended
    this.cause = cause
  }
}

/** Runs when a task's timeout or its wait between attempts is over. */
const taskTimerFired = (task: Task<any>): void => task.group!.timerFired(task)
/** Runs when a group's deadline is reached. */
const deadlineReached = (group: Group<any>): void => group.timeOut()
/** Runs when a rate window of the group has room for a waiting task. */
const windowOpened = (group: Group<any>): void => group.rateDue()

/**
 * One task group's state, and the only code that changes it (and its tasks' state).
 *
 * | state     | a spawn gives                                        | moved on by                                   |
 * | --------- | ---------------------------------------------------- | --------------------------------------------- |
 * | `open`    | a task that runs (or waits its turn)                 | `shutdown` → closing; `pending` 0 → closed    |
 * | `closing` | from inside, a task ended cancelled at once; from    | `pending` 0 → closed                          |
 * |           | outside, a {@link Refusal}                           |                                               |
 * | `closed`  | a {@link Refusal}                                    | nothing: the group has ended                  |
 *
 * - `shutdown` (open → closing) runs on the first failure in `failFast` mode (`fail`),
 *   on `cancel`, at the deadline (`timeOut`), when the body ends cancelled, and when the
 *   adapter says so (an interruption from outside). It tells the runtime
 *   (`shuttingDown`), then asks every started task to stop and ends every task that has
 *   not started (queued, waiting for a permit, between retry attempts), cancelled.
 * - `closed` comes when `pending` reaches 0: it counts every task not ended, one for the
 *   owner's part (`endOwner`: the body's end, a scope's close) and the adapter's holds
 *   (`hold`/`release`), so the group cannot end between the body's return and the last
 *   task's end, nor while a task is spawning another.
 *
 * The pipeline of a task: `spawn` (the closed check, the key) → `admit` (the scheduler's
 * one admission step: a permit, or a turn in its queue) → `launch` (its timeout's timer,
 * `Runtime.startAttempt`) → `end` (retry, or) → `finish`: out of the live list, tallied, its
 * key freed, its outcome routed (`route`: fail fast, settle, the handshake), its permit
 * handed to the next waiting task, then `Runtime.taskEnded`, then maybe the group's end.
 *
 * Its fields: the settings; `state`, `pending`; the live tasks (a list through the tasks
 * themselves, in spawn order); the `"soon"` queue; the scheduler (permits and their
 * queue, made only for a `concurrency`); the failures, the cancellation and the timeout
 * (its outcome); the tally of ended tasks; the keys; the deadline timer; the stuck
 * watch; and its place in the registry.
 *
 * **Example**
 *
 * ```ts
 * import { Group, Task, type Runtime } from "@soonify/kernel"
 *
 * // Tasks that run until the test ends them.
 * const runtime = {
 *   startAttempt: () => {}, interrupt: (task) => task.group!.end(task, "cancelled", undefined),
 *   now: () => 0, setTimer: () => undefined, clearTimer: () => {}, warn: () => {},
 *   scheduleFlush: () => {}, taskEnded: () => {}, groupEnded: () => {}
 * } satisfies Runtime
 * const group = new Group(runtime, { name: "crawl", concurrency: 1 })
 * const [a, b] = [new Task("a"), new Task("b")]
 * group.spawn(a)
 * group.spawn(b)
 * ;[a.phase, b.phase] // => ["running", "waiting"]
 * group.end(a, "succeeded", "page")
 * b.phase // => "running": the freed permit started it at once
 * group.fail(new Error("boom"))
 * ;[b.phase, b.ending, group.state] // => ["ended", "cancelled", "closing"]
 * group.endOwner()
 * group.state // => "closed"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Group<T extends Task<any> = Task<any>, F = unknown> implements SnapshotSource {
  /** What drives the group's tasks. */
  declare readonly runtime: Runtime<T>
  /** The `name` option, or `"TaskGroup"`. */
  declare readonly name: string
  /** The `mode` option, or `"failFast"`. */
  declare readonly mode: Mode
  /** The `owner` option, or `"body"`. */
  declare readonly owner: "body" | "scope"
  /** The `stuckAfter` option (ms), or 10,000. */
  declare readonly stuckAfter: number

  #state: State = "open"
  #pending = 1
  /** How many unnamed tasks were spawned: the N of `task-N`. */
  #spawned = 0
  #ownerEnded = false
  #first: T | undefined
  #last: T | undefined
  #soon: Array<T> | undefined
  private scheduler: Scheduler | undefined
  /** The one timer of the rate windows (DESIGN §10), while a task waits for one, and when it fires. */
  #rateTimer: unknown
  #rateAt: number | undefined
  /** Whether `pump` is handing permits on (a task ending inside it leaves the handing to it). */
  #pumping = false
  readonly #failures: Array<F> = []
  /** How many of the failures somebody was handed (a refusal, `takeUnreported`). */
  #reported = 0
  #cancelled = false
  #cancelledBy: unknown
  #timedOut = false
  /** Whether the group shut down (its state went through `closing`). */
  #shutDown = false
  #deadline: unknown
  #stuck: StuckWatch | undefined
  #keyed: Map<Key, T> | undefined
  #place: Place
  /** How the ended tasks ended. */
  #succeeded = 0
  #failed = 0
  #cancelledTasks = 0

  constructor(runtime: Runtime<T>, options: GroupOptions = {}) {
    this.runtime = runtime
    this.name = options.name ?? "TaskGroup"
    this.mode = options.mode ?? "failFast"
    this.owner = options.owner ?? "body"
    this.stuckAfter = options.stuckAfter ?? 10_000
    const { concurrency = Infinity, rate, partitions } = options
    this.scheduler =
      concurrency === Infinity && rate === undefined && partitions === undefined
        ? undefined
        : new Scheduler(concurrency, 0, { rate, partitions, clock: runtime })
    const timeout = options.timeout
    this.#deadline = timeout === undefined ? undefined : runtime.setTimer(timeout, deadlineReached, this)
    this.#place = registry().place(this, options.parent)
  }

  // ---------------------------------------------------------------------------
  // reading

  /** `open`, `closing` or `closed` (see the table above). */
  get state(): State {
    return this.#state
  }

  /** The limit of running tasks now (`Infinity`: none). */
  get concurrency(): number {
    return this.scheduler?.limit ?? Infinity
  }

  /** The failures so far, in order. */
  get failures(): ReadonlyArray<F> {
    return this.#failures
  }

  /** Whether the group was cancelled as a whole. */
  get cancelled(): boolean {
    return this.#cancelled
  }

  /** Who cancelled the group (`cancel`'s argument). */
  get cancelledBy(): unknown {
    return this.#cancelledBy
  }

  /** Whether the group's `timeout` ran out. */
  get timedOut(): boolean {
    return this.#timedOut
  }

  /**
   * What closed the group, or what it ended with besides its body's value: `undefined`
   * for a group that is open, or that ended without ever shutting down.
   */
  cause(): GroupCause<F> | undefined {
    // Failures, a cancel and a timeout all shut the group down.
    if (!this.#shutDown) return undefined
    return {
      failures: this.#failures,
      timedOut: this.#timedOut,
      cancelled: this.#cancelled,
      cancelledBy: this.#cancelledBy
    }
  }

  /** The tasks not yet ended, in spawn order (an array: tasks may end while it is read). */
  tasks(): Array<T> {
    const tasks: Array<T> = []
    for (let task = this.#first; task !== undefined; task = task.next as T | undefined) tasks.push(task)
    return tasks
  }

  /** The keys of the live keyed tasks, in spawn order. */
  get keys(): ReadonlyArray<Key> {
    return this.#keyed === undefined ? [] : [...this.#keyed.keys()]
  }

  /** The live task spawned with `key`, if any. */
  keyedTask(key: Key): T | undefined {
    return this.#keyed?.get(key)
  }

  /**
   * The failures nobody was handed yet (by a refusal or an earlier call), now handed to
   * the caller: what a scope's close raises (core).
   */
  takeUnreported(): ReadonlyArray<F> {
    const unreported = this.#failures.slice(this.#reported)
    this.#reported = this.#failures.length
    return unreported
  }

  /** The failures so far were handed to somebody (`join`): `takeUnreported` does not give them again. */
  markReported(): void {
    this.#reported = this.#failures.length
  }

  // ---------------------------------------------------------------------------
  // spawning

  /**
   * Lets `task` in. `when`: `"now"` starts it at once (or queues it for a permit);
   * `"soon"` queues it until the runtime flushes the group (`scheduleFlush`). `from`:
   * whether the spawner runs inside the group (its body, one of its tasks, or code
   * under them), which decides what a spawn into a group shutting down gives.
   *
   * Gives `task`; the live task with the same `key` instead, when there is one; a task
   * ended cancelled at once, spawned from inside while the group shuts down; or a
   * {@link Refusal} (into an ended group, or from outside while it shuts down).
   */
  spawn(task: T, when: "now" | "soon" = "now", from: "inside" | "outside" = "outside"): T | Refusal<F> {
    if (this.#state !== "open") {
      if (this.#state === "closed" || from === "outside") return this.refusal(task)
      return this.#endedAtOnce(task)
    }
    const key = task.key
    if (key !== undefined) {
      const live = this.#keyed?.get(key)
      if (live !== undefined) return live
      ;(this.#keyed ??= new Map()).set(key, task)
    }
    if (typeof task.label === "number") task.label = ++this.#spawned
    task.group = this
    this.#pending++
    const last = this.#last
    task.previous = last
    if (last === undefined) this.#first = task
    else last.next = task
    this.#last = task
    if (when === "now") this.#admit(task)
    else {
      task.phase = "queued"
      if (this.#soon === undefined) {
        this.#soon = [task]
        this.runtime.scheduleFlush(this)
      } else this.#soon.push(task)
    }
    return task
  }

  /** The refusal of a spawn of `task` now (for an adapter that checks before it builds a task). */
  refusal(task?: Task<any>): Refusal<F> {
    const cause = this.cause()
    // Handed to the spawner: a scope's close does not raise them again.
    this.#reported = this.#failures.length
    const name = task === undefined || typeof task.label === "number" ? `task-${this.#spawned + 1}` : task.label
    return new Refusal(this.name, name, this.#state === "closed", cause)
  }

  /** Whether a spawn `from` there would be refused now. */
  refuses(from: "inside" | "outside"): boolean {
    return this.#state === "closed" || (this.#state === "closing" && from === "outside")
  }

  /** A task spawned from inside while the group shuts down: ended cancelled at once, counted. */
  #endedAtOnce(task: T): T {
    if (typeof task.label === "number") task.label = ++this.#spawned
    task.phase = "ended"
    task.ending = "cancelled"
    this.#cancelledTasks++
    this.runtime.taskEnded(task, this.#route(task, "cancelled", undefined))
    return task
  }

  /** Starts the `"soon"` spawns queued so far, in spawn order (what `Runtime.scheduleFlush` leads to). */
  flush(): void {
    const soon = this.#soon
    if (soon === undefined) return
    this.#soon = undefined
    for (let i = 0; i < soon.length; i++) {
      const task = soon[i]
      if (task.phase === "queued") this.#admit(task)
    }
  }

  /** The admission step: a permit now (the task starts), or a turn in the scheduler's queue. */
  #admit(task: T): void {
    const scheduler = this.scheduler
    if (scheduler === undefined) return this.#launch(task)
    if (scheduler.admit(task)) return this.#launch(task, scheduler.startedAt)
    task.phase = "waiting"
    if (scheduler.flow !== undefined) this.#armRate()
  }

  /**
   * Starts the task's current attempt: its timeout's timer, then `Runtime.startAttempt`. `at`:
   * when the scheduler counted its start in a rate window (the time its start is recorded at).
   */
  #launch(task: T, at?: number): void {
    task.phase = "starting"
    if (task.startedAt === undefined) task.startedAt = at ?? this.runtime.now()
    const timeout = task.options.timeout
    if (timeout !== undefined) task.timer = this.runtime.setTimer(timeout, taskTimerFired, task)
    const attempt = task.attempt
    this.runtime.startAttempt(task)
    // Ended, or on to a next attempt, inside `startAttempt`: that attempt looked after itself.
    if (task.attempt !== attempt) return
    if (task.phase === "starting") task.phase = "running"
    // Asked to stop while starting: asked now, once it can hear it.
    else if (task.phase === "cancelling") this.runtime.interrupt(task)
  }

  /** Hands the free permits to the waiting tasks, in their order, while the group is open. */
  #pump(): void {
    const scheduler = this.scheduler!
    if (this.#pumping) return
    this.#pumping = true
    try {
      while (this.#state === "open") {
        const next = scheduler.next() as T | undefined
        if (next === undefined) break
        this.#launch(next, scheduler.startedAt)
      }
    } finally {
      this.#pumping = false
    }
    if (scheduler.flow !== undefined) this.#armRate()
  }

  /** Arms (or moves, or clears) the group's one rate timer for when a waiting task's window has room. */
  #armRate(): void {
    const at = this.#state === "open" ? this.scheduler!.due : undefined
    if (at === this.#rateAt) return
    this.#stopRate()
    if (at === undefined) return
    this.#rateAt = at
    this.#rateTimer = this.runtime.setTimer(Math.max(0, at - this.runtime.now()), windowOpened, this)
  }

  #stopRate(): void {
    const timer = this.#rateTimer
    this.#rateAt = undefined
    if (timer === undefined) return
    this.#rateTimer = undefined
    this.runtime.clearTimer(timer)
  }

  /** @internal The rate timer fired: a window has room; the waiting tasks it held back get their turn. */
  rateDue(): void {
    this.#rateTimer = undefined
    this.#rateAt = undefined
    if (this.#state !== "open") return
    this.scheduler!.tick()
    this.#pump()
  }

  /**
   * Changes `concurrency` while the group runs (DESIGN §10): raising it starts waiting
   * tasks at once; lowering it lets running tasks finish and starts no more until below
   * the new limit. `Infinity`: no limit.
   */
  setConcurrency(limit: number): void {
    if (this.scheduler === undefined) {
      let running = 0
      for (let task = this.#first; task !== undefined; task = task.next as T | undefined)
        if (holdsPermit(task)) running++
      this.scheduler = new Scheduler(limit, running)
    } else this.scheduler.limit = limit
    this.#pump()
  }

  // ---------------------------------------------------------------------------
  // the start handshake

  /**
   * The task called `started(value)`: gives `true` if this call completed its handshake
   * (the adapter hands `value` to the starter), `false` if it had none or completed it
   * already (a second call: the adapter raises its error).
   */
  started(task: T): boolean {
    if (task.handshake !== "awaited" && task.handshake !== "orphaned") return false
    task.handshake = "none"
    return true
  }

  /**
   * The caller of `start` stopped waiting before the task called `started` (it was
   * interrupted): the task is cancelled. `"handle never given"`: nobody can read its
   * handle, so its failure goes to the group whatever the mode.
   */
  abandonStart(task: T, handle: "handle kept" | "handle never given"): void {
    if (task.handshake === "awaited") task.handshake = handle === "handle kept" ? "none" : "orphaned"
    this.cancelTask(task)
  }

  // ---------------------------------------------------------------------------
  // stopping tasks

  /**
   * Cancels one task (`soon.cancel`), `by` saying who asked (given to the runtime in
   * `task.cancelledBy`). A task that has not started (queued, waiting, between
   * attempts) ends at once and never runs; a started one is asked to stop, and ends when
   * the adapter says. Nothing for a task that has ended or is stopping.
   */
  cancelTask(task: T, by?: unknown): void {
    if (task.group !== this) return
    if (task.phase === "cancelling") {
      // Stopping for its own timeout: now it is cancelled too, and is not retried.
      if (task.timedOut === true) {
        task.timedOut = false
        task.cancelledBy = by
      }
      return
    }
    task.cancelledBy = by
    this.#stop(task, this.runtime.now())
    // Asked to stop (not ended at once): watched until it ends.
    if (task.cancelledAt !== undefined) this.#stuck!.watch()
  }

  /**
   * Stops a live task that is not stopping yet: one that has not started (queued, waiting,
   * between attempts) ends cancelled at once; a started one is asked to stop at `now`
   * (and, once it can hear it, interrupted).
   */
  #stop(task: T, now: number): void {
    switch (task.phase) {
      case "queued":
      case "waiting":
      case "retrying":
        return this.#endUnstarted(task)
      case "starting":
        return this.#requestStop(task, now)
      case "running":
        this.#requestStop(task, now)
        this.runtime.interrupt(task)
    }
  }

  /** Marks a started task as asked to stop at `now` (cancelling); the caller interrupts it. */
  #requestStop(task: T, now: number): void {
    task.phase = "cancelling"
    ;(this.#stuck ??= new StuckWatch(this)).requested(task, now)
  }

  /** Ends a task that has not started (or waits between attempts): cancelled, at once. */
  #endUnstarted(task: T): void {
    if (task.phase === "waiting") {
      this.scheduler!.left(task)
      if (this.scheduler!.flow !== undefined) this.#armRate()
    }
    this.#finish(task, "cancelled", undefined)
  }

  /** @internal A task's timer fired: its attempt's timeout, or the end of its wait between attempts. */
  timerFired(task: T): void {
    task.timer = undefined
    if (task.phase === "retrying") {
      task.attempt++
      return this.#launch(task)
    }
    if (task.phase !== "running") return
    task.timedOut = true
    this.#stop(task, this.runtime.now())
    this.#stuck!.watch()
  }

  // ---------------------------------------------------------------------------
  // endings

  /**
   * The adapter's report that the current attempt of `task` has ended. A failed attempt
   * of a task with `retry` is retried while the policy says so (and nobody asked the task
   * to stop); otherwise the task ends: the group records it, hands its permit on, tells
   * the runtime (`taskEnded`), and may end. Nothing for a task not live in this group.
   */
  end(task: T, ending: Ending, outcome: unknown): void {
    if (task.group !== this) return
    this.#stopTimer(task)
    // A timed-out attempt has ended: it is no longer cancelling.
    if (task.timedOut) {
      task.timedOut = false
      this.#stuck!.stopped(task)
      task.phase = "running"
    }
    const retry = task.options.retry
    if (
      ending === "failed" &&
      retry !== undefined &&
      (task.phase === "running" || task.phase === "starting") &&
      this.#state === "open"
    ) {
      let delay: number | undefined
      try {
        delay = retry.delayBefore(task.attempt + 1, outcome)
      } catch (error) {
        // A policy that throws ends the retries: the task fails with what it threw.
        delay = undefined
        outcome = error
      }
      if (delay !== undefined) {
        if (delay > 0) {
          task.phase = "retrying"
          task.timer = this.runtime.setTimer(delay, taskTimerFired, task)
          return
        }
        task.attempt++
        return this.#launch(task)
      }
    }
    this.#finish(task, ending, outcome)
  }

  /** Stops the task's timer (its attempt's timeout, or its wait between attempts), if it has one. */
  #stopTimer(task: T): void {
    const timer = task.timer
    if (timer === undefined) return
    task.timer = undefined
    this.runtime.clearTimer(timer)
  }

  /** The task has ended, with `ending` and `outcome`. */
  #finish(task: T, ending: Ending, outcome: unknown): void {
    const held = holdsPermit(task)
    // Between attempts: its wait's timer.
    this.#stopTimer(task)
    // Out of the live list, its links cleared: a kept task keeps no other task alive.
    const previous = task.previous as T | undefined
    const next = task.next as T | undefined
    if (previous === undefined) this.#first = next
    else previous.next = next
    if (next === undefined) this.#last = previous
    else next.previous = previous
    task.previous = undefined
    task.next = undefined
    if (task.cancelledAt !== undefined) this.#stuck!.stopped(task)
    task.phase = "ended"
    task.ending = ending
    task.outcome = outcome
    if (ending === "succeeded") this.#succeeded++
    else if (ending === "cancelled") this.#cancelledTasks++
    else this.#failed++
    const key = task.key
    // The task holding its key: a task that joined another never came in.
    if (key !== undefined) this.#keyed!.delete(key)
    const route = this.#route(task, ending, outcome)
    // The freed permit starts the next waiting task now, before anybody hears of this end.
    if (held && this.scheduler !== undefined) {
      this.scheduler.release(task)
      this.#pump()
    }
    this.runtime.taskEnded(task, route)
    task.group = undefined
    this.release()
  }

  /**
   * Where an ended task's outcome goes: to whoever waits for its start (it ended before
   * `started`); into the group's failures (fail fast; a failure while the group stopped
   * it; an orphan's); kept in its handle (settle); or nowhere (a success, a cancel).
   */
  #route(task: T, ending: Ending, outcome: unknown): Route {
    if (task.handshake === "awaited") {
      task.handshake = "endedFirst"
      return "starter"
    }
    if (ending === "succeeded" || ending === "cancelled") return "none"
    if (
      this.mode === "failFast" ||
      task.handshake === "orphaned" ||
      (ending === "failedWhileStopping" && this.#state !== "open")
    ) {
      this.fail(outcome as F)
      return "group"
    }
    return "handle"
  }

  /**
   * Adds a failure to the group's and shuts it down: a task's (through `end`), or one the
   * adapter met (the body's, a callback that threw). A failure after the group has
   * ended is dropped.
   */
  fail(failure: F): void {
    if (this.#state === "closed") return
    this.#failures.push(failure)
    this.shutdown()
  }

  /**
   * The body has ended (`"body"` groups): a failure fails the group, a cancellation shuts
   * it down; then the owner's part is over.
   */
  bodyEnded(ending: Ending, outcome: unknown): void {
    if (ending === "failed" || ending === "failedWhileStopping") this.fail(outcome as F)
    else if (ending === "cancelled") this.shutdown()
    this.endOwner()
  }

  /** The owner's part is over (the body returned, the scope closed): the group ends once its tasks have. */
  endOwner(): void {
    if (this.#ownerEnded) return
    this.#ownerEnded = true
    this.release()
  }

  /** Keeps the group from ending until `release` (the adapter's own work for it: a callback it runs). */
  hold(): void {
    if (this.#state !== "closed") this.#pending++
  }

  /** Gives a `hold` (or a task's or the owner's part) back: the group ends when none is left. */
  release(): void {
    if (--this.#pending !== 0) return
    this.#state = "closed"
    this.#stopDeadline()
    this.#stopRate()
    registry().unplace(this, this.#place)
    this.runtime.groupEnded(this)
  }

  // ---------------------------------------------------------------------------
  // shutting down

  /** Cancels the whole group (`cancel`): its outcome is a cancellation (with any failures after it). */
  cancel(by?: unknown): void {
    if (this.#state !== "open") return
    this.#cancelled = true
    this.#cancelledBy = by
    this.shutdown()
    if (this.owner === "scope") this.endOwner()
  }

  /** @internal The deadline is reached: the group times out, unless it shut down already. */
  timeOut(): void {
    this.#deadline = undefined
    if (this.#state !== "open") return
    this.#timedOut = true
    this.shutdown()
  }

  /**
   * Shuts the group down (open → closing): tells the runtime, then asks every started
   * task to stop and ends every other one, cancelled. Spawns from now on are refused
   * (from outside) or end at once (from inside).
   */
  shutdown(): void {
    if (this.#state !== "open") return
    this.#state = "closing"
    this.#shutDown = true
    this.#stopDeadline()
    this.#stopRate()
    this.runtime.shuttingDown?.(this)
    // One clock reading for all of them: they are asked at the same moment.
    const now = this.runtime.now()
    // Those that end meanwhile (an interrupt may end others) are `ended` when reached.
    for (const task of this.tasks()) this.#stop(task, now)
    this.#stuck?.watch()
  }

  #stopDeadline(): void {
    const deadline = this.#deadline
    if (deadline === undefined) return
    this.#deadline = undefined
    this.runtime.clearTimer(deadline)
  }

  // ---------------------------------------------------------------------------
  // snapshots

  /** The group's snapshot, with every group opened in its tasks (DESIGN §5). */
  snapshot(): GroupSnapshot {
    return snapshotTree(this)
  }

  /** The group's own snapshot, the groups opened in its tasks left in `inner` (see `snapshotTree`). */
  ownSnapshot(inner: Array<InnerGroup>): GroupSnapshot {
    const tasks: Array<TaskSnapshot> = []
    let queued = 0
    const scheduler = this.scheduler
    for (let task = this.#first; task !== undefined; task = task.next as T | undefined) {
      const waiting = task.phase === "queued" || task.phase === "waiting"
      if (waiting) queued++
      const { cancelledAt, key } = task
      tasks.push(
        defined<TaskSnapshot>({
          name: task.name,
          status: cancelledAt !== undefined ? "cancelling" : waiting ? "queued" : "running",
          waiting: task.phase === "waiting" ? scheduler!.reason(task) : undefined,
          partition: task.options.partition,
          startedAt: task.startedAt,
          cancelledAt,
          key: key === undefined ? undefined : String(key),
          attempt: task.options.retry === undefined ? undefined : task.attempt,
          progress: task.progress,
          groups: innerGroups(task.groups, inner)
        })
      )
    }
    const concurrency = this.concurrency
    const flow = scheduler?.flow
    return defined<GroupSnapshot>({
      name: this.name,
      state: this.#state,
      mode: this.mode,
      concurrency: concurrency === Infinity ? "unbounded" : concurrency,
      rate: flow?.rate,
      partitions: flow?.partitions,
      counts: {
        queued,
        running: tasks.length - queued,
        succeeded: this.#succeeded,
        failed: this.#failed,
        cancelled: this.#cancelledTasks
      },
      tasks
    })
  }

  /** Moves the open group under `parent` (a group adopted by a task after it opened). */
  moveUnder(parent: SnapshotParent): void {
    if (this.#state !== "closed") this.#place = registry().move(this, this.#place, parent)
  }
}

/**
 * The snapshot `fields` without the ones that are `undefined`, in their order: a snapshot
 * shows only what a task or group has (a plain, JSON-serialisable tree, DESIGN §5).
 */
const defined = <A extends object>(fields: { readonly [K in keyof A]-?: A[K] | undefined }): A => {
  const shown: Record<string, unknown> = {}
  for (const name in fields) if (fields[name] !== undefined) shown[name] = fields[name]
  return shown as A
}

/**
 * Whether a live task holds a permit: it has started (starting, running, cancelling, or
 * between attempts), which is when its group records `startedAt`.
 */
const holdsPermit = (task: Task<any>): boolean => task.startedAt !== undefined
