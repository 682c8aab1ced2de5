import {
  type Ending,
  Group,
  type Key,
  Refusal,
  type Route,
  type Runtime,
  type StuckTask,
  type TaskOptions as KernelTaskOptions,
  keepLayouts,
  keptLayouts as keptLayoutsOf,
  setLayoutKeeper
} from "@soonify/kernel"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { constVoid } from "effect/Function"
import { TaskGroupClosed } from "../TaskGroupClosed.ts"
import { TaskGroupTimeout } from "../TaskGroupTimeout.ts"
import { TaskTimeout } from "../TaskTimeout.ts"
import type { SoonValue } from "../SoonValue.ts"
import type { Soonify, SoonifyOptions, Spawn, SpawnOptions, Start, StartOptions } from "../TaskGroup.ts"
import { ambientTask } from "./ambientTask.ts"
import { enter, freshStackIfDeep, isDeep, leave, nested, onFreshStack, startNow } from "./callDepth.ts"
import { type Enclosing, enclosingOf, within } from "./currentTask.ts"
import { Described } from "./described.ts"
import { isExit } from "./effectKind.ts"
import { Failure } from "./failure.ts"
import { setConcurrency } from "./flow.ts"
import { TaskHandle, taskHandle } from "./handle.ts"
import { type GroupMetrics, groupMetrics } from "./metricsSwitch.ts"
import { attemptAttribute, type GroupSpans, groupSpans, keyAttribute, GroupSpans as Spans } from "./spans.ts"
import { retryContext, ScheduleRetry } from "./retry.ts"
import type { Mode, OnTaskError, Ownership, Settings } from "./settings.ts"
import { Collected } from "./collected.ts"
import { soonify, spawn } from "./spawn.ts"
import { start, startFailure } from "./start.ts"
import { stuckMessage } from "./stuck.ts"
import { installSnapshotHook } from "./snapshotHook.ts"
import { raisedAt, type TimeoutSite } from "./timeoutMessage.ts"
import { isWithin, taskOfEnclosing } from "./tracking.ts"
import { watchUnread } from "./unread.ts"
import { describe } from "./validation.ts"

// Groups are observable from outside the process as soon as the package is loaded.
installSnapshotHook()

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

/** Effect's default Clock, what a program with no Clock of its own uses. */
const systemClock: Clock.Clock = Context.get(Context.empty(), Clock.Clock)

/** The fiber id that the interruptions of a group opened outside any fiber carry. */
const noFiber = -1

/** The options a task's kernel record carries: its `timeout` in milliseconds and as given (for `TaskTimeout`). */
export interface TaskOptions extends KernelTaskOptions {
  readonly duration?: Duration.Duration | undefined
}

/**
 * A task group, as Effect sees it: the kernel's `Group` (which decides every rule: the
 * group's states, admission and concurrency, fail fast and settle, keys, retries,
 * deadlines, the start handshake, stuck cancellations, snapshots) driven with fibers.
 * This class is the group's `Runtime` itself (no object between them): it starts each
 * task's attempt (`startAttempt`) in a fiber of its own (with its spawner's context), interrupts it when the kernel says, tells time with
 * the `Clock` of the fiber that opened the group (so TestClock drives its timers), and
 * turns each end into an `Exit` in the task's handle.
 *
 * What it keeps besides the kernel's group: the body's fiber and Exit, the Deferred its
 * owner waits on, the spans and metrics of the group, and the callbacks of its options.
 *
 * @internal
 */
export class GroupImpl extends Described implements Runtime<TaskHandle<any, any>> {
  readonly name: string
  readonly mode: Mode
  readonly ownership: Ownership
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
  /** Who hears of a stuck task instead of the log (`TaskGroup.onStuckUnsafe`). */
  stuckReporter: ((stuck: StuckTask) => void) | undefined = undefined
  readonly spans: GroupSpans | undefined
  /** The group's task metrics, when `TaskGroup.metricsLayer` is provided where it was made (metrics.ts). */
  readonly metrics: GroupMetrics | undefined
  /** The group's rules and state. */
  readonly kernel: Group<TaskHandle<any, any>, Failure>

