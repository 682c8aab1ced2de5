// How both packages' fuzzers run and judge a case: the property runner (seed, number of
// cases, ties), and the comparisons of what a real run left behind (a `Probe`) with the
// simulation that every task and group share. Each package's fuzz.test.ts builds and runs
// the tasks, and compares the values and errors, in its own terms.
import * as fc from "fast-check"
import type { ModelExit } from "./scenario.ts"
import type { SimTask, Simulation } from "./simulation.ts"

const stress = process.env.SOONIFY_STRESS === "1"

/** Deterministic: a fixed seed, unless SOONIFY_FUZZ_SEED picks another. */
const seed = Number(process.env.SOONIFY_FUZZ_SEED ?? 20261122)

/** `normal` cases, or twenty times as many in `pnpm test:stress` (SOONIFY_STRESS=1). */
export const runs = (normal: number): number => (stress ? normal * 20 : normal)

/** What a check gives for a case the model refuses (two independent events at one instant). */
export const ambiguous = "ambiguous"

/**
 * Asserts that `check` finds no problem in `numRuns` inputs; a failure shows the smallest
 * input that breaks it, with the problems found.
 */
export const fuzz = async <A>(
  arbitrary: fc.Arbitrary<A>,
  check: (input: A) => Promise<ReadonlyArray<string>>,
  numRuns: number
): Promise<void> => {
  let ties = 0
  await fc.assert(
    fc.asyncProperty(arbitrary, async (input) => {
      const problems = await check(input)
      if (problems.length === 1 && problems[0] === ambiguous) {
        ties++
        return true
      }
      if (problems.length > 0) throw new Error(problems.join("\n"))
      return true
    }),
    { numRuns, seed, endOnFailure: false }
  )
  // Ties are rare by design; if many cases were ties, the fuzzing would check little.
  if (ties > numRuns / 10) throw new Error(`${ties} of ${numRuns} scenarios had simultaneous events`)
}

/** A model exit, as the problems list it. */
export const show = (exit: ModelExit | undefined): string =>
  exit === undefined
    ? "(none)"
    : exit.value !== undefined
      ? `value ${exit.value}`
      : `${exit.interrupted ? "interrupted" : "failed"} [${exit.errors.toSorted().join(", ")}]`

/** What a real run left behind, to compare with the model; `H` is the package's handle. */
export interface Probe<H> {
  readonly handles: Map<number, H>
  /** When each task and group started running. */
  readonly started: Map<number, number>
  /** Leaves: how many times the task's end was recorded (its finalizer ran, its promise settled), and when it last was. */
  readonly finalized: Map<number, { count: number; time: number }>
  /** Groups: when they ended, and whether every handle was ready then. */
  readonly ended: Map<number, { time: number; allReady: boolean }>
}

export const newProbe = <H>(): Probe<H> => ({
  handles: new Map(),
  started: new Map(),
  finalized: new Map(),
  ended: new Map()
})

/** Records that a leaf ended (or settled) at `time`. */
export const recordFinalized = (probe: Probe<unknown>, id: number, time: number): void => {
  const record = probe.finalized.get(id)
  if (record === undefined) probe.finalized.set(id, { count: 1, time })
  else record.count++
}

/** How a package says what the model compares. */
export interface Terms<H> {
  /** How a group's or a leaf's end reads: "ended" (core) or "settled" (interop). */
  readonly ended: string
  /** What a leaf's end count counts: "finalizer ran" (core) or "settled" (interop). */
  readonly finalized: string
  /** Whether the handle has ended. */
  readonly ready: (handle: H) => boolean
  /** How the ended handle differs from the model's exit; undefined when they agree. */
  readonly differs: (handle: H, expected: ModelExit | undefined) => string | undefined
}

/** Checks that a leaf started when the model says, and ended once, when the model says. */
export const compareLeaf = (
  problems: Array<string>,
  name: string,
  task: SimTask,
  probe: Probe<unknown>,
  terms: Pick<Terms<unknown>, "ended" | "finalized">
): void => {
  const id = task.spec.id
  const finalized = probe.finalized.get(id)
  const count = finalized?.count ?? 0
  if (count !== (task.started ? 1 : 0)) problems.push(`${name}: ${terms.finalized} ${count} times`)
  if (task.started && finalized?.time !== task.endTime) {
    problems.push(`${name}: ${terms.ended} at ${finalized?.time}, expected ${task.endTime}`)
  }
}

/** Checks that a task started when the model says. */
export const compareStart = (problems: Array<string>, name: string, task: SimTask, probe: Probe<unknown>): void => {
  const started = probe.started.get(task.spec.id)
  if (started !== task.startTime) problems.push(`${name}: started at ${started}, expected ${task.startTime}`)
}

/**
 * Compares the run of a whole tree with the model, after the root group ended at the
 * model's `expectedEnd`: when it ended, and for every task its handle, its exit, when it
 * started, and when it (or its group) ended; and that no task ran that the model lacks.
 */
export const compareTree = <H>(
  problems: Array<string>,
  sim: Simulation,
  probe: Probe<H>,
  expectedEnd: number | undefined,
  terms: Terms<H>
): void => {
  const rootEnd = probe.ended.get(sim.root!.spec.id)
  if (rootEnd?.time !== expectedEnd) problems.push(`root group ended at ${rootEnd?.time}, expected ${expectedEnd}`)
  if (rootEnd?.allReady !== true) problems.push("root group ended before all its tasks")
  for (const [id, task] of sim.tasks) {
    const handle = probe.handles.get(id)
    if (handle === undefined) {
      problems.push(`task ${id}: no handle`)
      continue
    }
    if (!terms.ready(handle)) {
      problems.push(`task ${id}: not ready after the root group ${terms.ended}`)
      continue
    }
    const difference = terms.differs(handle, task.exit)
    if (difference !== undefined) problems.push(`task ${id}: ${difference}`)
    compareStart(problems, `task ${id}`, task, probe)
    if (task.spec.kind === "leaf") {
      compareLeaf(problems, `task ${id}`, task, probe, terms)
    } else if (task.started) {
      const ended = probe.ended.get(id)
      if (ended?.time !== task.endTime)
        problems.push(`group ${id}: ${terms.ended} at ${ended?.time}, expected ${task.endTime}`)
      if (ended?.allReady !== true) problems.push(`group ${id}: ${terms.ended} before all its tasks`)
    }
  }
  for (const id of probe.handles.keys())
    if (!sim.tasks.has(id)) problems.push(`task ${id}: spawned, but not in the model`)
}
