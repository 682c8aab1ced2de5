// A model of task groups, for model-based fuzzing: random trees of groups and tasks,
// and an exact discrete-event simulation of what TaskGroup.run must do with them.
//
// Every task sleeps on the TestClock, so the order of events is the order of their
// times. The generator draws times from a wide range and the simulation refuses a case
// in which two independent events fall on the same instant (`ambiguous`): everything
// else that happens at one instant is a consequence of one event (a failure interrupting
// its siblings, a permit passing to the next queued task, a body waking up from
// `cancel`), and the simulation runs those consequences in the order the group does.
import * as fc from "fast-check"

export type Outcome = "succeed" | "fail" | "die"
export type Mode = "failFast" | "settle"

/** A task that sleeps `duration` ms, then ends with `outcome`. */
export interface LeafSpec {
  readonly kind: "leaf"
  readonly id: number
  readonly duration: number
  readonly outcome: Outcome
  /** Its finalizer dies when the task was interrupted: a failure during shutdown. */
  readonly finalizerDies: boolean
  /**
   * Uninterruptible: once interrupted it still runs to its end, its failure (if it
   * fails) adds to the interruption, and whoever waits for it waits that long.
   */
  readonly stubborn: boolean
  /** A task it spawns into its own group `after` ms after it started (before it ends). */
  readonly spawns: { readonly after: number; readonly task: TaskSpec } | undefined
}

/** A nested `TaskGroup.run` as a task. */
export interface GroupSpec {
  readonly kind: "group"
  readonly id: number
  readonly mode: Mode
  readonly concurrency: number | "unbounded"
  /** Spawned by the body at once, in order. */
  readonly initial: ReadonlyArray<TaskSpec>
  /**
   * What the body does later, one after the other: each step `gap` ms after the previous
   * one is done (or after the group started), so the body always sleeps between steps.
   */
  readonly steps: ReadonlyArray<Step>
  /** How long after its last step the body ends, and how. */
  readonly bodyEnd: { readonly gap: number; readonly outcome: Outcome }
}

export type TaskSpec = LeafSpec | GroupSpec

export type Step =
  | { readonly gap: number; readonly op: "spawn"; readonly task: TaskSpec }
  /** Cancels the group's `target % spawned`th task and waits for it (a no-op before the first spawn). */
  | { readonly gap: number; readonly op: "cancel"; readonly target: number }

export interface Scenario {
  readonly root: GroupSpec
  /**
   * ms after the root group started, when the fiber running it is interrupted (or, for a
   * scoped root, when `TaskGroup.cancel` cancels it).
   */
  readonly interruptAt: number | undefined
  /**
   * The root is a scoped group (`TaskGroup.make`): its owner spawns and cancels like a
   * body, is never interrupted by the group, and ends with `TaskGroup.join`.
   */
  readonly scoped?: boolean | undefined
}

/** What a task or group ended with: a value, or errors and/or an interruption. */
export interface ModelExit {
  readonly value?: string | undefined
  /** Labels of the failures (`fail:ID`, `die:ID`, `fin:ID`), in no particular order. */
  readonly errors: ReadonlyArray<string>
  readonly interrupted: boolean
}

export const valueOf = (spec: TaskSpec): string => (spec.kind === "leaf" ? `v${spec.id}` : `g${spec.id}`)

// -----------------------------------------------------------------------------
// generators (ids are 0 here; `numbered` gives the real ones)
// -----------------------------------------------------------------------------

const outcomeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Outcome>("succeed") },
  { weight: 2, arbitrary: fc.constant<Outcome>("fail") },
  { weight: 1, arbitrary: fc.constant<Outcome>("die") }
)

const rarely = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })

const leafArb = (maxDuration: number, spawning: boolean): fc.Arbitrary<LeafSpec> =>
  fc
    .record({
      duration: fc.integer({ min: 2, max: maxDuration }),
      outcome: outcomeArb,
      finalizerDies: rarely,
      stubborn: rarely,
      spawns: spawning
        ? fc.oneof(
            { weight: 4, arbitrary: fc.constant(null) },
            {
              weight: 1,
              arbitrary: fc.record({ at: fc.integer({ min: 1, max: maxDuration }), task: leafArb(maxDuration, false) })
            }
          )
        : fc.constant(null)
    })
    .map(({ spawns, ...leaf }) => ({
      kind: "leaf" as const,
      id: 0,
      ...leaf,
      // Strictly inside the task's run: after it started, before it ends.
      spawns: spawns === null ? undefined : { after: 1 + ((spawns.at - 1) % (leaf.duration - 1)), task: spawns.task }
    }))