  private readonly clock: Clock.Clock
  /** Whether `now` reads the clock each time (a group with a rate window). */
  private readonly freshTime: boolean
  /** The system clock's reading of this synchronous run (see `now`). */
  private stamp: number | undefined = undefined
  private readonly timeout: Duration.Duration | undefined
  /** Where the group's `timeout` was given (the API that took it), for its message: set with `timeout`. */
  private readonly timeoutSite: TimeoutSite["where"] | undefined
  /** The timeout's failure, once made. */
  private timedOutWith: Cause.Reason<unknown> | undefined = undefined
  /** Whether the timeout's failure was handed to somebody (as the kernel's failures are: `markReported`). */
  private timeoutReported = false
  private readonly whenEnded = Deferred.makeUnsafe<void>()
  private bodyFiber: Fiber.Fiber<unknown, unknown> | undefined = undefined
  private bodyExit: Exit.Exit<unknown, unknown> | undefined = undefined
  /** How many of the group's fibers are running their first steps on the stack now. */
  private firstStepsDepth = 0
  /** The spawner of the last soon spawn: its dispatcher runs the flush. */
  private flusher: Fiber.Fiber<unknown, unknown> | undefined = undefined

  constructor(
    settings: Settings,
    ownership: Ownership,
    opener?: Fiber.Fiber<unknown, unknown>,
    timeout?: Duration.Duration,
    timeoutSite?: TimeoutSite["where"]
  ) {
    super()
    this.name = settings.name
    this.mode = settings.mode
    this.ownership = ownership
    this.interruptor = opener === undefined ? noFiber : opener.id
    this.context = opener === undefined ? Context.empty() : opener.context
    this.enclosing = opener === undefined ? undefined : enclosingOf(opener)
    this.onTaskError = settings.onTaskError
    this.clock = Context.get(this.context, Clock.Clock)
    // A rate window reads the time afresh: a reading kept for the synchronous run could
    // be older than the window's last start.
    this.freshTime = settings.rate !== undefined || settings.partitions?.rate !== undefined
    this.timeout = timeout
    this.timeoutSite = timeoutSite
    this.spans = groupSpans(opener, this.clock, this.name, ownership)
    this.metrics = groupMetrics(this.name, this.context)
    this.kernel = new Group<TaskHandle<any, any>, Failure>(this, {
      name: settings.name,
      mode: settings.mode,
      concurrency: settings.concurrency,
      rate: settings.rate,
      partitions: settings.partitions,
      timeout: timeout === undefined ? undefined : Duration.toMillis(timeout),
      stuckAfter: settings.stuckAfter ?? Infinity,
      owner: ownership === "body" ? "body" : "scope",
      parent: taskOfEnclosing(this.enclosing) ?? ambientTask()
    })
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

  readonly setConcurrency = (concurrency: number | "unbounded"): Effect.Effect<void> =>
    setConcurrency(this, concurrency)

  /** The keys of the live keyed tasks. */
  get keys(): ReadonlyArray<Key> {
    return this.kernel.keys
  }

  get isClosed(): boolean {
    return this.kernel.state === "closed"
  }

  // ---------------------------------------------------------------------------
  // spawning

  /**
   * Spawns `task` into the kernel's group (`"now"`: it starts at once; `"soon"`: once
   * `spawner` yields): gives the task, the live task of its key, or the kernel's refusal.
   */
  private spawnTask<A, E>(
    task: TaskHandle<A, E>,
    when: "now" | "soon",
    spawner: Fiber.Fiber<unknown, unknown> | undefined
  ): TaskHandle<A, E> | Refusal<Failure> {
    const kernel = this.kernel
    // Inside or outside matters only once the group shuts down.
    const from = kernel.state === "open" || !this.isFrom(spawner) ? "outside" : "inside"
    if (when === "soon") this.flusher = spawner
    const metrics = this.metrics
    if (metrics !== undefined && kernel.state === "open") {
      const key = task.key
      if (key === undefined || kernel.keyedTask(key) === undefined) metrics.admitted()
    }
    return kernel.spawn(task, when, from) as TaskHandle<A, E> | Refusal<Failure>
  }

  /** Spawns a task that starts soon, in spawn order, once `parent` (the spawner) yields; dies when refused. */
  spawnSoon<A, E>(
    parent: Fiber.Fiber<unknown, unknown>,
    effect: Effect.Effect<A, E, any>,
    name: string | undefined,
    options?: TaskOptions,
    key?: Key,
    starter?: Deferred.Deferred<any, any>
  ): Effect.Effect<TaskHandle<A, E>> {
    const task = taskHandle<A, E>(effect, name, parent.context, options)
    if (key !== undefined) task.key = key
    if (starter !== undefined) {
      task.handshake = "awaited"
      task.starter = starter
    }
    const spawned = this.spawnTask(task, "soon", parent)
    return spawned !== task && spawned instanceof Refusal
      ? Effect.die(this.closedError(spawned))
      : Effect.succeed(spawned as TaskHandle<A, E>)
  }

  /**
   * `spawnSoon` of a plain task (no options, key or handshake), called in the spawner's
   * own fiber (`parent`, from an `Effect.sync`): gives the task, throws `TaskGroupClosed`
   * when refused (a defect of that `Effect.sync`). One Exit less per spawn than an effect
   * that gives the task.
   */
  spawnSoonHere<A, E>(
    parent: Fiber.Fiber<unknown, unknown>,
    effect: Effect.Effect<A, E, any>,
    name: string | undefined
  ): TaskHandle<A, E> {
    const task = taskHandle<A, E>(effect, name, parent.context)
    const spawned = this.spawnTask(task, "soon", parent)
    // A task with no key is let in as itself, or refused (an `instanceof` costs more).
    if (spawned !== task) throw this.closedError(spawned as Refusal<Failure>)
    return task
  }

  /**
   * Spawns a task that runs at once until its first asynchronous step, with the context
   * of `parent` (else the group's); throws `TaskGroupClosed` when refused (`spawner`
   * tells inside from outside).
   */
  spawnNow<A, E>(
    parent: Fiber.Fiber<unknown, unknown> | undefined,
    effect: Effect.Effect<A, E, any>,
    name: string | undefined,
    options?: TaskOptions,
    key?: Key,
    spawner: Fiber.Fiber<unknown, unknown> | undefined = parent
  ): TaskHandle<A, E> {
    const task = taskHandle<A, E>(effect, name, parent === undefined ? this.context : parent.context, options)
    if (key !== undefined) task.key = key
    const spawned = this.spawnTask(task, "now", spawner)
    // Let in as itself, or (keyed) the live task of its key, or refused.
    if (spawned !== task && spawned instanceof Refusal) throw this.closedError(spawned)
    return spawned as TaskHandle<A, E>
  }

  /**
   * Whether `spawner` is inside the group: one of its tasks, its body, or anything
   * running under them (what the shutdown is cancelling anyway). The code that opened a
   * `make` group is not. Code with no fiber is inside while one of the group's fibers
   * runs its first steps on the stack.
   */
  isFrom(spawner: Fiber.Fiber<unknown, unknown> | undefined): boolean {
    if (spawner === undefined) return this.firstStepsDepth > 0
    return this.isInside(spawner) || isWithin(this, enclosingOf(spawner))
  }

  /**
   * What a refused spawn (into an ended group, or from outside into a closing one) dies
   * with: a `TaskGroupClosed` whose cause is what closed the group. The failures in it
   * count as observed (DESIGN §2: a `make` group's scope close raises only the failures
   * nobody has observed).
   */
  closedError(refusal: Refusal<Failure> | string | undefined): TaskGroupClosed {
    const refused =
      refusal instanceof Refusal ? refusal : this.kernel.refusal(taskHandle(undefined, refusal, undefined))
    const cause = refused.cause === undefined ? undefined : this.closingCause()
    this.timeoutReported = true
    return new TaskGroupClosed({
      group: this.name,
      task: refused.task,
      ended: refused.ended,
      ...(cause === undefined ? {} : { cause })
    })
  }

  /** What closed the group: what it fails with, or the interruption that shut it down. */
  private closingCause(): Cause.Cause<unknown> {
    return this.cause() ?? Cause.interrupt(this.interruptor)
  }

  // ---------------------------------------------------------------------------
  // the runtime: what the kernel asks

  /** Starts the current attempt of `task` in a fiber of its own (an Exit needs none). */
  startAttempt(task: TaskHandle<any, any>): void {
    const effect = task.run!
    const options = task.options as TaskOptions
    const first = task.attempt === 1
    if (first) {
      this.metrics?.taskStarted()
      const spans = this.spans
      if (spans !== undefined) {
        const span = (task.span = spans.task(task.name, task.context ?? this.context))
        if (task.key !== undefined) span.attribute(keyAttribute, String(task.key))
      }
    }
    let context = task.context ?? this.context
    // Nothing more to run after this attempt: let go of the effect and its context.
    if (options.retry === undefined) {
      task.run = undefined
      task.context = undefined
    } else if (!first) context = retryContext(options.retry as ScheduleRetry, context)
    // An Exit is an effect that has already ended: no fiber to run it.
    if (isExit(effect)) return this.attemptEnded(task, undefined, effect)
    // The task's fiber, and every fiber it forks, runs under the task (currentTask.ts).
    const tracked = within(context, task)
    const span = task.span
    const fiber = this.startFiber(span === undefined ? tracked : Spans.within(tracked, span), effect)
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) return this.attemptEnded(task, fiber, exit)
    task.fiber = fiber
    fiber.addObserver((exit) => this.attemptEnded(task, fiber, exit))
  }

