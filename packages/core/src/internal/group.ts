import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { format } from "effect/Formatter"
import { NodeInspectSymbol } from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { TaskGroupClosed } from "../TaskGroupClosed.ts"
import type { SoonValue } from "../SoonValue.ts"
import type { TaskOptions } from "../TaskGroup.ts"
import { freshStackIfDeep, isDeep, nested, onFreshStack, startNow } from "./callDepth.ts"
import { external, type ExternalTask, startExternal } from "./external.ts"
import { firstSteps, TaskHandle } from "./handle.ts"
import { Permits } from "./permits.ts"
import { describe, effectProblem, illegalArgument, taskOptionsProblem } from "./validation.ts"

/** @internal */
export const TaskGroupTypeId = "~@soonify/core/TaskGroup" as const

/** @internal */
export type Mode = "failFast" | "settle"

/** @internal */
export interface Settings {
  readonly name: string
  readonly mode: Mode
  /** `undefined` for no limit. */
  readonly concurrency: number | undefined
}

// A group is open while its body (or, for a scoped group, its owner) or a task can
// still spawn; closing after a failure or an interruption, when every task is being
// interrupted and new spawns end interrupted; closed once everything has ended.
const OPEN = 0
const CLOSING = 1
const CLOSED = 2

/**
 * The machinery behind `TaskGroup`: fibers forked for each task, a `Deferred` per
 * handle, `Permits` (a first-in first-out semaphore) for `concurrency`, and a `Deferred`
 * that is completed when the last of the body and the tasks has ended.
 *
 * `pending` counts what must end before the group ends: every task plus one for the
 * body (or the owner of a scoped group), so the group cannot end between the body's
 * return and the last task's end, nor while a task is spawning another.
 *
 * @internal
 */
export class GroupImpl {
  readonly name: string
  readonly mode: Mode
  readonly semaphore: Permits | undefined
  /** The id our own interruptions carry: the fiber that opened the group. */
  readonly interruptor: number
  readonly running = new Set<TaskHandle<any, any>>()
  readonly done = Deferred.makeUnsafe<void>()
  /** Every non-interrupt reason that fails the group, in the order they happened. */
  readonly failures: Array<Cause.Reason<unknown>> = []
  state = OPEN
  pending = 1
  spawned = 0
  ownerEnded = false
  /** Whether `join` handed the failures to somebody. */
  reported = false
  bodyFiber: Fiber.Fiber<unknown, unknown> | undefined = undefined
  bodyExit: Exit.Exit<unknown, unknown> | undefined = undefined

  /** The context tasks spawned without a spawning fiber (`spawnUnsafe`) run with. */
  readonly context: Context.Context<never>
  /** Set when the group was cancelled as a whole: its outcome is then an interruption. */
  cancelled: Cause.Cause<never> | undefined = undefined
  /** Called once, before anything is interrupted, when the group starts shutting down. */
  shutdownListeners: Array<() => void> | undefined = undefined

  /**
   * Whether a body owns the group (`TaskGroup.run`): the body's end, not `join`, is
   * what lets the group end.
   */
  readonly hasBody: boolean

  constructor(settings: Settings, interruptor: number, context: Context.Context<never>, hasBody = false) {
    this.hasBody = hasBody
    this.context = context
    this.name = settings.name
    this.mode = settings.mode
    this.semaphore = settings.concurrency === undefined ? undefined : new Permits(settings.concurrency)
    this.interruptor = interruptor
  }

  get [TaskGroupTypeId]() {
    return TaskGroupTypeId
  }

  // ---------------------------------------------------------------------------
  // spawning
  // ---------------------------------------------------------------------------

  /**
   * Spawns `effect` as a task of this group, from the fiber running this effect (whose
   * context the task inherits). Everything happens in one synchronous step, so nothing
   * can come between counting the task and watching it.
   */
  spawnTask<A, E, R>(
    effect: Effect.Effect<A, E, R>,
    name: string | undefined,
    immediate: boolean,
    starting?: Deferred.Deferred<any, any>
  ): Effect.Effect<TaskHandle<A, E>, never, R> {
    return Effect.withFiber((parent) =>
      this.state === CLOSED
        ? Effect.die(this.closedError(name))
        : Effect.succeed(this.spawnIn(parent, effect, name, immediate, starting))
    )
  }

  closedError(name: string | undefined): TaskGroupClosed {
    return new TaskGroupClosed({ group: this.name, task: name ?? `task-${this.spawned + 1}` })
  }