const taskArb = (depth: number, maxDuration: number): fc.Arbitrary<TaskSpec> =>
  depth <= 0
    ? leafArb(maxDuration, true)
    : fc.oneof(
        { weight: 4, arbitrary: leafArb(maxDuration, true) as fc.Arbitrary<TaskSpec> },
        { weight: 1, arbitrary: groupArb(depth - 1, maxDuration) }
      )

const groupArb = (depth: number, maxDuration: number): fc.Arbitrary<GroupSpec> =>
  fc
    .record({
      mode: fc.constantFrom<Mode>("failFast", "settle"),
      concurrency: fc.oneof(
        { weight: 2, arbitrary: fc.constant<"unbounded">("unbounded") },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }
      ),
      initial: fc.array(taskArb(depth, maxDuration), { maxLength: 4 }),
      steps: fc.array(
        fc.record({
          gap: fc.integer({ min: 1, max: maxDuration }),
          what: fc.oneof(
            fc.record({ op: fc.constant("spawn" as const), task: taskArb(depth, maxDuration) }),
            fc.record({ op: fc.constant("cancel" as const), target: fc.nat({ max: 7 }) })
          )
        }),
        { maxLength: 3 }
      ),
      endGap: fc.integer({ min: 1, max: 2 * maxDuration }),
      endOutcome: outcomeArb
    })
    .map(({ mode, concurrency, initial, steps, endGap, endOutcome }): GroupSpec => ({
      kind: "group",
      id: 0,
      mode,
      concurrency,
      initial,
      steps: steps.map(({ gap, what }): Step => ({ gap, ...what })),
      bodyEnd: { gap: endGap, outcome: endOutcome }
    }))

/** Gives every task and group a distinct id, in depth-first order (the root is 0). */
const numbered = (root: GroupSpec): GroupSpec => {
  let next = 0
  const number = (task: TaskSpec): TaskSpec => {
    const id = next++
    if (task.kind === "leaf") {
      return {
        ...task,
        id,
        spawns: task.spawns === undefined ? undefined : { after: task.spawns.after, task: number(task.spawns.task) }
      }
    }
    return {
      ...task,
      id,
      initial: task.initial.map(number),
      steps: task.steps.map((step) => (step.op === "spawn" ? { ...step, task: number(step.task) } : step))
    }
  }
  return number(root) as GroupSpec
}

/**
 * Random scenarios: a root group with up to `depth` levels of nested groups, durations
 * in 2..maxDuration ms, and sometimes an interruption from outside.
 */
export const scenarioArb = (options: {
  readonly depth: number
  readonly maxDuration: number
  readonly scoped?: boolean
}) =>
  fc
    .record({
      root: groupArb(options.depth, options.maxDuration),
      interruptAt: fc.option(fc.integer({ min: 1, max: 4 * options.maxDuration }), { freq: 3 })
    })
    .map(({ root, interruptAt }): Scenario => ({
      // A scoped group's owner always ends by joining.
      root: numbered(options.scoped === true ? { ...root, bodyEnd: { ...root.bodyEnd, outcome: "succeed" } } : root),
      interruptAt: interruptAt ?? undefined,
      scoped: options.scoped
    }))

/**
 * What `TaskGroup.gather` runs: leaves (no spawns) started at once, with the body
 * returning their handles at once.
 */
export const gatherArb = (maxDuration: number) =>
  fc
    .record({
      leaves: fc.array(leafArb(maxDuration, false), { maxLength: 8 }),
      returnExceptions: fc.boolean(),
      concurrency: fc.oneof(fc.constant<"unbounded">("unbounded"), fc.integer({ min: 1, max: 4 })),
      interruptAt: fc.option(fc.integer({ min: 1, max: 2 * maxDuration }), { freq: 4 })
    })
    .map(({ leaves, returnExceptions, concurrency, interruptAt }) => {
      const root = numbered({
        kind: "group",
        id: 0,
        mode: returnExceptions ? "settle" : "failFast",
        concurrency,
        initial: leaves,
        steps: [],
        bodyEnd: { gap: 0, outcome: "succeed" }
      })
      return { scenario: { root, interruptAt: interruptAt ?? undefined } as Scenario, returnExceptions }
    })