  /** An attempt's fiber (or Exit) has ended: tells the kernel how. */
  private attemptEnded(
    task: TaskHandle<any, any>,
    fiber: Fiber.Fiber<any, any> | undefined,
    exit: Exit.Exit<unknown, unknown>
  ): void {
    // (An Exit's attempt had no fiber: its task gets no `fiber` field, so keeps its layout.)
    if (fiber !== undefined && task.fiber === fiber) task.fiber = undefined
    const group = this.kernel
    if (task.group !== group) return
    const options = task.options as TaskOptions
    if (exit._tag === "Failure" && options.retry !== undefined) {
      Effect.runForkWith(this.context)(
        Effect.logDebug(`TaskGroup: task "${task.name}" failed on attempt ${task.attempt}`, exit.cause)
      )
    }
    if (task.timedOut === true) {
      const error = new TaskTimeout({ task: task.name, group: this.name, timeout: options.duration! })
      return group.end(task, "failed", new Failure(Cause.fail(error), task))
    }
    // The Exit itself is the outcome of a success or a cancellation: the handle gets it as it is.
    if (exit._tag === "Success") return group.end(task, "succeeded", exit)
    const cause = exit.cause
    if (Cause.hasInterruptsOnly(cause)) return group.end(task, "cancelled", exit)
    const ending: Ending = Cause.hasInterrupts(cause) ? "failedWhileStopping" : "failed"
    group.end(task, ending, new Failure(cause, task))
  }

