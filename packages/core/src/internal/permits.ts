import * as Context from "effect/Context"
import * as Fiber from "effect/Fiber"
import * as Scheduler from "effect/Scheduler"
import { captureAsyncContext } from "./asyncContext.ts"
import type { Interruptible } from "./runner.ts"
import { QueuedStart, StartQueue } from "./startQueue.ts"

/**
 * The permits behind `concurrency`: a first-in first-out queue of tasks waiting for one
 * of a fixed number of permits, with what Effect's `Semaphore` promises (a task that
 * waits keeps its turn, even against a newcomer that finds a permit free; freed permits
 * reach the waiters soon, on the releasing task's dispatcher, once what runs now has
 * run) at a constant cost per task.
 *
 * A task waiting for its turn is the record of its start (`QueuedStart`, which also
 * stands in its handle until then), not a fiber: it gets one only once it has a permit.
 * Effect's `Semaphore` scans every waiter on each take and each release, and a waiting
 * fiber costs a kilobyte or more.
 *
 * @internal
 */
export class Permits {
  private free: number
  /** Starts in arrival order from `head` on; those that gave up stay, marked, until passed. */
  private queue: Array<QueuedStart> = []
  private head = 0
  /** Queued starts that still wait. */
  private waiting = 0
  private wakeScheduled = false
  /** The group's context, whose scheduler hands permits on when no task's fiber has yet. */
  private readonly context: Context.Context<never>
  /** Where freed permits are handed on: the dispatcher of the last task's fiber that ended. */
  private dispatcher: Scheduler.SchedulerDispatcher | undefined = undefined
  /** Starts a task whose turn came, with its permit. */
  private readonly startWithPermit: (start: QueuedStart) => void

  constructor(permits: number, context: Context.Context<never>, startWithPermit: (start: QueuedStart) => void) {
    this.free = permits
    this.context = context
    this.startWithPermit = startWithPermit
  }

  /** Takes a free permit, unless a task that waits has its turn first. */
  tryTake(): boolean {
    if (this.free > 0 && this.waiting === 0) {
      this.free--
      return true
    }
    return false
  }

  /** Queues `start` until a permit is free for it. */
  enqueue(start: QueuedStart): void {
    start.waitingForPermit = true
    start.asyncContext = captureAsyncContext()
    this.queue.push(start)
    this.waiting++
  }

  /**
   * A task of the group ended, `runner` standing for it until then (and `fiber`, when it
   * ended in its first steps): it gives its permit back, or its turn if it never had one.
   */
  taskEnded(runner: Interruptible | undefined, fiber: Fiber.Fiber<unknown, unknown> | undefined): void {
    if (runner instanceof QueuedStart) {
      if (runner.waitingForPermit) this.gaveUp(runner)
      return
    }
    // Ended still in the queue of soon starts: it never asked for a permit.
    if (runner instanceof StartQueue) return
    if (fiber !== undefined) this.dispatcher = fiber.currentDispatcher
    else if (Fiber.isFiber(runner)) this.dispatcher = runner.currentDispatcher
    this.release((this.dispatcher ??= Context.get(this.context, Scheduler.Scheduler).makeDispatcher()))
  }

  /** A queued start ended before its turn (cancelled, or stopped by its group): it gives its turn up. */
  private gaveUp(start: QueuedStart): void {
    start.waitingForPermit = false
    start.asyncContext?.emitDestroy()
    start.asyncContext = undefined
    if (--this.waiting === 0) this.clear()
  }

  /** Ends every start still waiting interrupted: its group is shutting down. */
  interruptAll(fiberId: number): void {
    // Each one gives its turn up as it ends, which may drop `queue`: iterate what it was.
    const queue = this.queue
    for (let i = this.head; i < queue.length; i++) if (queue[i].waitingForPermit) queue[i].interruptUnsafe(fiberId)
  }

  /** Gives a permit back; the next waiter gets it soon, on `dispatcher`. */
  private release(dispatcher: Scheduler.SchedulerDispatcher): void {
    this.free++
    if (this.waiting === 0 || this.wakeScheduled) return
    this.wakeScheduled = true
    dispatcher.scheduleTask(this.wake, 0)
  }

  /** Gives the free permits to the first waiters. */
  private readonly wake = (): void => {
    this.wakeScheduled = false
    while (this.free > 0 && this.waiting > 0) {
      const start = this.queue[this.head++]
      if (!start.waitingForPermit) continue
      start.waitingForPermit = false
      this.waiting--
      this.free--
      // It may end at once and give its permit back, which the loop then hands on.
      const asyncContext = start.asyncContext
      if (asyncContext === undefined) this.startWithPermit(start)
      else {
        start.asyncContext = undefined
        try {
          asyncContext.runInAsyncScope(this.startWithPermit, undefined, start)
        } finally {
          asyncContext.emitDestroy()
        }
      }
    }
    // Drop the consumed prefix now and then, so the array does not grow forever.
    if (this.waiting === 0) this.clear()
    else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
  }

  private clear(): void {
    this.queue = []
    this.head = 0
  }
}
