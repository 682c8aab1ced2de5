import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { TaskGroupClosed } from "../TaskGroupClosed.ts"
import type { SoonValue } from "../SoonValue.ts"
import type { Soonify, SoonifyOptions, Spawn, SpawnOptions, Start, StartOptions } from "../TaskGroup.ts"
import { enter, freshStackIfDeep, isDeep, leave, nested, onFreshStack } from "./callDepth.ts"
import { type Key, liveKeys } from "./keys.ts"
import { Described } from "./described.ts"
import { interruptExternal } from "./external.ts"
import { withTaskFrame } from "./failureFrames.ts"
import { Failures } from "./failures.ts"
import { isRunner, TaskHandle } from "./handle.ts"
import { Launcher } from "./launcher.ts"
import { LiveTasks } from "./liveTasks.ts"
import { Observed } from "./observed.ts"
import { Permits } from "./permits.ts"
import type { Interruptible, Runner } from "./runner.ts"
import type { Mode, Ownership, Settings } from "./settings.ts"
import { soonify, spawn } from "./spawn.ts"
import { start, startFailure } from "./start.ts"
import { ShutdownListeners, noUnregister } from "./shutdownListeners.ts"
import { StartQueue } from "./startQueue.ts"
import { StuckWatch } from "./stuck.ts"
import type { StuckTask } from "../TaskGroup.ts"
import { describe } from "./validation.ts"
import { GroupSpans } from "./spans.ts"
import { type Enclosing, enclosingOf, fromDriver, type Spawner, within } from "./currentTask.ts"
import { isWithin } from "./tracking.ts"
import { watchUnread } from "./unread.ts"
import type { OnTaskError } from "./settings.ts"

/**
 * Runs `onTaskError(cause, handle)`; a callback that throws, fails or dies does not touch
 * the group: its cause is logged at Error level, with the task's failure.
 */
const reportTaskError = (
  onTaskError: OnTaskError,
  cause: Cause.Cause<unknown>,
  handle: TaskHandle<any, any>,
  group: string
): Effect.Effect<void> =>
  Effect.catchCause(
    Effect.suspend(() => {
      const reported = onTaskError(cause, handle)
      return Effect.isEffect(reported)
        ? reported
        : Effect.die(
            new TypeError(
              `TaskGroup: option "onTaskError" of group "${group}" must return an Effect, received ${describe(reported)}`
            )
          )
    }),
    (failed) =>
      Effect.logError(
        `TaskGroup: onTaskError of group "${group}" failed while reporting the failure of task "${handle.name}"`,
        failed,
        cause
      )
  )

/** @internal */
export const TaskGroupTypeId = "~@soonify/core/TaskGroup" as const

/** @internal */
export type State = "open" | "closing" | "closed"

/** The fiber id that the interruptions of a group opened outside any fiber carry. */
const noFiber = -1

/**
 * A task group's state, and the only code that changes it.
 *
 * | state     | spawning gives                          | moved on by                              |
 * | --------- | --------------------------------------- | ---------------------------------------- |
 * | `open`    | a task that runs                        | `shutdown` → closing; `release` → closed |
 * | `closing` | from inside, a handle that has ended    | `release` → closed                       |
 * |           | interrupted; from outside, a defect     |                                          |
 * |           | (`TaskGroupClosed`, with the cause)     |                                          |
 * | `closed`  | a defect (`TaskGroupClosed`)            | nothing: the group has ended             |
 *
 * - `shutdown` (open → closing) runs on the first failure in `failFast` mode (`fail`),
 *   on `cancelUnsafe`, when the body ends interrupted (`bodyEnded`), when the fiber
 *   waiting in `TaskGroup.run` is interrupted, and when a scope closes with a failure
 *   (owners.ts); it calls the shutdown listeners, then interrupts the body and every task.
 * - `release` (→ closed) runs when `pending` reaches 0: it counts every task, plus one
 *   for the owner's part (`endOwner` gives it up: the body's end, `join`, the scope's
 *   close, a cancel of a group without body), so the group cannot end between the
 *   body's return and the last task's end, nor while a task is spawning another.
 *
 * "Ended" is the word for a task, the body or the whole group having finished; a closed
 * group is one that has ended.
 *
 * @internal
 */