// -----------------------------------------------------------------------------
// simulation
// -----------------------------------------------------------------------------

interface Event {
  readonly time: number
  readonly run: () => void
  live: boolean
}

export interface SimTask {
  readonly spec: TaskSpec
  readonly group: SimGroup
  state: "queued" | "running" | "ended"
  /** Whether the task's effect began to run (a queued task may never start). */
  started: boolean
  /** A stubborn leaf that was interrupted and runs on. */
  cancelling: boolean
  startTime: number | undefined
  endTime: number | undefined
  exit: ModelExit | undefined
  holdsPermit: boolean
  events: Array<Event>
  child: SimGroup | undefined
}

export class SimGroup {
  readonly sim: Simulation
  readonly spec: GroupSpec
  readonly startTime: number
  readonly onEnd: (exit: ModelExit) => void
  state: "open" | "closing" | "closed" = "open"
  /** Every task spawned into the group, in spawn order (the targets of `cancel` steps). */
  readonly tasks: Array<SimTask> = []
  readonly queue: Array<SimTask> = []
  active = 0
  /** The body plus every task that has not ended. */
  pending = 1
  readonly failures: Array<string> = []
  bodyEnded = false
  bodyValue: string | undefined = undefined
  bodyEvent: Event | undefined = undefined
  /** The task the body is cancelling and waiting for, and the step it goes on with after. */
  bodyWaiting: { readonly task: SimTask; readonly next: number } | undefined = undefined
  outsideInterrupted = false
  endTime: number | undefined = undefined
  exit: ModelExit | undefined = undefined
  /** A scoped group: an owner instead of a body (see `Scenario.scoped`). */
  owned = false
  /** `TaskGroup.cancel` was called (scoped groups). */
  cancelled = false
  /** The owner's part of `pending` is over (it joined, or the group was cancelled). */
  ownerReleased = false
  joining = false
  /** How the owner's code ended (it joined, or died spawning into the ended group), and when. */
  ownerExit: ModelExit | undefined = undefined
  ownerEndTime: number | undefined = undefined

  constructor(sim: Simulation, spec: GroupSpec, startTime: number, onEnd: (exit: ModelExit) => void) {
    this.sim = sim
    this.spec = spec
    this.startTime = startTime
    this.onEnd = onEnd
    sim.groups.set(spec.id, this)
  }

  get limit(): number | undefined {
    return this.spec.concurrency === "unbounded" ? undefined : this.spec.concurrency
  }

  startBody(): void {
    for (const task of this.spec.initial) this.spawn(task)
    this.continueBody(0)
  }

  /** The body sleeps until its step `index` (or its end) is due. */
  continueBody(index: number): void {
    const steps = this.spec.steps
    if (index < steps.length) {
      this.bodyEvent = this.sim.schedule(this.sim.now + steps[index].gap, () => this.doStep(index))
    } else if (this.spec.bodyEnd.gap > 0) {
      this.bodyEvent = this.sim.schedule(this.sim.now + this.spec.bodyEnd.gap, () => this.endBody())
    } else {
      this.endBody()
    }
  }

  doStep(index: number): void {
    this.bodyEvent = undefined
    if (this.doStepNow(index)) this.continueBody(index + 1)
  }

  /** Does one step; false when the body stopped (waits for a task, or was interrupted). */
  doStepNow(index: number): boolean {
    const step = this.spec.steps[index]
    if (step.op === "spawn") {
      this.spawn(step.task)
      return this.ownerExit === undefined
    }
    if (this.tasks.length === 0) return true
    const target = this.tasks[step.target % this.tasks.length]
    if (target.state !== "ended") this.interruptTask(target)
    if (this.bodyEnded) return false
    if (target.state !== "ended") {
      this.bodyWaiting = { task: target, next: index + 1 }
      return false
    }
    return true
  }

  endBody(): void {
    this.bodyEvent = undefined
    if (this.owned) return this.join()
    this.bodyEnded = true
    const outcome = this.spec.bodyEnd.outcome
    if (outcome === "succeed") {
      this.bodyValue = valueOf(this.spec)
    } else {
      this.failures.push(`${outcome}:${this.spec.id}`)
      this.shutdown()
    }
    this.pending--
    this.checkEnd()
  }

