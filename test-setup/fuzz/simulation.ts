// An exact discrete-event simulation of what a task group must do with a scenario
// (scenario.ts): the model both packages' fuzzers check their groups against.
//
// Every task waits on a virtual clock, so the order of events is the order of their
// times. The generator draws times from a wide range and the simulation refuses a case
// in which two independent events fall on the same instant (`ambiguous`): everything
// else that happens at one instant is a consequence of one event (a failure interrupting
// its siblings, a permit passing to the next queued task, a body waking up from
// `cancel`), and the simulation runs those consequences in the order the group does.
// Where Promise code behaves differently from Effect code, a package's `Semantics` says how.
import { type GroupSpec, type LeafSpec, type ModelExit, type Scenario, type TaskSpec, valueOf } from "./scenario.ts"

/** What differs between the packages' groups, as the model sees it. */
export interface Semantics {
  /** The errors a nested group's failure shows its parent (interop: one error, or an AggregateError of several). */
  readonly nestedErrors: (errors: ReadonlyArray<string>) => ReadonlyArray<string>
  /**
   * When an interrupted body stops: at once (an Effect fiber), or, when it is running
   * synchronous code (spawning), once that code is done (a Promise function, which its
   * aborted signal can only stop at its next await).
   */
  readonly bodyStops: "at once" | "at its next await"
}

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
  /** The body is running synchronous code (spawning). */
  bodySync = false
  /** Interrupted while running synchronous code, the body stops once that code is done (`Semantics.bodyStops`). */
  bodyInterrupted = false
  outsideInterrupted = false
  endTime: number | undefined = undefined
  exit: ModelExit | undefined = undefined
  /** A scoped group: an owner instead of a body (see `Scenario.scoped`). */
  owned = false
  /** The owner died spawning into the group while it shut down: its scope waits for the group. */
  ownerDying = false
  /** How many failures the owner's TaskGroupClosed handed it (the scope's close raises the rest). */
  handedToOwner = 0
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
    this.bodySync = true
    for (const task of this.spec.initial) this.spawn(task, this.owned)
    this.bodySync = false
    if (this.bodyInterrupted) this.endInterruptedBody()
    else this.continueBody(0)
  }

  /** The body, interrupted while it ran synchronous code, has stopped. */
  endInterruptedBody(): void {
    if (this.bodyEnded) return
    this.bodyEnded = true
    this.pending--
    this.checkEnd()
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
    this.bodySync = true
    const goOn = this.doStepNow(index)
    this.bodySync = false
    if (this.bodyInterrupted) this.endInterruptedBody()
    else if (goOn) this.continueBody(index + 1)
  }

  /** Does one step; false when the body stopped (waits for a task, or was interrupted). */
  doStepNow(index: number): boolean {
    const step = this.spec.steps[index]
    if (step.op === "spawn") {
      this.spawn(step.task, this.owned)
      return this.ownerExit === undefined && !this.ownerDying
    }
    if (this.tasks.length === 0) return true
    const target = this.tasks[step.target % this.tasks.length]
    if (target.state !== "ended") this.interruptTask(target)
    if (this.bodyEnded || this.bodyInterrupted) return false
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

  /** Spawns a task: from the group's body or tasks, or (`fromOwner`) from the owner of a scoped group, which is outside it. */
  spawn(spec: TaskSpec, fromOwner = false): void {
    if (this.state === "closed" && this.owned) return this.ownerDies()
    if (this.state === "closing" && fromOwner) return this.ownerDiesWhileClosing()
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
      task.child = new SimGroup(this.sim, spec, this.sim.now, (exit) =>
        this.endTask(task, { ...exit, errors: this.sim.semantics.nestedErrors(exit.errors) })
      )
      task.child.startBody()
      return
    }
    if (spec.duration === 0) return this.leafEnded(task, spec)
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
      this.bodyWaiting = undefined
      if (this.bodyEvent !== undefined) this.bodyEvent.live = false
      if (this.bodySync && this.sim.semantics.bodyStops === "at its next await") {
        this.bodyInterrupted = true
      } else {
        this.bodyEnded = true
        this.pending--
      }
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
    if (this.ownerDying) this.ownerDies()
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
        ? { errors: this.failures, interrupted: this.cancelled }
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
   * The owner spawned from outside into the group shutting down: it dies with
   * TaskGroupClosed, and closing its scope waits for the group, then raises the failures
   * nobody joined, as defects.
   */
  ownerDiesWhileClosing(): void {
    this.bodyEnded = true
    if (this.bodyEvent !== undefined) this.bodyEvent.live = false
    this.ownerDying = true
    this.handedToOwner = this.failures.length
    this.releaseOwner()
  }

  /**
   * The owner dies with TaskGroupClosed, which hands it the failures so far (its cause):
   * closing its scope raises only those that came after, as defects.
   */
  ownerDies(): void {
    if (!this.ownerDying) this.handedToOwner = this.failures.length
    this.ownerDying = false
    this.bodyEnded = true
    if (this.bodyEvent !== undefined) this.bodyEvent.live = false
    this.ownerEndTime = this.sim.now
    this.ownerExit = { errors: ["closed", ...this.failures.slice(this.handedToOwner)], interrupted: false }
  }
}

export class Simulation {
  readonly semantics: Semantics
  now = 0
  ambiguous = false
  readonly events: Array<Event> = []
  readonly tasks = new Map<number, SimTask>()
  readonly groups = new Map<number, SimGroup>()
  /** Groups whose freed permits are yet to reach their queued tasks, in the order they were freed. */
  readonly pumps: Array<SimGroup> = []
  root: SimGroup | undefined = undefined

  constructor(semantics: Semantics) {
    this.semantics = semantics
  }

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
export const simulate = (semantics: Semantics, scenario: Scenario, rootStart: number): Simulation => {
  const sim = new Simulation(semantics)
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
