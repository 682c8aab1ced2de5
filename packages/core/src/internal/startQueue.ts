import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type { AsyncContext } from "./asyncContext.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import type { Interruptible, Runner } from "./runner.ts"

/**
 * A task waiting to start: in its group's queue of soon starts, or for a permit of its
 * group's `concurrency` (or one, then the other). It stands where the task's runner will
 * be, so that cancelling the task, or the group shutting down, before it starts ends it
 * interrupted, and it never runs.
 *
 * @internal
 */
export class QueuedStart implements Interruptible {
  readonly group: GroupImpl
  readonly handle: TaskHandle<any, any>
  /** The task's effect, or `undefined` for a task run outside Effect (`external`). */
  readonly effect: Effect.Effect<any, any, any> | undefined
  /** The start function of a task run outside Effect. */
  readonly external: (() => Runner<any, any>) | undefined
  readonly context: Context.Context<never>
  /** Whether it waits in the group's `Permits` for its turn (after leaving the soon queue). */
  waitingForPermit = false
  /** While it waits for a permit: the async context it was queued in, which it starts in. */
  asyncContext: AsyncContext | undefined = undefined

  constructor(
    group: GroupImpl,
    handle: TaskHandle<any, any>,
    effect: Effect.Effect<any, any, any> | undefined,
    external: (() => Runner<any, any>) | undefined,
    context: Context.Context<never>
  ) {
    this.group = group
    this.handle = handle
    this.effect = effect
    this.external = external
    this.context = context
  }

  interruptUnsafe(fiberId?: number): void {
    // Only while it still stands for the task: once started, the task's runner does.
    if (this.handle.runner === this)
      this.group.taskEnded(this.handle, Exit.interrupt(fiberId ?? this.group.interruptor))
  }
}

/**
 * The soon starts of one group (trio's `start_soon`): queued in spawn order and started,
 * once the spawner yields, by one task on the spawner's dispatcher for the whole queue.
 *
 * @internal
 */
export class StartQueue {
  private queue: Array<QueuedStart> = []
  private flushScheduled = false
  /** The starts that the flush under way takes from the queue. */
  private flushing: Array<QueuedStart> | undefined = undefined
  private readonly group: GroupImpl

  constructor(group: GroupImpl) {
    this.group = group
  }

  /** Queues a start of `handle`'s task; the first start queued schedules the flush. */
  push(
    handle: TaskHandle<any, any>,
    effect: Effect.Effect<any, any, any>,
    spawner: Fiber.Fiber<unknown, unknown>
  ): QueuedStart {
    const start = new QueuedStart(this.group, handle, effect, undefined, spawner.context)
    this.queue.push(start)
    if (!this.flushScheduled) {
      this.flushScheduled = true
      spawner.currentDispatcher.scheduleTask(this.flush, 0)
    }
    return start
  }

  /** Ends every start still queued interrupted: its group is shutting down. */
  interruptAll(fiberId: number): void {
    // Those of a flush under way too: a task it started may have made the group fail.
    const flushing = this.flushing
    if (flushing !== undefined) for (let i = 0; i < flushing.length; i++) flushing[i].interruptUnsafe(fiberId)
    const queue = this.queue
    for (let i = 0; i < queue.length; i++) queue[i].interruptUnsafe(fiberId)
  }

  private readonly flush = (): void => {
    this.flushScheduled = false
    const queue = this.queue
    this.queue = []
    this.flushing = queue
    try {
      for (let i = 0; i < queue.length; i++) {
        const start = queue[i]
        // A start cancelled, or interrupted by the group, meanwhile has ended already.
        if (!start.handle.ready) this.group.startTask(start.handle, start.effect!, start.context, start)
      }
    } finally {
      this.flushing = undefined
    }
  }
}
