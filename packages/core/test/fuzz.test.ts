// Model-based fuzzing of TaskGroup.run and TaskGroup.gather: random trees of groups and
// tasks run on the TestClock, and each outcome is checked against an exact simulation
// (test-setup/fuzz/, shared with interop; core's part is test/fuzz/model.ts).
// Deterministic: a fixed seed and virtual time. SOONIFY_STRESS=1 (`pnpm test:stress`)
// runs twenty times as many cases; SOONIFY_FUZZ_SEED picks another seed.
import { describe, it } from "@effect/vitest"
import { Cause, Clock, Data, Deferred, Effect, Exit, Fiber, Metric } from "effect"
import type * as Context from "effect/Context"
import { TestClock } from "effect/testing"
import { isTaskGroupClosed, SoonValue, TaskGroup } from "@soonify/core"
import * as Fuzz from "../../../test-setup/fuzz/check.ts"
import {
  type GroupSpec,
  type LeafSpec,
  type ModelExit,
  type Scenario,
  type TaskSpec,
  valueOf
} from "../../../test-setup/fuzz/scenario.ts"
import { gatherArb, scenarioArb, simulate } from "./fuzz/model.ts"
import { yieldTimes } from "./support.ts"

class InjectedFailure extends Data.TaggedError("InjectedFailure")<{ readonly id: number }> {}
class InjectedDefect extends Error {
  readonly id: number
  constructor(id: number) {
    super(`injected defect ${id}`)
    this.id = id
  }
}
class FinalizerDefect extends Error {
  readonly id: number
  constructor(id: number) {
    super(`finalizer of ${id} died`)
    this.id = id
  }
}

/** The label the model gives a failure; anything else is unexpected. */
const labelOf = (reason: Cause.Reason<unknown>): string => {
  const error = reason._tag === "Fail" ? reason.error : reason._tag === "Die" ? reason.defect : undefined
  if (error instanceof InjectedFailure) return `fail:${error.id}`
  if (error instanceof InjectedDefect) return `die:${error.id}`
  if (error instanceof FinalizerDefect) return `fin:${error.id}`
  if (isTaskGroupClosed(error)) return "closed"
  return `unexpected ${reason._tag}: ${String(error)}`
}

/** An Exit as the model describes one. */
const modelOf = (exit: Exit.Exit<unknown, unknown>): ModelExit =>
  Exit.isSuccess(exit)
    ? { value: exit.value as string, errors: [], interrupted: false }
    : {
        errors: exit.cause.reasons.filter((r) => !Cause.isInterruptReason(r)).map(labelOf),
        interrupted: Cause.hasInterrupts(exit.cause)
      }

/** What the real run left behind, to compare with the model: with the fibers the leaves ran on. */
interface Probe extends Fuzz.Probe<SoonValue.SoonValue<unknown, unknown>> {
  readonly fibers: Array<Fiber.Fiber<unknown, unknown>>
}

const makeProbe = (): Probe => ({ ...Fuzz.newProbe(), fibers: [] })

/** A group as its tasks see it: where a task spawns its own spawns. */
interface Home {
  readonly spawn: (task: TaskSpec) => Effect.Effect<void, unknown>
}

const sleepUntil = (time: number) =>
  Effect.flatMap(Clock.currentTimeMillis, (now) => (time > now ? Effect.sleep(time - now) : Effect.void))

const leaf = (spec: LeafSpec, probe: Probe, home: Home | undefined): Effect.Effect<string, unknown> => {
  const work = Effect.withFiber((fiber) =>
    Effect.gen(function* () {
      probe.fibers.push(fiber)
      const start = yield* Clock.currentTimeMillis
      probe.started.set(spec.id, start)
      if (spec.spawns !== undefined && home !== undefined) {
        yield* Effect.sleep(spec.spawns.after)
        yield* home.spawn(spec.spawns.task)
      }
      yield* sleepUntil(start + spec.duration)
      if (spec.outcome === "fail") return yield* Effect.fail(new InjectedFailure({ id: spec.id }))
      if (spec.outcome === "die") return yield* Effect.die(new InjectedDefect(spec.id))
      return valueOf(spec)
    })
  )
  return (spec.stubborn ? Effect.uninterruptible(work) : work).pipe(
    Effect.onExit((exit) =>
      Effect.flatMap(Clock.currentTimeMillis, (time) => {
        Fuzz.recordFinalized(probe, spec.id, time)
        return spec.finalizerDies && Exit.hasInterrupts(exit) ? Effect.die(new FinalizerDefect(spec.id)) : Effect.void
      })
    )
  )
}