  /** Asks a started task to stop: interrupts its fiber (from a fresh stack when deep in group work). */
  interrupt(task: TaskHandle<any, any>): void {
    const fiber = task.fiber
    if (fiber === undefined) return
    const by = (task.cancelledBy as number | undefined) ?? this.interruptor
    if (!isDeep()) return fiber.interruptUnsafe(by)
    // Counted, so that the group cannot end before it has run.
    this.kernel.hold()
    onFreshStack(this.context, () => {
      fiber.interruptUnsafe(by)
      this.kernel.release()
    })
  }

  /**
   * The time now (ms since epoch), on the group's Clock. The system clock is read once
   * per synchronous run: the tasks a loop starts start at the same moment, and 10,000 of
   * them cost one reading (a Clock of the program's own, such as TestClock, is asked
   * every time).
   */
  now(): number {
    const clock = this.clock
    if (clock !== systemClock || this.freshTime) return clock.currentTimeMillisUnsafe()
    let stamp = this.stamp
    if (stamp === undefined) {
      stamp = this.stamp = clock.currentTimeMillisUnsafe()
      queueMicrotask(this.forgetStamp)
    }
    return stamp
  }

  private readonly forgetStamp = (): void => {
    this.stamp = undefined
  }

  setTimer<A>(ms: number, fire: (target: A) => void, target: A): unknown {
    return Effect.runForkWith(this.context)(
      Effect.andThen(
        Effect.sleep(Duration.millis(ms)),
        Effect.sync(() => fire(target))
      )
    )
  }

