import type * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type { AsyncContext } from "./asyncContext.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import type { Interruptible, Launch } from "./runner.ts"

/**
 * A task waiting for a permit of its group's `concurrency`. It stands where the task's
 * runner will be, so that cancelling the task, or the group shutting down, before it
 * starts ends it interrupted, and it never runs.
 *
 * @internal
 */
export class QueuedStart implements Interruptible {
  readonly group: GroupImpl
  readonly handle: TaskHandle<any, any>
  /** The task's effect, or `undefined` for a task run outside Effect (`external`). */
  readonly effect: Effect.Effect<any, any, any> | undefined
  /** The start function of a task run outside Effect. */
  readonly external: Launch<any, any> | undefined
  readonly context: Context.Context<never>
  /** Whether it still waits in the group's `Permits` for its turn. */
  waitingForPermit = false
  /** While it waits for a permit: the async context it was queued in, which it starts in. */
  asyncContext: AsyncContext | undefined = undefined

  constructor(
    group: GroupImpl,
    handle: TaskHandle<any, any>,
    effect: Effect.Effect<any, any, any> | undefined,
    external: Launch<any, any> | undefined,
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
 * A queued start is three entries of one array (handle, effect, context), not an object:
 * a body that spawns a million tasks before it yields keeps them all alive until the
 * flush. Until then the queue itself stands in each handle (`handle.runner === queue`),
 * so that cancelling the task (`cancel`), or the group shutting down (`interruptAll`),
 * ends it interrupted, and it never runs.
 *
 * @internal
 */
export class StartQueue implements Interruptible {
  private queue: Array<unknown> = []
  private flushScheduled = false
  /** The entries that the flush under way takes from the queue. */
  private flushing: Array<unknown> | undefined = undefined
  private readonly group: GroupImpl

  constructor(group: GroupImpl) {
    this.group = group
  }

  /** Queues a start of `handle`'s task; the first start queued schedules the flush. */
  push(
    handle: TaskHandle<any, any>,
    effect: Effect.Effect<any, any, any>,
    spawner: Fiber.Fiber<unknown, unknown>
  ): void {
    handle.runner = this
    this.queue.push(handle, effect, spawner.context)
    if (!this.flushScheduled) {
      this.flushScheduled = true
      spawner.currentDispatcher.scheduleTask(this.flush, 0)
    }
  }

  /** Cancels one queued start: its task ends interrupted (by `fiberId`) and never runs. */
  cancel(handle: TaskHandle<any, any>, fiberId: number | undefined): void {
    if (handle.runner === this) this.group.taskEnded(handle, Exit.interrupt(fiberId ?? this.group.interruptor))
  }

  /** What the group's shutdown reaches the queued starts with: `interruptAll` does it, for every one. */
  interruptUnsafe(): void {}

  /** Ends every start still queued interrupted: its group is shutting down. */
  interruptAll(fiberId: number): void {
    // Those of a flush under way too: a task it started may have made the group fail.
    const flushing = this.flushing
    if (flushing !== undefined) this.cancelEach(flushing, fiberId)
    this.cancelEach(this.queue, fiberId)
  }

  private cancelEach(entries: Array<unknown>, fiberId: number): void {
    for (let i = 0; i < entries.length; i += 3) this.cancel(entries[i] as TaskHandle<any, any>, fiberId)
  }

  private readonly flush = (): void => {
    this.flushScheduled = false
    const queue = this.queue
    this.queue = []
    this.flushing = queue
    try {
      for (let i = 0; i < queue.length; i += 3) {
        const handle = queue[i] as TaskHandle<any, any>
        // A start cancelled, or interrupted by the group, meanwhile has ended already.
        if (handle.runner === this) {
          this.group.launcher.startTask(
            handle,
            queue[i + 1] as Effect.Effect<any, any, any>,
            queue[i + 2] as Context.Context<never>
          )
        }
      }
    } finally {
      this.flushing = undefined
    }
  }
}
