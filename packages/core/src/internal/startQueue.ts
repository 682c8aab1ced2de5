import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import type { Interruptible } from "./runner.ts"

/**
 * A soon task waiting in its group's queue. It stands where the task's runner will be, so
 * that cancelling the task, or the group shutting down, before it starts ends it
 * interrupted, and it never runs.
 *
 * @internal
 */
export class QueuedStart implements Interruptible {
  readonly group: GroupImpl
  readonly handle: TaskHandle<any, any>
  readonly effect: Effect.Effect<any, any, any>
  readonly context: Context.Context<never>
  /** Whether it waits in the group's `Permits` for its turn (after leaving this queue). */
  waitingForPermit = false

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

/**
 * The soon starts of one group (trio's `start_soon`): queued in spawn order and started,
 * once the spawner yields, by one task on the spawner's dispatcher for the whole queue.
 *
 * @internal
 */
export class StartQueue {
  private queue: Array<QueuedStart> = []
  private flushScheduled = false
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
    const start = new QueuedStart(this.group, handle, effect, spawner.context)
    this.queue.push(start)
    if (!this.flushScheduled) {
      this.flushScheduled = true
      spawner.currentDispatcher.scheduleTask(this.flush, 0)
    }
    return start
  }

  private readonly flush = (): void => {
    this.flushScheduled = false
    const queue = this.queue
    this.queue = []
    for (let i = 0; i < queue.length; i++) {
      const start = queue[i]
      // A start cancelled, or interrupted by the group, meanwhile has ended already.
      if (!start.handle.ready) this.group.startTask(start.handle, start.effect, start.context, start)
    }
  }
}