  clearTimer(timer: unknown): void {
    stopTimer(timer as Fiber.Fiber<void>)
  }

  warn(stuck: StuckTask): void {
    const reporter = this.stuckReporter
    if (reporter !== undefined) return reporter(stuck)
    Effect.runForkWith(this.context)(Effect.logWarning(stuckMessage(stuck)))
  }

  scheduleFlush(): void {
    // Only soon spawns ask for a flush, and each has a spawning fiber.
    this.flusher!.currentDispatcher.scheduleTask(this.flush, 0)
  }

  readonly flush = (): void => this.kernel.flush()

  /** The kernel has recorded a task's end (`route`: where its outcome went): completes its handle. */
  taskEnded(task: TaskHandle<any, any>, route: Route): void {
    const exit = this.exitOf(task)
    // Ended as it was spawned (into a group shutting down): never let in.
    const admitted = task.group !== undefined
    const metrics = this.metrics
    if (metrics !== undefined) metrics.taskEnded(admitted ? task : undefined, exit, this.now())
    const span = task.span
    if (span !== undefined) {
      if (task.options.retry !== undefined) span.attribute(attemptAttribute, task.attempt)
      this.spans!.end(span, exit)
    }
    task.run = undefined
    task.context = undefined
    const starter = task.starter
    if (starter !== undefined) {
      task.starter = undefined
      if (route === "starter") Deferred.doneUnsafe(starter, startFailure(task, exit))
    }
    // Whoever awaits the handle resumes inside this call: counted, see callDepth.ts.
    enter()
    try {
      task.complete(exit)
    } finally {
      leave()
    }
    if (route === "handle") this.keptFailure(task, (exit as Exit.Failure<unknown, unknown>).cause)
  }

  /** The Exit of an ended task, from how the kernel says it ended. */
  private exitOf(task: TaskHandle<any, any>): Exit.Exit<unknown, unknown> {
    const outcome = task.outcome
    switch (task.ending) {
      case "succeeded":
        return outcome as Exit.Exit<unknown, unknown>
      case "cancelled":
        // A task that never ran has no Exit: its cancellation is made here.
        return outcome === undefined
          ? Exit.interrupt((task.cancelledBy as number | undefined) ?? this.interruptor)
          : (outcome as Exit.Exit<unknown, unknown>)
      default:
        return Exit.failCause(outcome instanceof Failure ? outcome.cause : Cause.die(outcome))
    }
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
    const kernel = this.kernel
    kernel.hold()
    const fiber = Effect.runForkWith(this.context)(reportTaskError(onTaskError, cause, handle, this.name))
    fiber.addObserver(() => kernel.release())
  }

  /** The group starts shutting down: its body is interrupted too. */
  shuttingDown(): void {
    const body = this.bodyFiber
    if (body === undefined) return
    if (!isDeep()) return body.interruptUnsafe(this.interruptor)
    this.kernel.hold()
    onFreshStack(this.context, () => {
      body.interruptUnsafe(this.interruptor)
      this.kernel.release()
    })
  }

  groupEnded(): void {
    this.spans?.endGroup(this.cause())
    nested(() => Deferred.doneUnsafe(this.whenEnded, Exit.void))
    // Once the first group has ended, core's own small group runs once (see `keepCoreLayouts`).
    keepLayouts(coreAdapter, "soon")
  }

  // ---------------------------------------------------------------------------
  // fibers

  /** Starts one of the group's fibers at once, counting its first steps (see `isFrom`). */
  private startFiber<A, E>(context: Context.Context<never>, effect: Effect.Effect<A, E, any>): Fiber.Fiber<A, E> {
    this.firstStepsDepth++
    try {
      return startNow(context, effect)
    } finally {
      this.firstStepsDepth--
    }
  }