export class GroupImpl extends Described {
  readonly name: string
  readonly mode: Mode
  readonly ownership: Ownership
  readonly permits: Permits | undefined
  readonly concurrency: number | "unbounded"
  /** The id our own interruptions carry: the fiber that opened the group. */
  readonly interruptor: number
  /** The context tasks spawned without a spawning fiber (`spawnUnsafe`) run with. */
  readonly context: Context.Context<never>
  /** The task or group body the group was opened under, if any (see tracking.ts). */
  readonly enclosing: Enclosing | undefined
  /** Called for each task that fails in settle mode; else such failures are watched (unread.ts). */
  readonly onTaskError: OnTaskError | undefined
  /** Whether failures kept in handles are reported when the handle is collected unread (not for gather's groups). */
  reportsUnread = true

  private state: State = "open"
  private pending = 1
  private spawned = 0
  private ownerEnded = false
  /** Whether the group has shut down (after a failure, a cancel or an interruption). */
  private shutDown = false
  /**
   * The tasks not yet ended, in spawn order. Those past their first steps are watched
   * through their runner (`isRunner`); one that waits to start is in `queue` or
   * `permits` too, and one that ends within its first steps is never adopted.
   */
  readonly live = new LiveTasks()
  /** The soon starts not yet flushed (startQueue.ts): `Launcher.spawnSoon` queues them. */
  readonly queue = new StartQueue(this)
  private readonly whenEnded = Deferred.makeUnsafe<void>()
  readonly failures = new Failures()
  private bodyFiber: Fiber.Fiber<unknown, unknown> | undefined = undefined
  private bodyExit: Exit.Exit<unknown, unknown> | undefined = undefined
  private readonly shutdownListeners = new ShutdownListeners()
  /** How tasks start: the spawn entry points, permits and fibers (launcher.ts). */
  readonly launcher = new Launcher(this)
  /** The tasks, tally, place and spans that snapshots and tracers see (observed.ts). */
  readonly observed: Observed
  /** Milliseconds after which a task asked to stop that has not ended is reported; `undefined`: never. */
  readonly stuckAfter: number | undefined
  /** The tasks asked to stop and not ended (stuck.ts): made when a task is first asked to stop. */
  private stuck: StuckWatch | undefined = undefined
  /** Who hears of a stuck task instead of the log (`TaskGroup.onStuckUnsafe`). */
  stuckReporter: ((stuck: StuckTask) => void) | undefined = undefined

  constructor(settings: Settings, ownership: Ownership, opener?: Fiber.Fiber<unknown, unknown>) {
    super()
    this.name = settings.name
    this.mode = settings.mode
    this.ownership = ownership
    this.interruptor = opener === undefined ? noFiber : opener.id
    this.context = opener === undefined ? Context.empty() : opener.context
    this.enclosing = opener === undefined ? undefined : enclosingOf(opener)
    this.onTaskError = settings.onTaskError
    this.permits =
      settings.concurrency === undefined
        ? undefined
        : new Permits(settings.concurrency, this.context, this.launcher.startWithPermit)
    this.concurrency = settings.concurrency ?? "unbounded"
    this.stuckAfter = settings.stuckAfter
    this.observed = new Observed(this, opener)
  }

  get [TaskGroupTypeId]() {
    return TaskGroupTypeId
  }

  // The methods of `TaskGroup`, bound: `const { spawn } = group` and
  // `Effect.flatMap(group.spawn)` work (their types: `Spawn`, `Soonify`, `Start`).

  readonly spawn = (<A, E, R>(
    effect: Effect.Effect<A, E, R>,
    options?: SpawnOptions<E>
  ): Effect.Effect<SoonValue<A, E>, never, R> => spawn(this, effect, options)) as Spawn<any, any>

  readonly soonify = (<Args extends ReadonlyArray<unknown>, A, E, R>(
    f: (...args: Args) => Effect.Effect<A, E, R>,
    options?: SoonifyOptions<Args, E>
  ): ((...args: Args) => Effect.Effect<SoonValue<A, E>, never, R>) => soonify(this, f, options)) as Soonify<any, any>

  readonly start = (<S, A, E, R>(
    f: (started: (value: S) => Effect.Effect<void>) => Effect.Effect<A, E, R>,
    options?: StartOptions
  ): Effect.Effect<readonly [S, SoonValue<A, E>], E, R> => start(this, f, options)) as Start<any, any>

  /** The keys of the live keyed tasks (internal/keys.ts). */
  get keys(): ReadonlyArray<Key> {
    return liveKeys(this)
  }

  // spawning

