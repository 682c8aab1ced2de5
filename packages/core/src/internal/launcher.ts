import type * as Context from "effect/Context"
import type * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"
import { enter, type Fork, freshStackIfDeep, isDeep, leave, startNow } from "./callDepth.ts"
import { fromDriver, type Spawner, within } from "./currentTask.ts"
import { isExit } from "./effectKind.ts"
import { external, launch } from "./external.ts"
import type { GroupImpl } from "./group.ts"
import { firstSteps, type TaskHandle } from "./handle.ts"
import type { Launch, Runner } from "./runner.ts"
import { GroupSpans } from "./spans.ts"
import { QueuedStart } from "./startQueue.ts"

/**
 * How one group's tasks start: the three spawn entry points, the permit of `concurrency`
 * each task takes (or waits for, as a `QueuedStart` in the group's `Permits`), and the
 * fiber (or the start function of a task run outside Effect) that runs it.
 *
 * The group lets each task in (`GroupImpl.admit`) and watches it once it runs
 * (`GroupImpl.adopt`); what this class owns is only how a task gets from one to the
 * other: the fork function kept for the spawners' context, and how many of the group's
 * fibers run their first steps on the stack now.
 *
 * @internal
 */
export class Launcher {
  private readonly group: GroupImpl
  private forkContext: Context.Context<never> | undefined = undefined
  private fork: Fork | undefined = undefined
  /** How many of the group's fibers are running their first steps on the stack now. */
  private firstStepsDepth = 0

  constructor(group: GroupImpl) {
    this.group = group
  }

  /** Whether one of the group's fibers is running its first steps now (see `GroupImpl.isInside`). */
  get inFirstSteps(): boolean {
    return this.firstStepsDepth > 0
  }

  /** Spawns a task that starts soon, in spawn order, once `parent` (the spawner) yields. */
  spawnSoon<A, E>(
    parent: Fiber.Fiber<unknown, unknown>,
    effect: Effect.Effect<A, E, any>,
    name: string | undefined,
    starting?: Deferred.Deferred<any, any>
  ): Effect.Effect<TaskHandle<A, E>> {
    const handle = this.group.admit<A, E>(name, parent, starting)
    if (handle === undefined) return Effect.die(this.group.closedError(name))
    if (!handle.ready) this.group.queue.push(handle, effect, parent)
    return Effect.succeed(handle)
  }

  /**
   * Spawns a task that runs at once until its first asynchronous step, with the context
   * of `parent` (else the group's); throws when closed (to `spawner`, see `GroupImpl.admit`).
   */
  spawnNow<A, E>(
    parent: Fiber.Fiber<unknown, unknown> | undefined,
    effect: Effect.Effect<A, E, any>,
    name: string | undefined,
    starting?: Deferred.Deferred<any, any>,
    spawner: Spawner = parent
  ): TaskHandle<A, E> {
    const handle = this.group.admit<A, E>(name, spawner, starting)
    if (handle === undefined) throw this.group.closedError(name)
    if (!handle.ready) this.startTask(handle, effect, parent === undefined ? this.group.context : parent.context)
    return handle
  }

  /** Spawns a task run outside Effect: `run` is called at once, or once it has a permit, or from a fresh stack. */
  spawnExternal<A, E>(
    run: Launch<A, E>,
    name: string | undefined,
    starting?: Deferred.Deferred<any, any>
  ): TaskHandle<A, E> {
    if (isDeep()) return this.spawnNow(undefined, freshStackIfDeep(external(run)), name, starting, fromDriver)
    const handle = this.group.admit<A, E>(name, fromDriver, starting)
    if (handle === undefined) throw this.group.closedError(name)
    if (handle.ready) return handle
    this.group.observed.launched(handle, this.group.context)
    const permits = this.group.permits
    if (permits === undefined || permits.tryTake()) this.runExternal(handle, run)
    else this.waitForPermit(handle, new QueuedStart(this.group, handle, undefined, run, this.group.context))
    return handle
  }

  /** Starts a task now, or, when every permit of `concurrency` is taken, queues it in the permits until its turn. */
  startTask<A, E>(handle: TaskHandle<A, E>, effect: Effect.Effect<A, E, any>, context: Context.Context<never>): void {
    this.group.observed.launched(handle, context)
    const permits = this.group.permits
    if (permits === undefined || permits.tryTake()) return this.runTask(handle, effect, context)
    this.waitForPermit(handle, new QueuedStart(this.group, handle, effect, undefined, context))
  }

  /** What `Permits` calls when a queued start's turn has come. */
  readonly startWithPermit = (start: QueuedStart): void =>
    start.effect === undefined
      ? this.runExternal(start.handle, start.external!)
      : this.runTask(start.handle, start.effect, start.context)

  /** Starts one of the group's fibers, counting its first steps (see `inFirstSteps`). */
  startFiber<A, E>(context: Context.Context<never>, effect: Effect.Effect<A, E, any>): Fiber.Fiber<A, E> {
    this.firstStepsDepth++
    try {
      return startNow(this.forkWith(context), effect)
    } finally {
      this.firstStepsDepth--
    }
  }

  private waitForPermit(handle: TaskHandle<any, any>, start: QueuedStart): void {
    handle.runner = start
    this.group.permits!.enqueue(start)
  }

  /** Calls the start function of a task run outside Effect (which holds its permit, if any), and watches it. */
  private runExternal<A, E>(handle: TaskHandle<A, E>, run: Launch<A, E>): void {
    // Nothing stands for the task while `run` runs: a cancel then has nothing to stop yet.
    handle.runner = undefined
    this.group.observed.started(handle)
    // One more level of group work while `run` runs (see callDepth.ts), without a closure.
    enter()
    let runner: Runner<A, E>
    try {
      runner = launch(run, handle)
    } finally {
      leave()
    }
    this.group.adopt(handle, runner)
  }

  /**
   * Runs a task (which holds its permit, if any) in a fiber of its own, and watches it. It
   * is started now: a task that waited for its permit is no longer "queued" in snapshots.
   */
  private runTask<A, E>(handle: TaskHandle<A, E>, effect: Effect.Effect<A, E, any>, context: Context.Context<never>) {
    handle.runner = firstSteps
    this.group.observed.started(handle)
    // An Exit is an effect that has already ended: no fiber to run it.
    if (isExit(effect)) return this.group.taskEnded(handle, effect)
    // The task's fiber, and every fiber it forks, runs under the task (currentTask.ts).
    const tracked = within(context, handle)
    const fiber = this.startFiber(handle.span === undefined ? tracked : GroupSpans.within(tracked, handle.span), effect)
    const exit = fiber.pollUnsafe()
    if (exit !== undefined) return this.group.taskEnded(handle, exit, fiber)
    this.group.adopt(handle, fiber)
    if (handle.cancelledBy !== undefined) {
      fiber.interruptUnsafe(handle.cancelledBy)
      this.group.watchStuck()
    }
  }

  /** `Effect.runForkWith(context)`, kept for the next task: a group's tasks mostly share their spawner's context. */
  private forkWith(context: Context.Context<never>): Fork {
    if (context !== this.forkContext) {
      this.forkContext = context
      this.fork = Effect.runForkWith(context)
    }
    return this.fork!
  }
}