  spawn(spec: TaskSpec): void {
    if (this.state === "closed" && this.owned) return this.ownerDies()
    if (this.state === "closed") throw new Error(`model: spawn into the closed group ${this.spec.id}`)
    const task: SimTask = {
      spec,
      group: this,
      state: "queued",
      started: false,
      cancelling: false,
      startTime: undefined,
      endTime: undefined,
      exit: undefined,
      holdsPermit: false,
      events: [],
      child: undefined
    }
    this.tasks.push(task)
    this.sim.tasks.set(spec.id, task)
    if (this.state === "closing") {
      task.state = "ended"
      task.exit = { errors: [], interrupted: true }
      task.endTime = this.sim.now
      return
    }
    this.pending++
    const limit = this.limit
    // Waiting tasks keep their turn: a new one queues behind them even if a permit is free.
    if (limit !== undefined && (this.active >= limit || this.queue.length > 0)) {
      this.queue.push(task)
      return
    }
    this.start(task)
  }

  /** Gives the free permits to the queued tasks, in spawn order, unless the group is shutting down. */
  pump(): void {
    const limit = this.limit
    if (limit === undefined) return
    while (this.state === "open" && this.active < limit && this.queue.length > 0) this.start(this.queue.shift()!)
  }

  start(task: SimTask): void {
    if (this.limit !== undefined) {
      this.active++
      task.holdsPermit = true
    }
    task.state = "running"
    task.started = true
    task.startTime = this.sim.now
    const spec = task.spec
    if (spec.kind === "group") {
      task.child = new SimGroup(this.sim, spec, this.sim.now, (exit) => this.endTask(task, exit))
      task.child.startBody()
      return
    }
    const spawns = spec.spawns
    if (spawns !== undefined) {
      task.events.push(this.sim.schedule(this.sim.now + spawns.after, () => this.spawn(spawns.task)))
    }
    task.events.push(this.sim.schedule(this.sim.now + spec.duration, () => this.leafEnded(task, spec)))
  }

  leafEnded(task: SimTask, spec: LeafSpec): void {
    const failure = spec.outcome === "succeed" ? [] : [`${spec.outcome}:${spec.id}`]
    if (!task.cancelling) {
      this.endTask(task, {
        value: failure.length === 0 ? valueOf(spec) : undefined,
        errors: failure,
        interrupted: false
      })
    } else {
      const errors = spec.finalizerDies ? [...failure, `fin:${spec.id}`] : failure
      this.endTask(task, { errors, interrupted: true })
    }
  }

  endTask(task: SimTask, exit: ModelExit): void {
    task.state = "ended"
    task.exit = exit
    task.endTime = this.sim.now
    for (const event of task.events) event.live = false
    if (task.holdsPermit) {
      task.holdsPermit = false
      this.active--
    }
    // In settle mode a task's own failure stays in its handle, but one met while the group
    // was stopping it (guarantee 6) joins the group's failure.
    if (exit.errors.length > 0 && (this.spec.mode === "failFast" || (exit.interrupted && this.state !== "open"))) {
      this.failures.push(...exit.errors)
      this.shutdown()
    }
    // The body was cancelling this task: it goes on at once (the handle wakes it).
    const waiting = this.bodyWaiting
    if (waiting !== undefined && waiting.task === task) {
      this.bodyWaiting = undefined
      this.continueBody(waiting.next)
    }
    // A semaphore wakes its waiters soon, once what runs now has run: so does the model.
    if (task.started && this.limit !== undefined) this.sim.pumps.push(this)
    this.pending--
    this.checkEnd()
  }

  interruptTask(task: SimTask): void {
    if (task.state === "queued") {
      this.queue.splice(this.queue.indexOf(task), 1)
      this.endTask(task, { errors: [], interrupted: true })
    } else if (task.spec.kind === "group") {
      task.child!.interruptFromOutside()
    } else if (task.spec.stubborn) {
      task.cancelling = true
    } else {
      this.endTask(task, { errors: task.spec.finalizerDies ? [`fin:${task.spec.id}`] : [], interrupted: true })
    }
  }

  interruptFromOutside(): void {
    if (this.state === "closed") return
    this.outsideInterrupted = true
    this.shutdown()
    this.checkEnd()
  }

