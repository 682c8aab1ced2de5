/**
 * The scheduler of one group: the one place that decides when a task may start (DESIGN
 * §10). Concurrency, priority, partitions and rate windows compose in one admission step
 * (`admit`, then `next` for every task that had to wait); the group only launches what it
 * is given, and arms the one timer a rate window needs (`due`, `tick`).
 *
 * @since 0.1.0
 */
import type { Task } from "./Task.ts"

/**
 * A rate limit: at most `limit` task starts in any window of `interval` milliseconds (a
 * sliding window: the start `limit + 1` places after another comes `interval` ms after it
 * at the earliest).
 *
 * @since 0.2.0
 * @category scheduling
 */
export interface Rate {
  /** Starts allowed in one window: a positive integer. */
  readonly limit: number
  /** The window's length in milliseconds (> 0). */
  readonly interval: number
}

/**
 * Limits per partition value (the group option `partitions`): at most `concurrency`
 * running tasks, and at most `rate` starts, for each value of the spawn option
 * `partition`, on top of the group's own limits.
 *
 * @since 0.2.0
 * @category scheduling
 */
export interface PartitionLimits {
  /** Running tasks per partition value; default (and `Infinity`): no limit. */
  readonly concurrency?: number | undefined
  /** Starts per partition value; default: no limit. */
  readonly rate?: Rate | undefined
}

/**
 * Why a task waits (snapshots' `waiting`): for a permit of the group's `concurrency`, for
 * room in its partition (its `partitions.concurrency`), or for a rate window (the
 * group's `rate` or its partition's).
 *
 * @since 0.2.0
 * @category scheduling
 */
export type WaitingReason = "permit" | "partition" | "rate"

/** What the scheduler reads the time from (a group's runtime), only when a rate is set. */
export interface Clock {
  now(): number
}

/** A waiting task in priority order: higher `priority` first, then spawn order (`order`). */
interface Ranked {
  readonly task: Task<any>
  readonly priority: number
  readonly order: number
}

const before = (a: Ranked, b: Ranked): boolean =>
  a.priority > b.priority || (a.priority === b.priority && a.order < b.order)

const earlier = (a: Partition, b: Partition): boolean => a.due < b.due

/** Adds `entry` to the binary heap `heap` ordered by `first`. */
const heapPush = <A>(heap: Array<A>, entry: A, first: (a: A, b: A) => boolean): void => {
  let at = heap.push(entry) - 1
  while (at > 0) {
    const parent = (at - 1) >> 1
    if (!first(entry, heap[parent])) break
    heap[at] = heap[parent]
    at = parent
  }
  heap[at] = entry
}

/** Takes the first entry out of the non-empty binary heap `heap` ordered by `first`. */
const heapPop = <A>(heap: Array<A>, first: (a: A, b: A) => boolean): A => {
  const top = heap[0]
  const last = heap.pop()!
  if (heap.length > 0) {
    let at = 0
    for (;;) {
      const left = 2 * at + 1
      if (left >= heap.length) break
      const right = left + 1
      const child = right < heap.length && first(heap[right], heap[left]) ? right : left
      if (!first(heap[child], last)) break
      heap[at] = heap[child]
      at = child
    }
    heap[at] = last
  }
  return top
}

/** The first entry of a heap of waiting tasks whose task still waits, the others dropped on the way. */
const live = (heap: Array<Ranked>): Ranked | undefined => {
  while (heap.length > 0 && heap[0].task.phase !== "waiting") heapPop(heap, before)
  return heap[0]
}

/**
 * A limit on running tasks (`limit`, `active`) and, with a rate, a strict sliding window:
 * the times of the last `rate.limit` starts, in a ring. The group's own scheduler is one,
 * and so is each partition value's state.
 */
class Gate {
  /** How many tasks may hold a permit at once (`Infinity`: no limit). */
  declare limit: number
  /** How many tasks hold a permit: started and not ended. */
  declare active: number
  declare readonly rate: Rate | undefined
  /** The last starts' times (with a rate), the oldest at `at` once there are `rate.limit` of them. */
  private times: Array<number> | undefined
  #at = 0
  /** The time from which the window holds no start. */
  emptyAt = -Infinity

  constructor(limit: number, active: number, rate: Rate | undefined) {
    this.limit = limit
    this.active = active
    this.rate = rate
  }

