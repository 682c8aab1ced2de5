// Model-based fuzzing of taskGroup and gather: random trees of groups and promise tasks,
// driven by a virtual clock, each outcome checked against an exact simulation
// (test-setup/fuzz/, shared with core; interop's part is test/fuzz/model.ts).
// Deterministic: a fixed seed, and tasks that settle only when the test fires their
// timers. SOONIFY_STRESS=1 (`pnpm test:stress`) runs twenty times as many cases;
// SOONIFY_FUZZ_SEED picks another seed.
import { describe, it } from "vitest"
import { gather, type SoonValue, type TaskGroup, taskGroup } from "@soonify/interop"
import * as Fuzz from "../../../test-setup/fuzz/check.ts"
import {
  type GroupSpec,
  type LeafSpec,
  type ModelExit,
  type Scenario,
  type TaskSpec,
  valueOf
} from "../../../test-setup/fuzz/scenario.ts"
import { combined, gatherArb, scenarioArb, simulate } from "./fuzz/model.ts"
import { VirtualTime } from "./fuzz/virtualTime.ts"

class InjectedError extends Error {
  readonly id: number
  constructor(id: number) {
    super(`injected failure ${id}`)
    this.id = id
  }
}
/** What a task rejects with when it is cancelled and fails instead of stopping quietly. */
class AbortFailure extends Error {
  readonly id: number
  constructor(id: number) {
    super(`task ${id} failed while being cancelled`)
    this.id = id
  }
}
/** A rejection that is not an Error. */
interface Thrown {
  readonly thrown: number
}

/** The outside signal's reason. */
const outside = new Error("aborted from outside")

/** The label the model gives a rejection; anything else is unexpected. */
const labelOf = (error: unknown): string => {
  if (error instanceof InjectedError) return `fail:${error.id}`
  if (error instanceof AbortFailure) return `fin:${error.id}`
  if (typeof error === "object" && error !== null && "thrown" in error) return `die:${(error as Thrown).thrown}`
  if (error instanceof AggregateError) return combined(error.errors.map(labelOf))
  if (error === outside) return "outside"
  return `unexpected ${String(error)}`
}

/** How a handle that ended with `exit` reads: its status, and its value or error. */
const expectedRead = (exit: ModelExit): string =>
  exit.value !== undefined
    ? `fulfilled ${exit.value}`
    : exit.errors.length > 0
      ? `rejected ${combined(exit.errors)}`
      : "cancelled"

const actualRead = (soon: SoonValue<unknown>): string =>
  soon.status === "fulfilled"
    ? `fulfilled ${String(soon.value)}`
    : soon.status === "rejected"
      ? `rejected ${labelOf(soon.exception)}`
      : soon.status

/** How a group's promise settles for `exit`: its value, its error(s), or the outside reason. */
const expectedSettle = (exit: ModelExit): string =>
  exit.value !== undefined
    ? `resolved ${exit.value}`
    : exit.errors.length > 0
      ? `rejected ${combined(exit.errors)}`
      : "rejected outside"

type Probe = Fuzz.Probe<SoonValue<unknown>>

interface Home {
  readonly spawn: (task: TaskSpec) => void
}

const finalize = (spec: LeafSpec, probe: Probe, clock: VirtualTime) => Fuzz.recordFinalized(probe, spec.id, clock.now)

/** A task that settles at once: returns its value or throws. */
const syncLeaf = (spec: LeafSpec, probe: Probe, clock: VirtualTime) => (_signal: AbortSignal) => {
  probe.started.set(spec.id, clock.now)
  try {
    if (spec.outcome === "fail") throw new InjectedError(spec.id)
    if (spec.outcome === "die") throw { thrown: spec.id } satisfies Thrown
    return valueOf(spec)
  } finally {
    finalize(spec, probe, clock)
  }
}