  /** Starts the body of `TaskGroup.run` at once (on a deep stack, soon). */
  startBody(body: Effect.Effect<unknown, unknown, any>): void {
    // The body, and every fiber it forks, runs under the group (currentTask.ts).
    const context = within(this.context, this)
    const span = this.spans?.span
    const fiber = this.startFiber(span === undefined ? context : Spans.within(context, span), body)
    this.bodyFiber = fiber
    if (this.kernel.state !== "open") fiber.interruptUnsafe(this.interruptor)
    fiber.addObserver((exit) => this.bodyEnded(exit))
  }

  private bodyEnded(exit: Exit.Exit<unknown, unknown>): void {
    this.bodyExit = exit
    this.bodyFiber = undefined
    if (exit._tag === "Success") return this.kernel.bodyEnded("succeeded", undefined)
    // A body that interrupted itself (not through us) takes the group down with it.
    if (Cause.hasInterruptsOnly(exit.cause)) return this.kernel.bodyEnded("cancelled", undefined)
    this.kernel.bodyEnded("failed", new Failure(exit.cause, undefined))
  }

  /** Whether `fiber` is the body, a task, or runs while one of them runs its first steps. */
  isInside(fiber: Fiber.Fiber<unknown, unknown>): boolean {
    if (this.firstStepsDepth > 0 || fiber === this.bodyFiber) return true
    for (const task of this.kernel.tasks()) if (task.fiber === fiber) return true
    return false
  }

  // ---------------------------------------------------------------------------
  // what the owners (owners.ts) and the handles ask

  /** Cancels one task (`soon.cancel`), `by` the fiber that asked. */
  cancelTask(task: TaskHandle<any, any>, by: number): void {
    this.kernel.cancelTask(task, by)
  }

  /** Shuts the group down: its body and every task are interrupted; spawns from now on end interrupted. */
  shutdown(): void {
    nested(() => this.kernel.shutdown())
  }

  /** The owner's part is over: the group ends once its tasks have. */
  endOwner(): void {
    this.kernel.endOwner()
  }

  /** `TaskGroup.cancelUnsafe`: cancels the whole group; its outcome is an interruption. */
  cancelUnsafe(fiberId: number | undefined): void {
    nested(() => this.kernel.cancel(fiberId ?? this.interruptor))
  }

  /** Waits until the group has ended; from a fresh stack if deep in its last task's end. */
  get awaitEnded(): Effect.Effect<void> {
    return Effect.flatMap(Deferred.await(this.whenEnded), () => freshStackIfDeep(Effect.void))
  }

  /**
   * What the group fails with besides its body: the cancel's interruption or the
   * timeout first (either shut it down), then every failure in order; `undefined` for none.
   */
  cause(): Cause.Cause<unknown> | undefined {
    const kernel = this.kernel
    const reasons: Array<Cause.Reason<unknown>> = []
    if (kernel.cancelled) reasons.push(...Cause.interrupt(kernel.cancelledBy as number).reasons)
    if (kernel.timedOut) reasons.push(this.timeoutReason())
    for (const failure of kernel.failures) reasons.push(...failure.reasons(this.name))
    return reasons.length === 0 ? undefined : Cause.fromReasons(reasons)
  }

  private timeoutReason(): Cause.Reason<unknown> {
    if (this.timedOutWith !== undefined) return this.timedOutWith
    const error = new TaskGroupTimeout({ group: this.name, timeout: this.timeout! })
    return (this.timedOutWith = Cause.makeFailReason(raisedAt(error, { where: this.timeoutSite!, lateSlot: false })))
  }

  /** An interruption from outside, with every failure added to it. */
  after(interruption: Cause.Cause<unknown>): Cause.Cause<unknown> {
    const cause = this.cause()
    return cause === undefined ? interruption : Cause.fromReasons([...interruption.reasons, ...cause.reasons])
  }

  /** The ended group's result: its cancellation and failures, else the body's Exit. */
  outcome(): Effect.Effect<unknown, unknown> {
    const cause = this.cause()
    return cause === undefined ? (this.bodyExit ?? Effect.void) : Effect.failCause(cause)
  }

