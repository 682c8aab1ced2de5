// Model-based fuzzing of the kernel itself: random trees of groups and tasks
// (test-setup/fuzz/, shared with core and interop) run on kernel groups driven by a
// virtual-time runtime, each outcome checked against the exact simulation. What core and
// interop add (fibers, promises, signals) is not here: this checks the rules alone.
// Deterministic: a fixed seed; SOONIFY_STRESS=1 runs twenty times as many cases.
import * as fc from "fast-check"
import { describe, it } from "vitest"
import { type Ending, Group, Refusal, type Runtime, Task } from "@soonify/kernel"
import * as Fuzz from "../../../test-setup/fuzz/check.ts"
import {
  type GroupSpec,
  type LeafKinds,
  type LeafSpec,
  type ModelExit,
  type Scenario,
  scenarioArb,
  type TaskSpec,
  valueOf
} from "../../../test-setup/fuzz/scenario.ts"
import { type Semantics, simulate } from "../../../test-setup/fuzz/simulation.ts"

const rarely = fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })

/** A kernel task may fail as it stops, or ignore its stop, now and then; tasks may end at once. */
const leaves: LeafKinds = {
  onInterrupt: fc.tuple(rarely, rarely).map(([finalizerDies, stubborn]) => ({ finalizerDies, stubborn })),
  synchronous: true
}

/**
 * A nested group fails with all its tasks' failures; a body interrupted while it spawns
 * stops once its synchronous code is done (tasks may end, and fail, inside a spawn).
 */
const semantics: Semantics = { nestedErrors: (errors) => errors, bodyStops: "at its next await" }

/** Events on a virtual clock, run in time order (then in the order they were set). */
class Clock {
  now = 0
  private events: Array<{ time: number; order: number; run: () => void; live: boolean }> = []
  private order = 0

  at(time: number, run: () => void): { live: boolean } {
    const event = { time, order: this.order++, run, live: true }
    this.events.push(event)
    return event
  }

  get pending(): number {
    return this.events.filter((event) => event.live).length
  }

  run(): void {
    for (;;) {
      let next: (typeof this.events)[number] | undefined
      for (const event of this.events) {
        if (
          event.live &&
          (next === undefined || event.time < next.time || (event.time === next.time && event.order < next.order))
        )
          next = event
      }
      if (next === undefined) return
      next.live = false
      this.now = next.time
      next.run()
    }
  }
}

/** What a fuzz task runs: a leaf, or a nested group (its body is the runtime's, below). */
type Spec = TaskSpec
class FuzzTask extends Task<Spec> {
  events: Array<{ live: boolean }> = []
  child: Body | undefined = undefined
}

type Probe = Fuzz.Probe<FuzzTask>

/** A group's body: spawns, sleeps, cancels and ends as its spec says. */
class Body {
  readonly group: Group<FuzzTask, ReadonlyArray<string>>
  readonly spec: GroupSpec
  readonly own: Array<FuzzTask> = []
  /** The task the group runs as (none for the root). */
  readonly task: FuzzTask | undefined
  outsideInterrupted = false
  ended = false
  /** Whether the body runs synchronous code now; and whether it was interrupted meanwhile. */
  running = false
  interruptedWhileRunning = false
  event: { live: boolean } | undefined = undefined
  waitingFor: { task: FuzzTask; next: number } | undefined = undefined
  readonly fuzz: FuzzRuntime
  /**
   * A scoped group (core's `TaskGroup.make`): its owner spawns from outside, is never
   * stopped by the group, and ends by joining it, or dies of a refused spawn.
   */
  readonly scoped: boolean
  /** How the owner ended (scoped groups): joined, or died of a refusal; its exit once the group has ended. */
  ownerEnd: "joined" | "died" | undefined = undefined
  ownerExit: ModelExit | undefined = undefined