  /**
   * Lets a new task in: `undefined` into a closed group, and into a closing one from
   * outside (the spawner then raises `closedError`); while closing, from inside, a handle
   * that has ended interrupted (and its `starting` too); else a handle counted as pending.
   */
  admit<A, E>(
    name: string | undefined,
    spawner: Spawner,
    starting?: Deferred.Deferred<any, any>
  ): TaskHandle<A, E> | undefined {
    if (this.state !== "open") {
      return this.state === "closed" || !this.isFrom(spawner) ? undefined : this.endedAtOnce(name, starting)
    }
    const handle = new TaskHandle<A, E>(name ?? ++this.spawned, this)
    this.pending++
    this.live.add(handle)
    this.observed.metrics?.admitted()
    if (starting !== undefined) handle.starting = starting
    return handle
  }

  /** A task spawned while the group shuts down: its handle (and `starting`) ended interrupted, and counted. */
  private endedAtOnce<A, E>(name: string | undefined, starting: Deferred.Deferred<any, any> | undefined) {
    const handle = new TaskHandle<A, E>(name ?? ++this.spawned, undefined)
    const interrupted = Exit.interrupt(this.interruptor)
    handle.complete(interrupted)
    this.observed.taskEnded(undefined, interrupted)
    if (starting !== undefined) Deferred.doneUnsafe(starting, interrupted)
    return handle
  }

  /** The state, for snapshots. */
  get currentState(): State {
    return this.state
  }

  /** The body's fiber while it runs, for tracking.ts. */
  get body(): Fiber.Fiber<unknown, unknown> | undefined {
    return this.bodyFiber
  }

  get isClosed(): boolean {
    return this.state === "closed"
  }

  /**
   * Whether `spawner` is inside the group: one of its tasks, its body, or anything
   * running under them (what the shutdown is cancelling anyway). The code that opened a
   * `make` group is not.
   */
  isFrom(spawner: Spawner): boolean {
    if (spawner === fromDriver) return true
    if (spawner === undefined) return this.launcher.inFirstSteps
    return this.isInside(spawner) || isWithin(this, enclosingOf(spawner))
  }

  /** Whether a spawn from `spawner` is refused: into an ended group, or from outside into a closing one. */
  refuses(spawner: Spawner): boolean {
    return this.state !== "open" && (this.state === "closed" || !this.isFrom(spawner))
  }

  /**
   * What a spawn refused (into an ended group, or from outside into a closing one) dies
   * with: a `TaskGroupClosed` whose cause is what closed the group (`closedCause`). The
   * failures in it count as observed (DESIGN §2: a `make` group's scope close raises only
   * the failures nobody has observed).
   */
  closedError(name: string | undefined): TaskGroupClosed {
    const cause = this.closedCause()
    // Handed to the spawner: a scoped group's close does not raise these failures again.
    this.failures.report()
    return new TaskGroupClosed({
      group: this.name,
      task: name ?? `task-${this.spawned + 1}`,
      ended: this.state === "closed",
      ...(cause === undefined ? {} : { cause })
    })
  }

  /**
   * What closed the group: what it fails with (its failures so far, after its
   * cancellation if it was cancelled), or the interruption that shut it down; `undefined`
   * for an open group, or one that ended without ever shutting down.
   */
  closedCause(): Cause.Cause<unknown> | undefined {
    const cause = this.failures.cause()
    if (cause !== undefined || !this.shutDown) return cause
    return Cause.interrupt(this.interruptor)
  }

  /** Watches a task that runs past its first steps, through its runner, until it ends. */
  adopt<A, E>(handle: TaskHandle<A, E>, runner: Runner<A, E>): void {
    handle.runner = runner
    // Calls back at once for a task that already ended.
    runner.addObserver((exit) => this.taskEnded(handle, exit))
    // The group may have begun shutting down while the task ran its first steps.
    if (this.state !== "open") this.stopTask(handle, runner, this.interruptor)
  }

  // stopping one task (and watching that it does: stuck.ts)

  /** Asks a running task to stop: it is cancelling from now until it ends. */
  stopTask(handle: TaskHandle<any, any>, runner: Interruptible, fiberId: number): void {
    this.cancelRequested(handle)
    this.interrupt(handle, runner, fiberId)
    this.stuck?.watch()
  }

  /**
   * Interrupts a task's runner. A runner that throws (an external task's stop function)
   * stops nothing: its throw is added to the group's failures (the group shuts down,
   * going on to every other task), and the task is still waited for. It is not asked
   * again (its throw is reported once).
   */
  private interrupt(handle: TaskHandle<any, any>, runner: Interruptible, fiberId: number): void {
    if (handle.stopThrew === true) return
    const thrown = interruptExternal(runner as Runner<unknown, unknown>, fiberId)
    if (thrown === undefined) return
    handle.stopThrew = true
    this.callbackThrew(thrown.error)
  }