  /**
   * Spawns into a group that has not ended. The task runs with `parent`'s context (the
   * group's own without one). An immediate task runs at once until its first
   * asynchronous step; a soon one is queued and started, in spawn order, once the
   * spawner yields, by one task on the spawner's dispatcher for the whole queue.
   */
  spawnIn<A, E>(
    parent: Fiber.Fiber<unknown, unknown> | undefined,
    effect: Effect.Effect<A, E, any>,
    name: string | undefined,
    immediate: boolean,
    starting?: Deferred.Deferred<any, any>
  ): TaskHandle<A, E> {
    const handle = new TaskHandle<A, E>(name ?? ++this.spawned)
    if (this.state === CLOSING) {
      const interrupted = Exit.interrupt(this.interruptor)
      handle.complete(interrupted)
      if (starting !== undefined) Deferred.doneUnsafe(starting, interrupted)
      return handle
    }
    this.pending++
    this.running.add(handle)
    if (starting !== undefined) handle.starting = starting
    const context = parent === undefined ? this.context : parent.context
    if (immediate || parent === undefined) {
      this.startTask(handle, effect, context)
    } else {
      handle.fiber = new QueuedStart(this, handle, effect, context)
      this.queue.push(handle.fiber as QueuedStart)
      if (!this.flushScheduled) {
        this.flushScheduled = true
        parent.currentDispatcher.scheduleTask(this.flush, 0)
      }
    }
    return handle
  }

  /** The queued starts, in spawn order, and whether a flush of them is scheduled. */
  queue: Array<QueuedStart> = []
  flushScheduled = false

  readonly flush = (): void => {
    this.flushScheduled = false
    const queue = this.queue
    this.queue = []
    for (let i = 0; i < queue.length; i++) {
      const start = queue[i]
      // A start cancelled, or interrupted by the group, meanwhile has ended already.
      if (!start.handle.ready) this.startTask(start.handle, start.effect, start.context)
    }
  }