/**
 * What a group's body (or a scoped group's owner) does: spawns, then steps (spawn or
 * cancel, each after a sleep), then sleeps until its end. `own` gathers every task
 * spawned into the group, by the body or by a task: the targets of `cancel`.
 */
const drive = <R>(
  spec: GroupSpec,
  probe: Probe,
  spawn: (task: Effect.Effect<unknown, unknown>) => Effect.Effect<SoonValue.SoonValue<unknown, unknown>, never, R>,
  own: Array<SoonValue.SoonValue<unknown, unknown>>
): Effect.Effect<void, unknown, R> => {
  const home: Home = {
    // Tasks spawn into their group too; the types of what they carry are not what this test checks.
    spawn: (task) =>
      Effect.map(spawn(task.kind === "leaf" ? leaf(task, probe, home) : group(task, probe)), (handle) => {
        probe.handles.set(task.id, handle)
        own.push(handle)
      }) as Effect.Effect<void>
  }
  return Effect.gen(function* () {
    for (const task of spec.initial) yield* home.spawn(task)
    for (const step of spec.steps) {
      yield* Effect.sleep(step.gap)
      if (step.op === "spawn") yield* home.spawn(step.task)
      else if (own.length > 0) yield* own[step.target % own.length].cancel
    }
    yield* Effect.sleep(spec.bodyEnd.gap)
  })
}

/** Records when a group's block ended, and whether every task had ended then. */
const recordEnd =
  (spec: GroupSpec, probe: Probe, own: ReadonlyArray<SoonValue.SoonValue<unknown, unknown>>) =>
  <A, E>(self: Effect.Effect<A, E>): Effect.Effect<A, E> =>
    Effect.onExit(self, () =>
      Effect.map(Clock.currentTimeMillis, (time) => {
        probe.ended.set(spec.id, { time, allReady: own.every((handle) => handle.ready) })
      })
    )

const group = (spec: GroupSpec, probe: Probe): Effect.Effect<string, unknown> =>
  Effect.suspend(() => {
    const own: Array<SoonValue.SoonValue<unknown, unknown>> = []
    return Effect.flatMap(Clock.currentTimeMillis, (start) => {
      probe.started.set(spec.id, start)
      return TaskGroup.run(
        (tg) =>
          Effect.gen(function* () {
            yield* drive(spec, probe, (task) => tg.spawn(task), own)
            if (spec.bodyEnd.outcome === "fail") return yield* Effect.fail(new InjectedFailure({ id: spec.id }))
            if (spec.bodyEnd.outcome === "die") return yield* Effect.die(new InjectedDefect(spec.id))
            return valueOf(spec)
          }),
        { mode: spec.mode, concurrency: spec.concurrency }
      ).pipe(recordEnd(spec, probe, own))
    })
  })

/** A scoped group (`TaskGroup.make`) whose owner drives it, then joins it; `made` receives it. */
const scopedGroup = (
  spec: GroupSpec,
  probe: Probe,
  made: Deferred.Deferred<TaskGroup.TaskGroup<unknown, never>>
): Effect.Effect<string, unknown> =>
  Effect.suspend(() => {
    const own: Array<SoonValue.SoonValue<unknown, unknown>> = []
    return Effect.scoped(
      Effect.gen(function* () {
        probe.started.set(spec.id, yield* Clock.currentTimeMillis)
        const tg = yield* TaskGroup.make<unknown>({ mode: spec.mode, concurrency: spec.concurrency })
        yield* Deferred.succeed(made, tg)
        yield* drive(spec, probe, (task) => tg.spawn(task), own)
        yield* TaskGroup.join(tg)
        return valueOf(spec)
      })
    ).pipe(recordEnd(spec, probe, own))
  })

