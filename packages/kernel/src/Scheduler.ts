/**
 * The scheduler of one group: the permits of its `concurrency` and the queue of the
 * tasks waiting for one. Every task a group starts goes through one admission step
 * (`admit`); every permit given back goes to the next waiting task in the same turn
 * (`Group` calls `next` right after `release`). DESIGN §10's policies (partitions,
 * rate) belong here: `admit` and `next` are their seam.
 *
 * @since 0.1.0
 */
import type { Task } from "./Task.ts"

/** A waiting task in priority order: higher `priority` first, then spawn order (`order`). */
interface Ranked {
  readonly task: Task<any>
  readonly priority: number
  readonly order: number
}

const before = (a: Ranked, b: Ranked): boolean =>
  a.priority > b.priority || (a.priority === b.priority && a.order < b.order)

/**
 * Permits and the waiting queue, at a constant cost per task: a first-in first-out array
 * while every waiting task has priority 0, a binary heap once one has another priority
 * (nothing is allocated for priorities until then). A task cancelled while it waits
 * stays in the queue, passed over when its turn comes (its phase is no longer
 * `waiting`), so that leaving the queue costs nothing.
 *
 * **Example**
 *
 * ```ts
 * import { Scheduler, Task } from "@soonify/kernel"
 *
 * const scheduler = new Scheduler(1)
 * const [a, b] = [new Task("a"), new Task("b")]
 * scheduler.admit(a) // => true: a permit was free
 * scheduler.admit(b) // => false: b waits
 * b.phase = "waiting" // (what its group does)
 * scheduler.release()
 * scheduler.next() === b // => true
 * ```
 *
 * @since 0.1.0
 * @category scheduling
 */
export class Scheduler {
  /** How many tasks may hold a permit at once (`Infinity`: no limit). */
  limit: number
  /** How many tasks hold a permit: started and not ended. */
  active: number
  /** Tasks still waiting (cancelled ones are not counted). */
  private waiting = 0
  private fifo: Array<Task<any>> = []
  private head = 0
  private heap: Array<Ranked> | undefined = undefined
  private order = 0

  /** `active`: the tasks of the group running already (a scheduler made by `setConcurrency`). */
  constructor(limit: number, active = 0) {
    this.limit = limit
    this.active = active
  }

  /** How many tasks wait for a permit. */
  get waitingCount(): number {
    return this.waiting
  }

  /**
   * How the waiting tasks are ordered: `"spawn"` (first in, first out) until a task with
   * another priority than 0 waits, `"priority"` from then on.
   */
  get ordering(): "spawn" | "priority" {
    return this.heap === undefined ? "spawn" : "priority"
  }

  /**
   * How many entries the queue holds: the waiting tasks, the cancelled ones not yet passed
   * over, and (first in, first out) up to 1024 or half of them already started, which it
   * drops now and then. Its memory: none whenever no task waits.
   */
  get retained(): number {
    return this.fifo.length + (this.heap?.length ?? 0)
  }

  /**
   * The admission step: takes a permit for `task` (`true`: start it now) unless none is
   * free or a task that waits has its turn first (`false`: it is queued, its group marks
   * it `waiting`).
   */
  admit(task: Task<any>): boolean {
    if (this.waiting === 0 && this.active < this.limit) {
      this.active++
      return true
    }
    this.waiting++
    const priority = task.options.priority ?? 0
    if (this.heap === undefined && priority !== 0) this.toHeap()
    if (this.heap === undefined) this.fifo.push(task)
    else this.push({ task, priority, order: this.order++ })
    return false
  }

  /** A task that held a permit has ended: its permit is free (`next` hands it on). */
  release(): void {
    this.active--
  }

  /** A waiting task was cancelled: it no longer counts (it is passed over in the queue). */
  left(): void {
    if (--this.waiting === 0) this.clear()
  }

  /** The next waiting task whose turn has come, with its permit taken; `undefined` when none may start. */
  next(): Task<any> | undefined {
    while (this.waiting > 0 && this.active < this.limit) {
      const task = this.heap === undefined ? this.fifo[this.head++] : this.pop()
      if (task.phase !== "waiting") continue
      this.waiting--
      this.active++
      if (this.waiting === 0) this.clear()
      else if (this.head > 1024 && this.head * 2 > this.fifo.length) this.compact()
      return task
    }
    return undefined
  }

  private clear(): void {
    this.fifo = []
    this.head = 0
    if (this.heap !== undefined) this.heap = []
  }

  /** Drops the passed prefix of the first-in first-out array, so that it does not grow for ever. */
  private compact(): void {
    this.fifo = this.fifo.slice(this.head)
    this.head = 0
  }

  /** The first waiting task with another priority than 0: the queue becomes a heap, keeping the order so far. */
  private toHeap(): void {
    const heap: Array<Ranked> = []
    this.heap = heap
    for (let i = this.head; i < this.fifo.length; i++) {
      const task = this.fifo[i]
      if (task.phase === "waiting") heap.push({ task, priority: task.options.priority ?? 0, order: this.order++ })
    }
    this.fifo = []
    this.head = 0
    // Every entry so far has priority 0 and increasing order: already a heap.
  }

  private push(entry: Ranked): void {
    const heap = this.heap!
    let at = heap.push(entry) - 1
    while (at > 0) {
      const parent = (at - 1) >> 1
      if (!before(entry, heap[parent])) break
      heap[at] = heap[parent]
      at = parent
    }
    heap[at] = entry
  }

  private pop(): Task<any> {
    const heap = this.heap!
    const top = heap[0]
    const last = heap.pop()!
    if (heap.length > 0) {
      let at = 0
      for (;;) {
        const left = 2 * at + 1
        if (left >= heap.length) break
        const right = left + 1
        const child = right < heap.length && before(heap[right], heap[left]) ? right : left
        if (!before(heap[child], last)) break
        heap[at] = heap[child]
        at = child
      }
      heap[at] = last
    }
    return top.task
  }
}