  /** The failures so far were handed to somebody (`join`): the scope's close does not raise them again. */
  markReported(): void {
    this.kernel.markReported()
    this.timeoutReported = true
  }

  /**
   * The failures nobody observed, as defects (once), or `undefined`: neither handed to
   * somebody nor read from the failed task's handle.
   */
  unreported(): Cause.Cause<never> | undefined {
    const unreported: Array<Cause.Reason<never>> = []
    if (this.kernel.timedOut && !this.timeoutReported) unreported.push(asDefect(this.timeoutReason()))
    this.timeoutReported = true
    for (const failure of this.kernel.takeUnreported()) {
      if (failure.task?.unread === "read") continue
      for (const reason of failure.reasons(this.name)) unreported.push(asDefect(reason))
    }
    return unreported.length === 0 ? undefined : Cause.fromReasons(unreported)
  }

  toJSON(): unknown {
    let running = 0
    for (const task of this.kernel.tasks()) if (task.phase === "running" || task.phase === "cancelling") running++
    return { _id: "TaskGroup", name: this.name, mode: this.mode, state: this.kernel.state, running }
  }
}

/** Stops a timer of `setTimer` (the fiber that sleeps): its `fire` is never called. */
const stopTimer = (timer: Fiber.Fiber<void>): void => {
  timer.interruptUnsafe()
}

/** The name core's entries in the kernel's registry go by. */
const coreAdapter = "@soonify/core"

/**
 * Keeps the object layouts of a group, its tasks and their fibers alive, made once,
 * after the first group of the process has ended (so that their fields have the
 * representations the program's own groups gave them): the kernel runs it
 * (`keepLayouts`, packages/kernel/src/Layouts.ts) and keeps what it gives back in the
 * registry for the life of the process.
 *
 * V8 keeps an object layout (a hidden class) only while some object has it, and the
 * optimized code of the task path checks those layouts. When every group, task and
 * fiber of a program has ended, a full garbage collection drops their layouts, and with
 * them the optimized code of the whole path: the next group runs two to three times
 * slower until V8 has optimized it again (a group of 1e4 tasks that each run in a fiber,
 * after a full collection: 23–37 ms instead of 13–15 ms). A group of our own, run to its end
 * here with two tasks, keeps the layouts alive, with one ended fiber. It holds no user
 * state (an empty context, no tracer, no metrics) and is never seen in a snapshot: it
 * ends before this function returns.
 */
const keepCoreLayouts = (): ReadonlyArray<unknown> => {
  const settings: Settings = {
    name: "layouts",
    mode: "failFast",
    concurrency: undefined,
    stuckAfter: undefined,
    onTaskError: undefined
  }
  const group = new GroupImpl(settings, "scope")
  // A task that ends in its first steps, and one whose fiber waits (it has a `fiber`
  // field while it waits), resumed here: both end before this returns.
  const atOnce = group.spawnNow(undefined, Effect.sync(constVoid), undefined)
  let resume: ((effect: Effect.Effect<void>) => void) | undefined
  const waited = group.spawnNow(
    undefined,
    Effect.callback<void>((resumeWith) => {
      resume = resumeWith
    }),
    undefined
  )
  const fiber = waited.fiber
  resume?.(Effect.void)
  group.endOwner()
  // What a fail-fast gather collects (gather.ts): its layout, read by `spawnSlot`.
  return [group, atOnce, waited, fiber, new Collected(0)]
}

setLayoutKeeper(coreAdapter, keepCoreLayouts)

/** What keeps the layouts of a group alive once the first group has ended (`[group, task, task, fiber, collected]`), for tests. */
export const keptLayouts = (): ReadonlyArray<unknown> | undefined => {
  const kept = keptLayoutsOf(coreAdapter)
  return Array.isArray(kept) ? kept : undefined
}

/** A failure as a defect (a scope's close raises those nobody observed as defects). */
const asDefect = (reason: Cause.Reason<unknown>): Cause.Reason<never> =>
  reason._tag === "Fail" ? Cause.makeDieReason(reason.error) : (reason as Cause.Reason<never>)