  /** Starts a task's fiber (after a slot of `concurrency`, if any) and watches it. */
  startTask<A, E>(handle: TaskHandle<A, E>, effect: Effect.Effect<A, E, any>, context: Context.Context<never>): void {
    // An Exit is an effect that has already ended: no fiber to run it.
    if (this.semaphore === undefined && Exit.isExit(effect)) return this.taskEnded(handle, effect as Exit.Exit<A, E>)
    handle.fiber = firstSteps
    const task = this.semaphore === undefined ? effect : this.semaphore.withPermit(effect)
    const fiber = startNow<A, E>(context, task)
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) return this.taskEnded(handle, exit)
    this.adopt(handle, fiber)
    if (handle.cancelledBy !== undefined) fiber.interruptUnsafe(handle.cancelledBy)
  }

  // The public methods: a task's error type rides in the error channel of the effect
  // that spawned it, so that `TaskGroup.run` infers the union of every task's errors.

  spawn<A, E, R>(effect: Effect.Effect<A, E, R>, options?: TaskOptions): Effect.Effect<SoonValue<A, E>, E, R> {
    const problem =
      effectProblem("TaskGroup.spawn", "the task", effect) ?? taskOptionsProblem("TaskGroup.spawn", options)
    if (problem !== undefined) return Effect.die(illegalArgument(problem))
    return this.spawnTask(effect, options?.name, false)
  }

  soonify<Args extends ReadonlyArray<unknown>, A, E, R>(
    f: (...args: Args) => Effect.Effect<A, E, R>,
    options?: TaskOptions
  ): (...args: Args) => Effect.Effect<SoonValue<A, E>, E, R> {
    if (typeof f !== "function") {
      throw new TypeError(`TaskGroup.soonify: expected a function that returns an Effect, received ${describe(f)}`)
    }
    const problem = taskOptionsProblem("TaskGroup.soonify", options)
    if (problem !== undefined) throw new TypeError(problem)
    const name = options?.name ?? (f.name === "" ? undefined : f.name)
    // `f(...args)` only builds the task's effect: it is called when the spawn runs (an
    // effect already ended, such as `Effect.succeed(x)`, then needs no fiber at all); a
    // throw becomes the task's defect, as it would inside the task.
    return (...args) =>
      Effect.withFiber((parent) =>
        this.state === CLOSED
          ? Effect.die(this.closedError(name))
          : Effect.succeed(this.spawnIn(parent, callTask(f, args), name, false))
      )
  }

  start<S, A, E, R>(
    f: (started: (value: S) => Effect.Effect<void>) => Effect.Effect<A, E, R>,
    options?: TaskOptions
  ): Effect.Effect<readonly [S, SoonValue<A, E>], E, R> {
    const problem =
      typeof f === "function"
        ? taskOptionsProblem("TaskGroup.start", options)
        : `TaskGroup.start: expected a function of \`started\` that returns an Effect, received ${describe(f)}`
    if (problem !== undefined) return Effect.die(illegalArgument(problem))
    return Effect.uninterruptibleMask((restore) =>
      Effect.suspend(() => {
        const starting = Deferred.makeUnsafe<S, E>()
        let handle: TaskHandle<A, E> | undefined
        const started = (value: S): Effect.Effect<void> =>
          Effect.suspend(() => {
            if (!Deferred.doneUnsafe(starting, Exit.succeed(value))) {
              return Effect.die(
                new Error(`TaskGroup.start: started(value) was called twice by task "${handle?.name ?? "?"}"`)
              )
            }
            if (handle !== undefined) handle.starting = undefined
            return Effect.void
          })
        const task = Effect.suspend(() => asEffect(f, f(started)))
        // `starting` is attached to the handle before the task can run, so an end before
        // `started` goes to the caller of `start` whenever the scheduler lets the task run.
        return Effect.flatMap(
          this.spawnTask(task, options?.name ?? (f.name || undefined), false, starting),
          (spawned) => {
            handle = spawned
            return restore(Deferred.await(starting)).pipe(
              // Whoever waits for the start owns the task until it has started.
              Effect.onInterrupt(() => spawned.cancel),
              Effect.map((value) => [value, spawned] as const)
            )
          }
        )
      })
    )
  }

  /**
   * Spawns synchronously, outside any fiber: the task starts at once, with the
   * group's context, until its first asynchronous step. Throws `TaskGroupClosed` into
   * an ended group.
   */
  spawnNow<A, E>(effect: Effect.Effect<A, E, any>, name: string | undefined): TaskHandle<A, E> {
    if (this.state === CLOSED) throw this.closedError(name)
    return this.spawnIn(undefined, effect, name, true)
  }

  /**
   * Spawns a task that runs outside Effect (`TaskGroup.spawnExternalUnsafe`): `start`
   * runs at once, and the task stands where a fiber would (the group only calls its
   * `addObserver` and `interruptUnsafe`). With `concurrency`, a fiber waits for a slot
   * and then starts it.
   */
  spawnExternal<A, E>(start: () => ExternalTask<A, E>, name: string | undefined): TaskHandle<A, E> {
    // On a deep stack, the task starts soon, from a fresh stack (see callDepth.ts).
    if (isDeep()) return this.spawnNow(freshStackIfDeep(external(start)), name)
    if (this.semaphore !== undefined) return this.spawnNow(external(start), name)
    if (this.state === CLOSED) throw this.closedError(name)
    const handle = new TaskHandle<A, E>(name ?? ++this.spawned)
    if (this.state === CLOSING) {
      handle.complete(Exit.interrupt(this.interruptor))
      return handle
    }
    this.pending++
    this.running.add(handle)
    return this.adopt(handle, nested(() => startExternal(start)) as unknown as Fiber.Fiber<A, E>)
  }

  /** Cancels the whole group: interrupts body and tasks; the outcome is an interruption. */
  cancel(fiberId: number | undefined): void {
    if (this.state !== OPEN) return
    this.cancelled = Cause.interrupt(fiberId ?? this.interruptor)
    this.shutdown()
    // A group with no body running (a scoped or unowned one) is finished once its
    // tasks are: it cannot take new ones any more.
    if (!this.hasBody) this.endOwner()
  }

  adopt<A, E>(handle: TaskHandle<A, E>, fiber: Fiber.Fiber<A, E>): TaskHandle<A, E> {
    handle.fiber = fiber
    // Calls back at once for a task that already ended.
    fiber.addObserver((exit) => this.taskEnded(handle, exit))
    // The group may have begun shutting down while the task ran its first steps.
    if (this.state !== OPEN) fiber.interruptUnsafe(this.interruptor)
    return handle
  }

  // ---------------------------------------------------------------------------
  // endings
  // ---------------------------------------------------------------------------

  taskEnded<A, E>(handle: TaskHandle<A, E>, exit: Exit.Exit<A, E>): void {
    this.running.delete(handle)
    handle.fiber = undefined
    const starting = handle.starting
    if (starting !== undefined) {
      handle.starting = undefined
      // Ended before calling `started`: the outcome belongs to whoever called `start`,
      // not to the group.
      if (Deferred.doneUnsafe(starting, startFailure(handle, exit))) {
        nested(() => handle.complete(exit))
        return this.release()
      }
    }
    if (exit._tag === "Failure" && (this.mode === "failFast" || this.failedWhileStopped(exit.cause))) {
      this.fail(exit.cause)
    }
    // Whoever awaits the handle resumes inside this call: counted, see callDepth.ts.
    nested(() => handle.complete(exit))
    this.release()
  }

  adoptBody(fiber: Fiber.Fiber<unknown, unknown>): void {
    this.bodyFiber = fiber
    if (this.state !== OPEN) fiber.interruptUnsafe(this.interruptor)
    fiber.addObserver((exit) => this.bodyEnded(exit))
  }

  bodyEnded(exit: Exit.Exit<unknown, unknown>): void {
    this.bodyExit = exit
    this.bodyFiber = undefined
    if (exit._tag === "Failure") {
      // A body that interrupted itself (not through us) takes the group down with it.
      if (!this.fail(exit.cause) && this.state === OPEN) this.shutdown()
    }
    this.endOwner()
  }

  /** The body (or the owner of a scoped group) is done: the group may now end. */
  endOwner(): void {
    if (this.ownerEnded) return
    this.ownerEnded = true
    this.release()
  }

  release(): void {
    if (--this.pending === 0) {
      this.state = CLOSED
      nested(() => Deferred.doneUnsafe(this.done, Exit.void))
    }
  }

  /** Records the non-interrupt reasons of `cause`; if there are any, shuts down. */
  /**
   * In settle mode a task's own failure stays in its handle; but a failure raised while
   * the group was stopping the task (a finalizer that failed during the interruption)
   * belongs to the group's shutdown and is added to the group's failure.
   */
  failedWhileStopped(cause: Cause.Cause<unknown>): boolean {
    return this.state !== OPEN && Cause.hasInterrupts(cause) && !Cause.hasInterruptsOnly(cause)
  }

  fail(cause: Cause.Cause<unknown>): boolean {
    let failed = false
    for (const reason of cause.reasons) {
      if (reason._tag !== "Interrupt") {
        this.failures.push(reason)
        failed = true
      }
    }
    if (failed) this.shutdown()
    return failed
  }

  /** The interruption of a task the group stopped. */
  get interruption(): Cause.Cause<never> {
    return Cause.interrupt(this.interruptor)
  }

  /** Interrupts the body and every task; spawns from now on end interrupted. */
  shutdown(): void {
    if (this.state !== OPEN) return
    this.state = CLOSING
    // Stopping runs the listeners and interrupts suspended fibers, which run at once, down
    // to their own groups' shutdowns (or, for a Promise task, its AbortSignal's
    // listeners). On a deep stack it goes on from a fresh one (see callDepth.ts), counted
    // as pending so that the group cannot end before it is done.
    if (!isDeep()) return nested(() => this.stop())
    this.pending++
    onFreshStack(this.context, () => {
      this.stop()
      this.release()
    })
  }

  /** Runs the shutdown listeners, then interrupts the body and every task. */
  stop(): void {
    const listeners = this.shutdownListeners
    if (listeners !== undefined) {
      this.shutdownListeners = undefined
      for (const listener of listeners) listener()
    }
    this.bodyFiber?.interruptUnsafe(this.interruptor)
    // Interrupting a suspended fiber ends it at once, and its observer removes it from
    // `running` while we iterate: a Set allows that.
    for (const handle of this.running) handle.fiber?.interruptUnsafe(this.interruptor)
  }

  /** The cause the group fails with, or `undefined`. */
  failureCause(): Cause.Cause<unknown> | undefined {
    return this.failures.length === 0 ? undefined : Cause.fromReasons(this.failures)
  }

  /**
   * Waits for the group to end (interruptibly, through `restore`); if the wait is
   * interrupted, interrupts everything and waits again, uninterruptibly.
   */
  awaitEnd(
    restore: <X, XE, XR>(effect: Effect.Effect<X, XE, XR>) => Effect.Effect<X, XE, XR>
  ): Effect.Effect<unknown, unknown> {
    return Effect.flatMap(Effect.exit(restore(Deferred.await(this.done))), (waited) => {
      if (waited._tag === "Success") return freshStackIfDeep(this.outcome())
      return freshStackIfDeep(
        Effect.suspend(() => {
          this.shutdown()
          return Effect.flatMap(this.awaitDone, () =>
            Effect.failCause(Cause.fromReasons([...waited.cause.reasons, ...this.failures]))
          )
        })
      )
    })
  }

  /** The ended group's result: its failures, else the body's Exit. */
  outcome(): Effect.Effect<unknown, unknown> {
    const cause = this.failureCause()
    if (cause !== undefined) return Effect.failCause(cause)
    if (this.cancelled !== undefined) return Effect.failCause(this.cancelled)
    return this.bodyExit ?? Effect.void
  }

  /** `TaskGroup.join`: ends the owner's part, waits for the tasks, gives the outcome. */
  join(): Effect.Effect<void, unknown> {
    return Effect.suspend(() => {
      // Ending the owner's part from inside a body would let the group end (and `run`
      // return) while the body still runs.
      if (this.hasBody) {
        return Effect.die(
          illegalArgument(
            `TaskGroup.join: group "${this.name}" belongs to a TaskGroup.run block, which waits for ` +
              "its tasks when its body returns; join is for groups made with TaskGroup.make or makeUnsafe. " +
              "To wait for one task inside the block, use `yield* soon.await`."
          )
        )
      }
      this.endOwner()
      return Effect.flatMap(this.awaitDone, () => {
        this.reported = true
        return Effect.asVoid(this.outcome())
      })
    })
  }

  /**
   * The finalizer of a scoped group: waits for the tasks (after interrupting them if
   * the scope failed), then raises as defects the failures nobody joined.
   */
  closeOwned(exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (exit._tag === "Failure") this.shutdown()
      this.endOwner()
      return Effect.flatMap(this.awaitDone, () => {
        if (this.reported || this.failures.length === 0) return Effect.void
        this.reported = true
        return Effect.failCause(
          Cause.fromReasons(this.failures.map((r) => (r._tag === "Fail" ? Cause.makeDieReason(r.error) : r)))
        ) as Effect.Effect<never>
      })
    })
  }

  /**
   * Waits until the group has ended. The wait may end deep inside the call that ended
   * the last task: it goes on from a fresh stack then (see callDepth.ts).
   */
  get awaitDone(): Effect.Effect<void> {
    return Effect.flatMap(Deferred.await(this.done), () => freshStackIfDeep(Effect.void))
  }

  get isOpen(): boolean {
    return this.state === OPEN
  }

  get isClosed(): boolean {
    return this.state === CLOSED
  }

  pipe() {
    return pipeArguments(this, arguments)
  }

  toJSON(): unknown {
    return {
      _id: "TaskGroup",
      name: this.name,
      mode: this.mode,
      state: this.state === OPEN ? "open" : this.state === CLOSING ? "closing" : "closed",
      running: this.running.size
    }
  }

  toString(): string {
    return format(this.toJSON(), { ignoreToString: true, space: 2 })
  }

  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/** Checks that a user function gave an Effect, with a message that says what to do. */