/** Counts the fibers made inside the scenario that have not ended yet. */
const fiberCounter = () => {
  const counter = { live: 0 }
  const service: Metric.FiberRuntimeMetricsService = {
    recordFiberStart: (_context: Context.Context<never>) => void counter.live++,
    recordFiberEnd: () => void counter.live--
  }
  return { counter, service }
}

/** Long enough for fibers forked several hops deep to reach their first sleep. */
const settle = yieldTimes(21)

/** The root group starts at this time: inside a TestClock wake, where every hop is tracked. */
const rootStart = 1

/** Runs one scenario on the TestClock and returns what differs from the model (empty when all is well). */
const check = (scenario: Scenario): Effect.Effect<Array<string>> =>
  Effect.gen(function* () {
    const sim = simulate(scenario, rootStart)
    if (sim.ambiguous) return [Fuzz.ambiguous]
    const probe = makeProbe()
    const { counter, service } = fiberCounter()
    const made = yield* Deferred.make<TaskGroup.TaskGroup<unknown, never>>()
    const rootGroup = scenario.scoped === true ? scopedGroup(scenario.root, probe, made) : group(scenario.root, probe)
    const root = yield* Effect.forkChild(
      Effect.andThen(Effect.sleep(rootStart), Effect.provideService(rootGroup, Metric.FiberRuntimeMetrics, service))
    )
    if (scenario.interruptAt !== undefined) {
      const stop =
        scenario.scoped === true ? Effect.flatMap(Deferred.await(made), TaskGroup.cancel) : Fiber.interrupt(root)
      yield* Effect.forkChild(Effect.andThen(Effect.sleep(rootStart + scenario.interruptAt), stop))
    }
    yield* settle
    yield* TestClock.adjust(1_000_000_000)
    yield* settle
    const problems: Array<string> = []
    const rootExit = root.pollUnsafe()
    if (rootExit === undefined) return ["the root group had not ended once every sleep was over"]
    const expected = sim.root!
    // A scoped group's outcome is its owner's: what `join` gave, or how the owner died.
    const [expectedExit, expectedEnd] =
      scenario.scoped === true ? [expected.ownerExit, expected.ownerEndTime] : [expected.exit, expected.endTime]
    compareExit(problems, "root group", expectedExit, modelOf(rootExit))
    Fuzz.compareTree(problems, sim, probe, expectedEnd, terms)
    for (const id of probe.started.keys()) {
      if (id !== scenario.root.id && sim.tasks.get(id)?.started !== true)
        problems.push(`task ${id}: ran, but not in the model`)
    }
    const running = probe.fibers.filter((fiber) => fiber.pollUnsafe() === undefined).length
    if (running > 0) problems.push(`${running} task fibers still running`)
    if (counter.live !== 0) problems.push(`${counter.live} fibers made in the group still running`)
    return problems
  }).pipe(Effect.provide(TestClock.layer()))

const compareExit = (problems: Array<string>, what: string, expected: ModelExit | undefined, actual: ModelExit) => {
  if (Fuzz.show(expected) !== Fuzz.show(actual))
    problems.push(`${what}: ${Fuzz.show(actual)}, expected ${Fuzz.show(expected)}`)
}

/** How core's handles and Exits read, for the comparisons the fuzzers share. */
const terms: Fuzz.Terms<SoonValue.SoonValue<unknown, unknown>> = {
  ended: "ended",
  finalized: "finalizer ran",
  ready: (handle) => SoonValue.pollUnsafe(handle) !== undefined,
  differs: (handle, expected) => {
    const actual = modelOf(SoonValue.pollUnsafe(handle)!)
    return Fuzz.show(expected) === Fuzz.show(actual)
      ? undefined
      : `${Fuzz.show(actual)}, expected ${Fuzz.show(expected)}`
  }
}