  constructor(fuzz: FuzzRuntime, spec: GroupSpec, task: FuzzTask | undefined, owner: "body" | "scope" = "body") {
    this.fuzz = fuzz
    this.spec = spec
    this.task = task
    this.scoped = owner === "scope"
    this.group = new Group(fuzz, {
      name: `g${spec.id}`,
      mode: spec.mode,
      concurrency: spec.concurrency === "unbounded" ? undefined : spec.concurrency,
      parent: task,
      owner
    })
    fuzz.bodies.set(this.group, this)
  }

  start(): void {
    this.running = true
    for (const spec of this.spec.initial) this.spawn(spec)
    if (this.stopped()) return
    this.continue(0)
  }

  /** After synchronous code: stops the body if it was interrupted meanwhile. */
  private stopped(): boolean {
    this.running = false
    if (!this.interruptedWhileRunning) return false
    this.interrupted()
    return true
  }

  /** Spawns a task: from the body, or from the owner of a scoped group (from outside). */
  spawn(spec: TaskSpec, byOwner = this.scoped): void {
    const task = new FuzzTask(spec, String(spec.id))
    if (this.group.spawn(task, "now", byOwner ? "outside" : "inside") instanceof Refusal) return this.ownerDies()
    this.fuzz.probe.handles.set(spec.id, task)
    this.own.push(task)
  }

  /** The owner died of a refused spawn: its scope waits for the group, then raises what nobody was handed. */
  ownerDies(): void {
    this.ended = true
    if (this.event !== undefined) this.event.live = false
    this.ownerEnd = "died"
    this.group.endOwner()
    if (this.group.state === "closed") this.ownerEnded()
  }

  /** The group has ended and the owner's part is over: how the owner ends. */
  ownerEnded(): void {
    if (this.ownerExit !== undefined || this.ownerEnd === undefined) return
    this.ownerExit =
      this.ownerEnd === "died"
        ? { errors: ["closed", ...this.group.takeUnreported().flat()], interrupted: false }
        : this.group.failures.length > 0
          ? { errors: this.group.failures.flat(), interrupted: this.group.cancelled }
          : this.group.cancelled
            ? { errors: [], interrupted: true }
            : { value: valueOf(this.spec), errors: [], interrupted: false }
    this.fuzz.probe.ended.set(this.spec.id, {
      time: this.fuzz.clock.now,
      allReady: this.own.every((task) => task.ready)
    })
  }

  continue(index: number): void {
    if (this.ended) return
    const steps = this.spec.steps
    const clock = this.fuzz.clock
    if (index < steps.length) this.event = clock.at(clock.now + steps[index].gap, () => this.step(index))
    else this.event = clock.at(clock.now + this.spec.bodyEnd.gap, () => this.end())
  }

  step(index: number): void {
    const step = this.spec.steps[index]
    this.running = true
    if (step.op === "spawn") {
      this.spawn(step.task)
      if (this.stopped() || this.ownerEnd === "died") return
      return this.continue(index + 1)
    }
    if (this.own.length === 0) {
      if (!this.stopped()) this.continue(index + 1)
      return
    }
    const target = this.own[step.target % this.own.length]
    if (!target.ready) this.group.cancelTask(target)
    if (this.stopped() || this.ended) return
    if (!target.ready) this.waitingFor = { task: target, next: index + 1 }
    else this.continue(index + 1)
  }

  /** A task of the group ended: the body may have been waiting for it. */
  taskEnded(task: FuzzTask): void {
    const waiting = this.waitingFor
    if (waiting === undefined || waiting.task !== task) return
    this.waitingFor = undefined
    this.continue(waiting.next)
  }

  end(): void {
    this.ended = true
    if (this.scoped) {
      this.ownerEnd = "joined"
      this.group.endOwner()
      if (this.group.state === "closed") this.ownerEnded()
      return
    }
    const outcome = this.spec.bodyEnd.outcome
    if (outcome === "succeed") this.group.bodyEnded("succeeded", valueOf(this.spec))
    else this.group.bodyEnded("failed", [`${outcome}:${this.spec.id}`])
  }