  shutdown(): void {
    if (this.state !== "open") return
    this.state = "closing"
    // A scoped group's owner is not the group's to interrupt: it goes on, and joins.
    if (!this.bodyEnded && !this.owned) {
      this.bodyEnded = true
      this.bodyWaiting = undefined
      if (this.bodyEvent !== undefined) this.bodyEvent.live = false
      this.pending--
    }
    for (const task of this.tasks) if (task.state !== "ended") this.interruptTask(task)
  }

  checkEnd(): void {
    if (this.pending !== 0 || this.state === "closed") return
    this.state = "closed"
    this.endTime = this.sim.now
    this.exit =
      this.failures.length > 0
        ? { errors: this.failures, interrupted: this.outsideInterrupted }
        : this.outsideInterrupted
          ? { errors: [], interrupted: true }
          : { value: this.bodyValue, errors: [], interrupted: false }
    this.onEnd(this.exit)
    if (this.joining) this.ownerJoined()
  }

  // --- scoped groups ------------------------------------------------------------

  /** The owner calls `TaskGroup.join`: its part is over; it waits for the group's end. */
  join(): void {
    this.bodyEnded = true
    this.joining = true
    this.releaseOwner()
    // Cancelled, the group may have ended before the owner joined.
    if (this.joining && this.state === "closed") this.ownerJoined()
  }

  /** `join` gives the group's failures, else the cancellation, else success. */
  ownerJoined(): void {
    this.joining = false
    this.ownerEndTime = this.sim.now
    this.ownerExit =
      this.failures.length > 0
        ? { errors: this.failures, interrupted: false }
        : this.cancelled
          ? { errors: [], interrupted: true }
          : { value: valueOf(this.spec), errors: [], interrupted: false }
  }

  /** `TaskGroup.cancel`: interrupts the tasks; the group takes no task once they have ended. */
  cancel(): void {
    if (this.state !== "open") return
    this.cancelled = true
    this.shutdown()
    this.releaseOwner()
  }

  releaseOwner(): void {
    if (this.ownerReleased) return
    this.ownerReleased = true
    this.pending--
    this.checkEnd()
  }

  /**
   * The owner spawned into the ended group: it dies with TaskGroupClosed, and closing its
   * scope raises the failures nobody joined, as defects.
   */
  ownerDies(): void {
    this.bodyEnded = true
    if (this.bodyEvent !== undefined) this.bodyEvent.live = false
    this.ownerEndTime = this.sim.now
    this.ownerExit = { errors: ["closed", ...this.failures], interrupted: false }
  }
}

export class Simulation {
  now = 0
  ambiguous = false
  readonly events: Array<Event> = []
  readonly tasks = new Map<number, SimTask>()
  readonly groups = new Map<number, SimGroup>()
  /** Groups whose freed permits are yet to reach their queued tasks, in the order they were freed. */
  readonly pumps: Array<SimGroup> = []
  root: SimGroup | undefined = undefined

  /** Hands freed permits to queued tasks, as the semaphores' scheduled wake-ups do. */
  drainPumps(): void {
    for (let group = this.pumps.shift(); group !== undefined; group = this.pumps.shift()) group.pump()
  }

  schedule(time: number, run: () => void): Event {
    const event: Event = { time, run, live: true }
    this.events.push(event)
    return event
  }

  /** Runs every event in time order; stops at once (ambiguous) on two events at one instant. */
  runAll(): void {
    for (;;) {
      let next: Event | undefined
      let tie = false
      for (const event of this.events) {
        if (!event.live) continue
        if (next === undefined || event.time < next.time) {
          next = event
          tie = false
        } else if (event.time === next.time) {
          tie = true
        }
      }
      if (next === undefined) return
      if (tie) {
        this.ambiguous = true
        return
      }
      next.live = false
      this.now = next.time
      next.run()
      this.drainPumps()
    }
  }
}

/** Simulates a scenario whose root group starts at `rootStart` ms. */
export const simulate = (scenario: Scenario, rootStart: number): Simulation => {
  const sim = new Simulation()
  sim.now = rootStart
  const root = new SimGroup(sim, scenario.root, rootStart, () => {})
  sim.root = root
  root.owned = scenario.scoped === true
  root.startBody()
  sim.drainPumps()
  if (scenario.interruptAt !== undefined) {
    sim.schedule(rootStart + scenario.interruptAt, () => (root.owned ? root.cancel() : root.interruptFromOutside()))
  }
  sim.runAll()
  return sim
}