const callTask = <Args extends ReadonlyArray<unknown>, A, E, R>(
  f: (...args: Args) => Effect.Effect<A, E, R>,
  args: Args
): Effect.Effect<A, E, R> => {
  try {
    return asEffect(f, f(...args))
  } catch (defect) {
    return Exit.die(defect)
  }
}

const asEffect = <A, E, R>(f: Function, result: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.isEffect(result)
    ? result
    : Effect.die(
        new TypeError(
          `TaskGroup: ${f.name || "the task function"} returned ${describe(result)}, not an Effect. ` +
            "Wrap Promise-returning functions with Effect.promise / Effect.tryPromise, " +
            "or use @soonify/interop for Promise code."
        )
      )

/**
 * A soon task waiting in the group's queue. It stands where the task's fiber will be, so
 * that cancelling the task, or the group shutting down, before it starts ends it
 * interrupted, and it never runs.
 */
class QueuedStart {
  readonly group: GroupImpl
  readonly handle: TaskHandle<any, any>
  readonly effect: Effect.Effect<any, any, any>
  readonly context: Context.Context<never>

  constructor(
    group: GroupImpl,
    handle: TaskHandle<any, any>,
    effect: Effect.Effect<any, any, any>,
    context: Context.Context<never>
  ) {
    this.group = group
    this.handle = handle
    this.effect = effect
    this.context = context
  }

  interruptUnsafe(fiberId?: number): void {
    if (!this.handle.ready) this.group.taskEnded(this.handle, Exit.interrupt(fiberId ?? this.group.interruptor))
  }
}

const startFailure = (handle: TaskHandle<any, any>, exit: Exit.Exit<unknown, unknown>): Exit.Exit<never, unknown> =>
  exit._tag === "Failure"
    ? (exit as Exit.Exit<never, unknown>)
    : Exit.die(
        new Error(
          `TaskGroup.start: task "${handle.name}" ended without calling started(value); ` +
            "call started once the task is ready, before it returns"
        )
      )