  /** The group shuts down: the body is interrupted (once its synchronous code is done). */
  interrupted(): void {
    if (this.ended || this.scoped) return
    if (this.running) {
      this.interruptedWhileRunning = true
      return
    }
    this.ended = true
    this.waitingFor = undefined
    if (this.event !== undefined) this.event.live = false
    this.group.bodyEnded("cancelled", undefined)
  }

  /** The model's exit of the ended group. */
  exit(): ModelExit {
    const errors = this.group.failures.flat()
    if (errors.length > 0) return { errors, interrupted: this.outsideInterrupted }
    if (this.outsideInterrupted) return { errors: [], interrupted: true }
    return { value: valueOf(this.spec), errors: [], interrupted: false }
  }
}

/** The kernel's runtime on the virtual clock. */
class FuzzRuntime implements Runtime<FuzzTask> {
  readonly clock = new Clock()
  readonly probe: Probe = Fuzz.newProbe<FuzzTask>()
  readonly bodies = new Map<Group<FuzzTask, any>, Body>()

  startAttempt(task: FuzzTask): void {
    const spec = task.run
    this.probe.started.set(spec.id, this.clock.now)
    if (spec.kind === "group") {
      task.child = new Body(this, spec, task)
      return task.child.start()
    }
    if (spec.duration === 0) return this.leafEnded(task, spec)
    const group = task.group!
    const spawns = spec.spawns
    if (spawns !== undefined) {
      task.events.push(
        this.clock.at(this.clock.now + spawns.after, () => this.bodies.get(group)!.spawn(spawns.task, false))
      )
    }
    task.events.push(this.clock.at(this.clock.now + spec.duration, () => this.leafEnded(task, spec)))
  }

  leafEnded(task: FuzzTask, spec: LeafSpec): void {
    Fuzz.recordFinalized(this.probe, spec.id, this.clock.now)
    for (const event of task.events) event.live = false
    const failure = spec.outcome === "succeed" ? [] : [`${spec.outcome}:${spec.id}`]
    if (task.phase !== "cancelling") {
      return task.group!.end(
        task,
        failure.length === 0 ? "succeeded" : "failed",
        failure.length === 0 ? valueOf(spec) : failure
      )
    }
    const errors = spec.finalizerDies ? [...failure, `fin:${spec.id}`] : failure
    task.group!.end(task, errors.length === 0 ? "cancelled" : "failedWhileStopping", errors)
  }

  interrupt(task: FuzzTask): void {
    const spec = task.run
    if (spec.kind === "group") {
      const child = task.child!
      if (child.group.state !== "closed") child.outsideInterrupted = true
      return child.group.shutdown()
    }
    if (spec.stubborn) return
    Fuzz.recordFinalized(this.probe, spec.id, this.clock.now)
    for (const event of task.events) event.live = false
    task.group!.end(task, spec.finalizerDies ? "failedWhileStopping" : "cancelled", [`fin:${spec.id}`])
  }

  now(): number {
    return this.clock.now
  }

  setTimer<A>(ms: number, fire: (target: A) => void, target: A): unknown {
    return this.clock.at(this.clock.now + ms, () => fire(target))
  }

  clearTimer(timer: unknown): void {
    ;(timer as { live: boolean }).live = false
  }

  warn(): void {}

  scheduleFlush(): void {
    throw new Error("the fuzz spawns now only")
  }

  taskEnded(task: FuzzTask): void {
    const group = [...this.bodies.values()].find((body) => body.own.includes(task))
    group?.taskEnded(task)
  }

  shuttingDown(group: Group<FuzzTask>): void {
    this.bodies.get(group)!.interrupted()
  }