const leaf = (spec: LeafSpec, probe: Probe, clock: VirtualTime, home: Home | undefined) => (signal: AbortSignal) => {
  if (spec.duration === 0) return syncLeaf(spec, probe, clock)(signal)
  const start = clock.now
  probe.started.set(spec.id, start)
  return new Promise<string>((resolve, reject) => {
    const spawns = spec.spawns
    const cancelSpawn =
      spawns === undefined || home === undefined
        ? undefined
        : clock.at(start + spawns.after, () => home.spawn(spawns.task))
    const cancelEnd = clock.at(start + spec.duration, () => {
      if (spec.outcome === "succeed") resolve(valueOf(spec))
      else if (spec.outcome === "fail") reject(new InjectedError(spec.id))
      else reject({ thrown: spec.id } satisfies Thrown)
    })
    if (!spec.stubborn) {
      signal.addEventListener(
        "abort",
        () => {
          cancelSpawn?.()
          cancelEnd()
          reject(spec.finalizerDies ? new AbortFailure(spec.id) : signal.reason)
        },
        { once: true }
      )
    }
  }).finally(() => finalize(spec, probe, clock))
}

const group = (spec: GroupSpec, probe: Probe, clock: VirtualTime, signal?: AbortSignal): Promise<string> => {
  probe.started.set(spec.id, clock.now)
  // Every task spawned into the group, by the body or by a task: the targets of `cancel`.
  const own: Array<SoonValue<unknown>> = []
  const settled = taskGroup(
    async (tg: TaskGroup) => {
      const home: Home = {
        spawn: (task) => {
          const soon =
            task.kind === "leaf"
              ? tg.spawn(leaf(task, probe, clock, home))
              : tg.spawn((signal) => group(task, probe, clock, signal))
          probe.handles.set(task.id, soon)
          own.push(soon)
        }
      }
      for (const task of spec.initial) home.spawn(task)
      for (const step of spec.steps) {
        await clock.sleep(step.gap, tg.signal)
        if (step.op === "spawn") home.spawn(step.task)
        else if (own.length > 0) await own[step.target % own.length].cancel()
      }
      await clock.sleep(spec.bodyEnd.gap, tg.signal)
      if (spec.bodyEnd.outcome === "fail") throw new InjectedError(spec.id)
      if (spec.bodyEnd.outcome === "die") throw { thrown: spec.id } satisfies Thrown
      return valueOf(spec)
    },
    { mode: spec.mode, concurrency: spec.concurrency === "unbounded" ? Infinity : spec.concurrency, signal }
  )
  const record = () => probe.ended.set(spec.id, { time: clock.now, allReady: own.every((soon) => soon.ready) })
  settled.then(record, record)
  return settled
}

/** How interop's handles read, for the comparisons the fuzzers share. */
const terms: Fuzz.Terms<SoonValue<unknown>> = {
  ended: "settled",
  finalized: "settled",
  ready: (soon) => soon.ready,
  differs: (soon, expected) => {
    const read = actualRead(soon)
    return read === expectedRead(expected!)
      ? undefined
      : `${read}, expected ${expectedRead(expected!)} (${Fuzz.show(expected)})`
  }
}

/** Settles as `resolved X` / `rejected LABEL`, or `pending`. */
const watch = (promise: Promise<unknown>) => {
  let state = "pending"
  promise.then(
    (value) => {
      state = `resolved ${Array.isArray(value) ? "[array]" : String(value)}`
    },
    (error) => {
      state = `rejected ${labelOf(error)}`
    }
  )
  return () => state
}

/** Runs one scenario on virtual time; returns what differs from the model (empty when all is well). */
const check = async (scenario: Scenario): Promise<Array<string>> => {
  const sim = simulate(scenario, 0)
  if (sim.ambiguous) return [Fuzz.ambiguous]
  const clock = new VirtualTime()
  const probe = Fuzz.newProbe<SoonValue<unknown>>()
  const controller = new AbortController()
  if (scenario.interruptAt !== undefined) clock.at(scenario.interruptAt, () => controller.abort(outside))
  const state = watch(group(scenario.root, probe, clock, controller.signal))
  await clock.run()
  // Every failure read: a settle group's failure left unread in a handle would be
  // reported (as an unhandled rejection) once the handle is collected.
  for (const soon of probe.handles.values()) void soon.exception
  const problems: Array<string> = []
  const expected = sim.root!
  const settled = state()
  if (settled === "pending") return ["the root group had not settled once every timer had fired"]
  if (settled !== expectedSettle(expected.exit!))
    problems.push(`root group: ${settled}, expected ${expectedSettle(expected.exit!)}`)
  Fuzz.compareTree(problems, sim, probe, expected.endTime, terms)
  if (clock.pending > 0) problems.push(`${clock.pending} timers still pending: a task was abandoned`)
  return problems
}

