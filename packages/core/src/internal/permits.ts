import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"

interface Waiter {
  /** Cleared once the waiter got its permit or gave up waiting. */
  resume: ((effect: Effect.Effect<void>) => void) | undefined
}

/**
 * The permits behind `concurrency`: a first-in first-out semaphore of single permits,
 * with what Effect's `Semaphore` promises (a task that waits keeps its turn, even against
 * a newcomer that finds a permit free; freed permits reach the waiters soon, on the
 * releasing fiber's dispatcher, once what runs now has run) at a constant cost per task.
 * Effect's `Semaphore` scans every waiter on each take and each release, so a group of a
 * hundred thousand tasks limited to a few at a time took minutes.
 *
 * @internal
 */
export class Permits {
  free: number
  /** Waiters in arrival order from `head` on; those that gave up are cleared in place. */
  waiters: Array<Waiter> = []
  head = 0
  /** Waiters that still wait. */
  waiting = 0
  wakeScheduled = false

  constructor(permits: number) {
    this.free = permits
  }

  /** Runs `effect` with one permit, waiting for it (interruptibly) in turn. */
  withPermit<A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(restore(this.take), () =>
        Effect.onExit(restore(effect), () => Effect.withFiber((fiber) => Effect.sync(() => this.release(fiber))))
      )
    )
  }

  readonly take: Effect.Effect<void> = Effect.callback<void>((resume) => {
    if (this.free > 0 && this.waiting === 0) {
      this.free--
      return resume(Effect.void)
    }
    const waiter: Waiter = { resume }
    this.waiters.push(waiter)
    this.waiting++
    return Effect.sync(() => {
      // Interrupted while waiting: give the turn up.
      if (waiter.resume !== undefined) {
        waiter.resume = undefined
        if (--this.waiting === 0) this.clear()
      }
    })
  })

  release(fiber: Fiber.Fiber<unknown, unknown>): void {
    this.free++
    if (this.waiting === 0 || this.wakeScheduled) return
    this.wakeScheduled = true
    fiber.currentDispatcher.scheduleTask(this.wake, 0)
  }

  /** Gives the free permits to the first waiters. */
  readonly wake = (): void => {
    this.wakeScheduled = false
    while (this.free > 0 && this.waiting > 0) {
      const waiter = this.waiters[this.head++]
      const resume = waiter.resume
      if (resume === undefined) continue
      waiter.resume = undefined
      this.waiting--
      this.free--
      resume(Effect.void)
    }
    // Drop the consumed prefix now and then, so the array does not grow forever.
    if (this.waiting === 0) this.clear()
    else if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.head)
      this.head = 0
    }
  }

  clear(): void {
    this.waiters = []
    this.head = 0
  }
}