  groupEnded(group: Group<FuzzTask, any>): void {
    const body = this.bodies.get(group)!
    if (body.scoped) return body.ownerEnded()
    this.probe.ended.set(body.spec.id, { time: this.clock.now, allReady: body.own.every((task) => task.ready) })
    const task = body.task
    if (task === undefined) return
    const exit = body.exit()
    const ending: Ending =
      exit.errors.length > 0
        ? exit.interrupted
          ? "failedWhileStopping"
          : "failed"
        : exit.interrupted
          ? "cancelled"
          : "succeeded"
    task.group!.end(task, ending, exit.errors.length > 0 ? exit.errors : exit.value)
  }
}

/** How a kernel task reads as a model exit. */
const exitOf = (task: FuzzTask): ModelExit => {
  const outcome = task.outcome
  switch (task.ending) {
    case "succeeded":
      return { value: outcome as string, errors: [], interrupted: false }
    case "failed":
      return { errors: outcome as Array<string>, interrupted: false }
    case "failedWhileStopping":
      return { errors: outcome as Array<string>, interrupted: true }
    default:
      return { errors: [], interrupted: true }
  }
}

const same = (a: ModelExit, b: ModelExit): boolean =>
  a.value === b.value && a.interrupted === b.interrupted && a.errors.toSorted().join() === b.errors.toSorted().join()

const terms: Fuzz.Terms<FuzzTask> = {
  ended: "ended",
  finalized: "ended",
  ready: (task) => task.ready,
  differs: (task, expected) =>
    same(exitOf(task), expected!) ? undefined : `${Fuzz.show(exitOf(task))}, expected ${Fuzz.show(expected)}`
}

const check = (scenario: Scenario): Promise<ReadonlyArray<string>> => {
  const sim = simulate(semantics, scenario, 0)
  if (sim.ambiguous) return Promise.resolve([Fuzz.ambiguous])
  const runtime = new FuzzRuntime()
  const scoped = scenario.scoped === true
  const root = new Body(runtime, scenario.root, undefined, scoped ? "scope" : "body")
  if (scenario.interruptAt !== undefined) {
    runtime.clock.at(scenario.interruptAt, () => {
      if (scoped) return root.group.cancel()
      if (root.group.state !== "closed") root.outsideInterrupted = true
      root.group.shutdown()
    })
  }
  root.start()
  runtime.clock.run()
  const problems: Array<string> = []
  if (root.group.state !== "closed") return Promise.resolve(["the root group had not ended once every event had run"])
  // A scoped group's outcome is its owner's: what joining gave, or how the owner died.
  const [expected, expectedEnd] = scoped
    ? [sim.root!.ownerExit!, sim.root!.ownerEndTime]
    : [sim.root!.exit!, sim.root!.endTime]
  const actual = scoped ? root.ownerExit : root.exit()
  if (actual === undefined) return Promise.resolve(["the owner of the scoped group never ended"])
  if (!same(actual, expected)) problems.push(`root group: ${Fuzz.show(actual)}, expected ${Fuzz.show(expected)}`)
  Fuzz.compareTree(problems, sim, runtime.probe, expectedEnd, terms)
  if (runtime.clock.pending > 0) problems.push(`${runtime.clock.pending} events still pending`)
  return Promise.resolve(problems)
}

describe("the kernel against the model", () => {
  it("flat groups: fail fast, settle, concurrency, cancels, stubborn tasks, tasks ending at once, interruptions", () =>
    Fuzz.fuzz(scenarioArb(leaves, { depth: 0, maxDuration: 1000 }), check, Fuzz.runs(2000)))

  it("scoped groups (the owner spawns from outside, joins, or dies of a refusal), cancelled from outside", () =>
    Fuzz.fuzz(scenarioArb(leaves, { depth: 1, maxDuration: 1000, scoped: true }), check, Fuzz.runs(1000)))

  it("nested groups, three levels deep", () =>
    Fuzz.fuzz(scenarioArb(leaves, { depth: 3, maxDuration: 1000 }), check, Fuzz.runs(1000)))
})