/** Runs gather over leaf thunks on virtual time; returns what differs from the model. */
const checkGather = async (scenario: Scenario, returnExceptions: boolean): Promise<Array<string>> => {
  const sim = simulate(scenario, 0)
  if (sim.ambiguous) return [Fuzz.ambiguous]
  const clock = new VirtualTime()
  const probe = Fuzz.newProbe<SoonValue<unknown>>()
  const controller = new AbortController()
  if (scenario.interruptAt !== undefined) clock.at(scenario.interruptAt, () => controller.abort(outside))
  const leaves = scenario.root.initial as ReadonlyArray<LeafSpec>
  let slots: ReadonlyArray<unknown> | undefined
  const gathered = gather(
    leaves.map((spec) => leaf(spec, probe, clock, undefined)),
    {
      returnExceptions,
      concurrency: scenario.root.concurrency === "unbounded" ? Infinity : scenario.root.concurrency,
      signal: controller.signal
    }
  )
  gathered.then(
    (values) => (slots = values),
    () => {}
  )
  const state = watch(gathered)
  await clock.run()
  // Every failure read: a settle group's failure left unread in a handle would be
  // reported (as an unhandled rejection) once the handle is collected.
  for (const soon of probe.handles.values()) void soon.exception
  const problems: Array<string> = []
  const expected = sim.root!.exit!
  const tasks = leaves.map((spec) => sim.tasks.get(spec.id)!)
  const settled = state()
  if (settled === "pending") return ["gather had not settled once every timer had fired"]
  if (expected.value === undefined) {
    if (settled !== expectedSettle(expected)) problems.push(`gather: ${settled}, expected ${expectedSettle(expected)}`)
  } else if (slots === undefined) {
    problems.push(`gather: ${settled}, expected its values`)
  } else {
    if (slots.length !== leaves.length) problems.push(`gather: ${slots.length} slots for ${leaves.length} tasks`)
    tasks.forEach((task, i) => {
      // In input order: slot i is task i, whatever order they settled in.
      const exit = task.exit!
      const want = exit.value !== undefined ? exit.value : exit.errors.length > 0 ? combined(exit.errors) : "cancelled"
      const slot = slots![i]
      const got =
        typeof slot === "string"
          ? slot
          : slot instanceof Error && slot.name === "CancelledError"
            ? "cancelled"
            : labelOf(slot)
      if (got !== want) problems.push(`slot ${i}: ${got}, expected ${want}`)
    })
  }
  for (const task of tasks) {
    Fuzz.compareLeaf(problems, `task ${task.spec.id}`, task, probe, terms)
    Fuzz.compareStart(problems, `task ${task.spec.id}`, task, probe)
  }
  if (clock.pending > 0) problems.push(`${clock.pending} timers still pending: a task was abandoned`)
  return problems
}

describe("taskGroup fuzzing against a model", () => {
  it(
    "flat groups: fail fast, settle, concurrency, cancels, sync tasks, tasks that ignore or fail their signal, aborts",
    { timeout: 600_000 },
    () => Fuzz.fuzz(scenarioArb({ depth: 0, maxDuration: 1000 }), check, Fuzz.runs(1000))
  )

  it("nested groups, two levels deep", { timeout: 600_000 }, () =>
    Fuzz.fuzz(scenarioArb({ depth: 2, maxDuration: 1000 }), check, Fuzz.runs(1000))
  )

  it("gather: results in input order, fail fast or returnExceptions, concurrency, aborts", { timeout: 600_000 }, () =>
    Fuzz.fuzz(
      gatherArb(1000),
      ({ scenario, returnExceptions }) => checkGather(scenario, returnExceptions),
      Fuzz.runs(500)
    )
  )
})