  /** The time from which the rate lets one more task start (`-Infinity`: now). */
  freeAt(): number {
    const times = this.times
    return times === undefined || times.length < this.rate!.limit ? -Infinity : times[this.#at] + this.rate!.interval
  }

  /** Whether one more task may start at `now`: a permit, and room in the window. */
  opens(now: number): boolean {
    return this.active < this.limit && this.freeAt() <= now
  }

  /** A task starts at `now`: it takes a permit and a place in the window. */
  take(now: number): void {
    this.active++
    const rate = this.rate
    if (rate === undefined) return
    const times = (this.times ??= [])
    this.emptyAt = now + rate.interval
    if (times.length < rate.limit) times.push(now)
    else {
      times[this.#at] = now
      this.#at = (this.#at + 1) % rate.limit
    }
  }
}

/** One partition value's state: made when a task of it comes, dropped once it is idle and its window empty. */
class Partition extends Gate {
  declare readonly key: string
  /** Its tasks waiting, wherever (cancelled ones not counted). */
  queued = 0
  /** Its waiting tasks known to be held back by the partition, in priority order. */
  parked: Array<Ranked> = []
  /** Whether it is in the scheduler's `watched` heap, and for when. */
  watched = false
  due = 0

  constructor(key: string, limits: PartitionLimits) {
    super(limits.concurrency ?? Infinity, 0, limits.rate)
    this.key = key
  }
}

/**
 * The flow-control settings of a scheduler (the group options `rate` and `partitions`),
 * and the clock its rate windows read.
 *
 * @since 0.2.0
 * @category scheduling
 */
export interface Flow {
  readonly rate?: Rate | undefined
  readonly partitions?: PartitionLimits | undefined
  readonly clock: Clock
}

/**
 * The admission step of one group (DESIGN §10), at a constant cost per task when only
 * `concurrency` is used: a first-in first-out array while every waiting task has
 * priority 0, a binary heap once one has another priority (nothing is allocated for
 * priorities until then). A task cancelled while it waits stays in the queue, passed over
 * when its turn comes (its phase is no longer `waiting`), so that leaving costs nothing.
 *
 * **Details**
 *
 * With a `rate` or `partitions` (a {@link Flow}), the waiting tasks are in a heap by
 * priority then spawn order, and each partition value has its own: a task its partition
 * holds back (full, or its window full) waits there, so that it never holds back the
 * tasks of other partitions; when its partition has room again, its first task goes back
 * to the group's heap, in its place. A task starts when the group has a permit, the
 * group's window has room, and so have its partition's limits. `due` says when a rate
 * window will have room for a task that waits for one (the group arms one timer for it),
 * `tick` hands that room on. Every partition value has its state only while it has
 * tasks, or starts in its window.
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
 * scheduler.release(a)
 * scheduler.next() === b // => true
 * ```
 *
 * Two tasks per host and five starts per second per host, at most four at once in all:
 *
 * ```ts
 * import { Scheduler, Task } from "@soonify/kernel"
 *
 * const clock = { now: () => 0 }
 * const scheduler = new Scheduler(4, 0, {
 *   partitions: { concurrency: 2, rate: { limit: 5, interval: 1000 } },
 *   clock
 * })
 * const tasks = ["a", "a", "a", "b"].map((host) => new Task(host, undefined, { partition: host }))
 * tasks.map((task) => scheduler.admit(task)) // => [true, true, false, true]
 * tasks[2].phase = "waiting"
 * scheduler.reason(tasks[2]) // => "partition"
 * ```
 *
 * @since 0.1.0
 * @category scheduling
 */
export class Scheduler extends Gate {
  /** Tasks still waiting (cancelled ones are not counted). */
  #waiting = 0
  #fifo: Array<Task<any>> = []
  #head = 0
  #heap: Array<Ranked> | undefined
  #order = 0
  /** The group's `rate` and `partitions` as given, and its clock: `undefined` without flow control. */
  readonly flow: Flow | undefined
  private readonly partitions: Map<string, Partition> | undefined
  /** The partitions whose parked tasks wait for their window, by when it has room. */
  #watched: Array<Partition> = []
  /** The number of partition values at which the idle ones with an empty window are dropped. */
  #sweepAt = 64
  /**
   * With a rate: the time the last task admitted was counted at in the windows, which its
   * group records as its start (`Task.startedAt`), so that the windows and the starts
   * snapshots show are the same times.
   */
  startedAt: number | undefined
  /** Whether a rate is set (the group's or the partitions'): only then is the clock read. */
  readonly #timed: boolean = false

  /**
   * `active`: the tasks of the group running already (a scheduler made by
   * `setConcurrency`); `flow`: the group's rate and partitions, if any.
   */
  constructor(limit: number, active = 0, flow?: Flow) {
    super(limit, active, flow?.rate)
    if (flow === undefined || (flow.rate === undefined && flow.partitions === undefined)) return
    this.flow = flow
    this.#heap = []
    this.#timed = (flow.rate ?? flow.partitions?.rate) !== undefined
    if (flow.partitions !== undefined) this.partitions = new Map()
  }

  /** How many tasks wait for their turn. */
  get waitingCount(): number {
    return this.#waiting
  }

  /**
   * How the waiting tasks are ordered: `"spawn"` (first in, first out) until a task with
   * another priority than 0 waits, `"priority"` from then on (and always with flow control).
   */
  get ordering(): "spawn" | "priority" {
    return this.#heap === undefined ? "spawn" : "priority"
  }

  /**
   * How many entries the queues hold: the waiting tasks, the cancelled ones not yet passed
   * over, and (first in, first out) up to 1024 or half of them already started, which it
   * drops now and then. Its memory: none whenever no task waits.
   */
  get retained(): number {
    let held = this.#fifo.length + (this.#heap?.length ?? 0)
    for (const partition of this.partitions?.values() ?? []) held += partition.parked.length
    return held
  }

  /**
   * The admission step: takes a permit for `task` (`true`: start it now) unless none is
   * free, a task that waits has its turn first, or a limit of its partition or a rate
   * window holds it back (`false`: it is queued, its group marks it `waiting`).
   */
  admit(task: Task<any>): boolean {
    const priority = task.options.priority ?? 0
    if (this.flow !== undefined) {
      const partition = this.#partitionOf(task, true)
      const now = this.#now()
      const held = partition !== undefined && (live(partition.parked) !== undefined || !partition.opens(now))
      if (!held && this.opens(now) && live(this.#heap!) === undefined) {
        this.#start(partition, now)
        return true
      }
      this.#waiting++
      const entry: Ranked = { task, priority, order: this.#order++ }
      if (partition !== undefined) partition.queued++
      if (held) this.#park(partition, entry, now)
      else heapPush(this.#heap!, entry, before)
      return false
    }
    if (this.#waiting === 0 && this.active < this.limit) {
      this.active++
      return true
    }
    this.#waiting++
    if (this.#heap === undefined && priority !== 0) this.#toHeap()
    if (this.#heap === undefined) this.#fifo.push(task)
    else heapPush(this.#heap, { task, priority, order: this.#order++ }, before)
    return false
  }

  /** A task that held a permit has ended: its permit (and its room in its partition) is free (`next` hands it on). */
  release(task?: Task<any>): void {
    this.active--
    const partition = task && this.#partitionOf(task, false)
    if (partition === undefined) return
    partition.active--
    const now = this.#now()
    this.#unpark(partition, now)
    this.#drop(partition, now)
  }

  /** A waiting task was cancelled: it no longer counts (it is passed over in its queue). */
  left(task?: Task<any>): void {
    const partition = task && this.#partitionOf(task, false)
    if (partition !== undefined && --partition.queued === 0) {
      partition.parked = []
      this.#drop(partition, this.#now())
    }
    if (--this.#waiting === 0) this.#clear()
  }

  /** The next waiting task whose turn has come, with its permit taken; `undefined` when none may start. */
  next(): Task<any> | undefined {
    const now = this.#now()
    while (this.#waiting > 0 && this.opens(now)) {
      if (this.flow !== undefined) {
        const entry = live(this.#heap!)
        if (entry === undefined) return undefined
        heapPop(this.#heap!, before)
        const partition = this.#partitionOf(entry.task, false)
        if (partition !== undefined) {
          if (!partition.opens(now)) {
            this.#park(partition, entry, now)
            continue
          }
          partition.queued--
        }
        this.#waiting--
        this.#start(partition, now)
        // Its partition may have room for its next waiting task: that one goes back in its place.
        if (partition !== undefined) this.#unpark(partition, now)
        if (this.#waiting === 0) this.#clear()
        return entry.task
      }
      const task = this.#heap === undefined ? this.#fifo[this.#head++] : heapPop(this.#heap, before).task
      if (task.phase !== "waiting") continue
      this.#waiting--
      this.active++
      if (this.#waiting === 0) this.#clear()
      else if (this.#head > 1024 && this.#head * 2 > this.#fifo.length) this.#compact()
      return task
    }
    return undefined
  }

  /**
   * When a rate window will let a waiting task start (ms since epoch, the clock's time),
   * or `undefined` when no waiting task waits for a window: when the group's one timer
   * should fire, to call `tick` and then `next`.
   */
  get due(): number | undefined {
    if (this.#waiting === 0) {
      for (const partition of this.#watched) partition.watched = false
      this.#watched = []
      return undefined
    }
    let due = this.#watched.length > 0 ? this.#watched[0].due : Infinity
    if (this.active < this.limit && this.freeAt() < due && live(this.#heap!) !== undefined) due = this.freeAt()
    return due === Infinity ? undefined : due
  }

  /** The time has come (`due`): the partitions whose window has room hand their first waiting task back. */
  tick(): void {
    const now = this.#now()
    const watched = this.#watched
    while (watched.length > 0 && watched[0].due <= now) {
      const partition = heapPop(watched, earlier)
      partition.watched = false
      this.#unpark(partition, now)
    }
  }

  /**
   * Why a waiting task waits: its partition is full (`"partition"`), a rate window has no
   * room for it (`"rate"`: its partition's or the group's), or else for a permit
   * (`"permit"`: none is free, or tasks before it take the free ones).
   */
  reason(task: Task<any>): WaitingReason {
    const now = this.#now()
    const partition = this.#partitionOf(task, false)
    return partition !== undefined && partition.active >= partition.limit
      ? "partition"
      : (partition !== undefined && partition.freeAt() > now) || (this.active < this.limit && this.freeAt() > now)
        ? "rate"
        : "permit"
  }

  // ---------------------------------------------------------------------------
  // with flow control

  #now(): number {
    return this.#timed ? this.flow!.clock.now() : 0
  }

  /** The state of `task`'s partition, made when `make` says so; `undefined` for a task without one, or a group without `partitions`. */
  #partitionOf(task: Task<any>, make: boolean): Partition | undefined {
    const partitions = this.partitions
    const key = task.options.partition
    if (partitions === undefined || key === undefined) return undefined
    let partition = partitions.get(key)
    if (partition === undefined && make) {
      if (partitions.size >= this.#sweepAt) {
        const now = this.#now()
        for (const idle of partitions.values()) this.#drop(idle, now)
        this.#sweepAt = Math.max(64, 2 * partitions.size)
      }
      partition = new Partition(key, this.flow!.partitions!)
      partitions.set(key, partition)
    }
    return partition
  }

  /** A task starts: it takes a permit, its partition's room, and a place in their windows. */
  #start(partition: Partition | undefined, now: number): void {
    if (this.#timed) this.startedAt = now
    this.take(now)
    partition?.take(now)
  }

  /** `entry`'s partition holds it back: it waits there, and the partition is watched if its window is why. */
  #park(partition: Partition, entry: Ranked, now: number): void {
    heapPush(partition.parked, entry, before)
    this.#watch(partition, now)
  }

  /** Watches `partition` when its window holds it back (a full partition is handed on by `release`). */
  #watch(partition: Partition, now: number): void {
    if (partition.watched || partition.active >= partition.limit || partition.freeAt() <= now) return
    partition.watched = true
    partition.due = partition.freeAt()
    heapPush(this.#watched, partition, earlier)
  }

  /** The partition's first parked task goes back to the group's heap when the partition has room for it. */
  #unpark(partition: Partition, now: number): void {
    const entry = live(partition.parked)
    if (entry === undefined) return
    if (!partition.opens(now)) return this.#watch(partition, now)
    heapPop(partition.parked, before)
    heapPush(this.#heap!, entry, before)
  }

  /** Forgets an idle partition whose window holds no start. */
  #drop(partition: Partition, now: number): void {
    if (partition.active === 0 && partition.queued === 0 && partition.emptyAt <= now)
      this.partitions!.delete(partition.key)
  }

  // ---------------------------------------------------------------------------
  // the queue's memory

  #clear(): void {
    this.#fifo = []
    this.#head = 0
    if (this.#heap !== undefined) this.#heap = []
  }

  /** Drops the passed prefix of the first-in first-out array, so that it does not grow for ever. */
  #compact(): void {
    this.#fifo = this.#fifo.slice(this.#head)
    this.#head = 0
  }

  /** The first waiting task with another priority than 0: the queue becomes a heap, keeping the order so far. */
  #toHeap(): void {
    const heap: Array<Ranked> = []
    this.#heap = heap
    for (let i = this.#head; i < this.#fifo.length; i++) {
      const task = this.#fifo[i]
      if (task.phase === "waiting") heap.push({ task, priority: 0, order: this.#order++ })
    }
    this.#fifo = []
    this.#head = 0
    // Every entry so far has priority 0 and increasing order: already a heap.
  }
}