  /** A callback run by the group (a shutdown listener, an external task's stop) threw: a failure of the group, added to the others. */
  private callbackThrew(error: unknown): void {
    this.fail(Cause.die(error))
  }

  /**
   * Marks a task as asked to stop at `now` (snapshots show it cancelling; stuck.ts watches
   * it), without stopping it.
   */
  cancelRequested(handle: TaskHandle<any, any>, now: number = this.observed.now()): void {
    if (handle.exit !== undefined) return
    ;(this.stuck ??= new StuckWatch(this, this.stuckAfter)).requested(handle, now)
  }

  /** After `cancelRequested`: starts watching for the task's end. */
  watchStuck(): void {
    this.stuck?.watch()
  }

  /** A task asked to stop by itself (its `timeout`) has ended that attempt: it is no longer cancelling. */
  cancelEnded(handle: TaskHandle<any, any>): void {
    this.stuck?.stopped(handle)
  }

  /** Starts the body of `TaskGroup.run` at once (on a deep stack, soon). */
  startBody(body: Effect.Effect<unknown, unknown, any>): void {
    const spans = this.observed.spans
    // The body, and every fiber it forks, runs under the group (currentTask.ts).
    const context = within(this.context, this)
    const span = spans?.span
    const fiber = this.launcher.startFiber(span === undefined ? context : GroupSpans.within(context, span), body)
    this.bodyFiber = fiber
    if (this.state !== "open") fiber.interruptUnsafe(this.interruptor)
    fiber.addObserver((exit) => this.bodyEnded(exit))
  }

  // endings

  taskEnded<A, E>(handle: TaskHandle<A, E>, exit: Exit.Exit<A, E>, fiber?: Fiber.Fiber<A, E>): void {
    const runner = handle.runner
    this.live.delete(handle)
    this.permits?.taskEnded(runner, fiber)
    this.observed.taskEnded(handle, exit)
    if (handle.cancelledAt !== undefined) this.stuck!.stopped(handle)
    handle.runner = undefined
    handle.group = undefined
    // Ended before calling `started`, its starter still waiting: the outcome is the
    // starter's, not the group's.
    const starting = handle.starting
    if (starting !== undefined) handle.starting = undefined
    const kept =
      starting === undefined || !Deferred.doneUnsafe(starting, startFailure(handle, exit))
        ? this.record(handle, exit)
        : undefined
    // Whoever awaits the handle resumes inside this call: counted, see callDepth.ts.
    enter()
    try {
      handle.complete(exit)
    } finally {
      leave()
    }
    if (kept !== undefined) this.keptFailure(handle, kept)
    this.release()
  }

  /**
   * Records a task's failure: any in `failFast` mode. In settle mode it stays in the handle
   * (its cause is returned), but not one raised while the group stopped the task (a
   * finalizer's: it belongs to the shutdown) nor an orphan's (see `TaskHandle.orphan`).
   */
  private record(handle: TaskHandle<any, any>, exit: Exit.Exit<unknown, unknown>): Cause.Cause<unknown> | undefined {
    if (exit._tag === "Success") return undefined
    const cause = exit.cause
    const stopped = this.state !== "open" && Cause.hasInterrupts(cause) && !Cause.hasInterruptsOnly(cause)
    if (this.mode === "failFast" || stopped || handle.orphan === true) {
      // The group's failure names its task and group (`Cause.pretty` shows them: failureFrames.ts).
      this.fail(withTaskFrame(cause, handle.name, this.name), handle)
      return undefined
    }
    // A task cancelled alone is not a failure.
    return Cause.hasInterruptsOnly(cause) ? undefined : cause
  }

  /**
   * A failure kept in its handle (settle mode), once the handle holds it: `onTaskError`
   * is called with it, in a fiber of its own that the group waits for; without
   * `onTaskError`, the handle is watched, so that the failure is reported if nobody reads
   * it (unread.ts).
   */
  private keptFailure(handle: TaskHandle<any, any>, cause: Cause.Cause<unknown>): void {
    const onTaskError = this.onTaskError
    if (onTaskError === undefined) {
      if (this.reportsUnread) watchUnread(handle, cause, this.name, this.context)
      return
    }
    this.pending++
    const fiber = Effect.runForkWith(this.context)(reportTaskError(onTaskError, cause, handle, this.name))
    fiber.addObserver(() => this.release())
  }