/** Runs a check on its own TestClock, as the shared fuzz runner wants it: a promise. */
const run =
  <A>(check: (input: A) => Effect.Effect<Array<string>>) =>
  (input: A): Promise<Array<string>> =>
    Effect.runPromise(check(input))

/** Runs `TaskGroup.gather` over leaves on the TestClock; returns what differs from the model. */
const checkGather = (scenario: Scenario, returnExceptions: boolean): Effect.Effect<Array<string>> =>
  Effect.gen(function* () {
    const sim = simulate(scenario, rootStart)
    if (sim.ambiguous) return [Fuzz.ambiguous]
    const probe = makeProbe()
    const { counter, service } = fiberCounter()
    const leaves = scenario.root.initial as ReadonlyArray<LeafSpec>
    const gathered = TaskGroup.gather(
      leaves.map((spec) => leaf(spec, probe, undefined)),
      { returnExceptions, concurrency: scenario.root.concurrency }
    )
    const root = yield* Effect.forkChild(
      Effect.andThen(Effect.sleep(rootStart), Effect.provideService(gathered, Metric.FiberRuntimeMetrics, service))
    )
    if (scenario.interruptAt !== undefined) {
      yield* Effect.forkChild(Effect.andThen(Effect.sleep(rootStart + scenario.interruptAt), Fiber.interrupt(root)))
    }
    yield* settle
    yield* TestClock.adjust(1_000_000_000)
    yield* settle
    const problems: Array<string> = []
    const exit = root.pollUnsafe()
    if (exit === undefined) return ["gather had not ended once every sleep was over"]
    const expected = sim.root!.exit!
    const tasks = leaves.map((spec) => sim.tasks.get(spec.id)!)
    if (expected.value === undefined) {
      compareExit(problems, "gather", expected, modelOf(exit))
    } else if (!Exit.isSuccess(exit)) {
      problems.push(`gather: ${Fuzz.show(modelOf(exit))}, expected a success`)
    } else {
      const slots = exit.value as ReadonlyArray<unknown>
      if (slots.length !== leaves.length) problems.push(`gather: ${slots.length} slots for ${leaves.length} effects`)
      tasks.forEach((task, i) => {
        // In input order: slot i is effect i, whatever order they ended in.
        const slot = returnExceptions
          ? modelOf(slots[i] as Exit.Exit<unknown, unknown>)
          : modelOf(Exit.succeed(slots[i]))
        compareExit(problems, `slot ${i}`, task.exit, slot)
      })
    }
    for (const task of tasks) {
      Fuzz.compareLeaf(problems, `effect ${task.spec.id}`, task, probe, terms)
      Fuzz.compareStart(problems, `effect ${task.spec.id}`, task, probe)
    }
    if (counter.live !== 0) problems.push(`${counter.live} fibers made by gather still running`)
    return problems
  }).pipe(Effect.provide(TestClock.layer()))

describe("TaskGroup fuzzing against a model", () => {
  it("flat groups: fail fast, settle, concurrency, cancels, stubborn tasks, interruptions", { timeout: 600_000 }, () =>
    Fuzz.fuzz(scenarioArb({ depth: 0, maxDuration: 1000 }), run(check), Fuzz.runs(1000))
  )

  it("nested groups, two levels deep", { timeout: 600_000 }, () =>
    Fuzz.fuzz(scenarioArb({ depth: 2, maxDuration: 1000 }), run(check), Fuzz.runs(1000))
  )

  it("scoped groups (make, join), cancelled from outside, with nested groups", { timeout: 600_000 }, () =>
    Fuzz.fuzz(scenarioArb({ depth: 1, maxDuration: 1000, scoped: true }), run(check), Fuzz.runs(500))
  )

  it(
    "gather: results in input order, fail fast or returnExceptions, concurrency, interruptions",
    { timeout: 600_000 },
    () =>
      Fuzz.fuzz(
        gatherArb(1000),
        run(({ scenario, returnExceptions }) => checkGather(scenario, returnExceptions)),
        Fuzz.runs(500)
      )
  )
})