  private bodyEnded(exit: Exit.Exit<unknown, unknown>): void {
    this.bodyExit = exit
    this.bodyFiber = undefined
    // A body that interrupted itself (not through us) takes the group down with it.
    if (exit._tag === "Failure" && !this.fail(exit.cause)) this.shutdown()
    this.endOwner()
  }

  /** The body (or the owner of a scoped group) has ended its part: the group may now end. */
  endOwner(): void {
    if (this.ownerEnded) return
    this.ownerEnded = true
    this.release()
  }

  private release(): void {
    if (--this.pending === 0) {
      this.state = "closed"
      this.observed.groupEnded(this.failures.cause())
      nested(() => Deferred.doneUnsafe(this.whenEnded, Exit.void))
    }
  }

  /** Records the non-interrupt reasons of `cause`; if there are any, shuts down. */
  private fail(cause: Cause.Cause<unknown>, handle?: TaskHandle<any, any>): boolean {
    const failed = this.failures.add(cause, handle)
    if (failed) this.shutdown()
    return failed
  }

  // shutting down

  /** Interrupts the body and every task; spawns from now on end interrupted. */
  shutdown(): void {
    if (this.state !== "open") return
    this.state = "closing"
    this.shutDown = true
    // Stopping runs the listeners and interrupts suspended fibers, which run at once, down
    // to their own groups' shutdowns (or, for a Promise task, its AbortSignal's
    // listeners). On a deep stack it goes on from a fresh one (see callDepth.ts), counted
    // as pending so that the group cannot end before it has run.
    if (!isDeep()) return nested(() => this.stop())
    this.pending++
    onFreshStack(this.context, () => {
      this.stop()
      this.release()
    })
  }

  /** Runs the shutdown listeners, then interrupts the body and every task. */
  private stop(): void {
    // A listener that throws stops nothing: its throw is added to the failures.
    this.shutdownListeners.callOnce((error) => this.callbackThrew(error))
    this.bodyFiber?.interruptUnsafe(this.interruptor)
    // Interrupting a suspended fiber ends it at once, and its observer removes it from
    // `live`: the tasks are taken first.
    // One clock reading for all of them: they are asked at the same moment.
    let now: number | undefined
    for (const handle of this.live.toArray()) {
      const runner = handle.runner
      if (isRunner(runner)) {
        this.cancelRequested(handle, (now ??= this.observed.now()))
        this.interrupt(handle, runner, this.interruptor)
      }
    }
    this.stuck?.watch()
    // Then the tasks that have not started: they end interrupted, and never run.
    this.queue.interruptAll(this.interruptor)
    this.permits?.interruptAll(this.interruptor)
  }

  /** `TaskGroup.onShutdownUnsafe`: calls `f` when the group starts shutting down. */
  onShutdown(f: () => void): () => void {
    if (this.state === "open") return this.shutdownListeners.add(f)
    if (this.state === "closing") this.shutdownListeners.callNow(f, (error) => this.callbackThrew(error))
    return noUnregister
  }

  /** `TaskGroup.cancelUnsafe`: cancels the whole group; its outcome is an interruption. */
  cancelUnsafe(fiberId: number | undefined): void {
    if (this.state !== "open") return
    this.failures.recordCancel(Cause.interrupt(fiberId ?? this.interruptor))
    this.shutdown()
    // A group with no body running is finished once its tasks are: it takes no new ones.
    if (this.ownership !== "body") this.endOwner()
  }

  /** Whether `fiber` is the body, a task, or runs while one of them runs its first steps. */
  isInside(fiber: Fiber.Fiber<unknown, unknown>): boolean {
    if (this.launcher.inFirstSteps || fiber === this.bodyFiber) return true
    return this.live.some((handle) => handle.runner === fiber)
  }

  // outcomes (what owners.ts makes of them)

  /** Waits until the group has ended; from a fresh stack if deep in its last task's end. */
  get awaitEnded(): Effect.Effect<void> {
    return Effect.flatMap(Deferred.await(this.whenEnded), () => freshStackIfDeep(Effect.void))
  }

  /** The ended group's result: its cancellation and failures, else the body's Exit. */
  outcome(): Effect.Effect<unknown, unknown> {
    const cause = this.failures.cause()
    return cause === undefined ? (this.bodyExit ?? Effect.void) : Effect.failCause(cause)
  }

  toJSON(): unknown {
    return {
      _id: "TaskGroup",
      name: this.name,
      mode: this.mode,
      state: this.state,
      running: this.live.toArray().filter((handle) => isRunner(handle.runner)).length
    }
  }
}
