// What the fuzzers of both packages generate: random trees of task groups and tasks
// (the specs), drawn by fast-check. Each package says how its leaves answer an
// interruption (`LeafKinds`); the trees, and the simulation that runs them
// (simulation.ts), are the same for both, since interop is built on core.
import * as fc from "fast-check"

export type Outcome = "succeed" | "fail" | "die"
export type Mode = "failFast" | "settle"

/**
 * A task that waits `duration` ms, then ends with `outcome`. With `duration` 0 it ends
 * at once, in the same synchronous run as its spawn (a plain function in interop).
 */
export interface LeafSpec {
  readonly kind: "leaf"
  readonly id: number
  readonly duration: number
  readonly outcome: Outcome
  /**
   * Once interrupted, it fails as it stops (core: its finalizer dies; interop: it rejects
   * with an error of its own when its signal aborts): a failure during shutdown.
   */
  readonly finalizerDies: boolean
  /**
   * It does not stop when interrupted (core: uninterruptible; interop: it ignores its
   * signal): it runs to its end, its failure (if it fails) adds to the interruption, and
   * whoever waits for it waits that long.
   */
  readonly stubborn: boolean
  /** A task it spawns into its own group `after` ms after it started (before it ends). */
  readonly spawns: { readonly after: number; readonly task: TaskSpec } | undefined
}

/** A nested group as a task. */
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
   * ms after the root group started, when it is stopped from outside: the fiber running
   * it is interrupted (its signal aborted, in interop), or, for a scoped root,
   * `TaskGroup.cancel` cancels it.
   */
  readonly interruptAt: number | undefined
  /**
   * The root is a scoped group (core's `TaskGroup.make`): its owner spawns and cancels
   * like a body, is never interrupted by the group, and ends with `TaskGroup.join`.
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

/** What a package's leaves can be: its own part of the generators. */
export interface LeafKinds {
  /** How a leaf answers an interruption: which of `finalizerDies` and `stubborn` it has. */
  readonly onInterrupt: fc.Arbitrary<{ readonly finalizerDies: boolean; readonly stubborn: boolean }>
  /**
   * Whether a leaf may end at once (`duration` 0), in flat groups and gather. A nested
   * group whose synchronous task fails ends a few microtasks later, while its parent's
   * body may still be spawning in the same synchronous run: the model does not follow
   * microtasks, so it keeps synchronous tasks where no such race exists.
   */
  readonly synchronous: boolean
}

// -----------------------------------------------------------------------------
// generators (ids are 0 here; `numbered` gives the real ones)
// -----------------------------------------------------------------------------

const outcomeArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Outcome>("succeed") },
  { weight: 2, arbitrary: fc.constant<Outcome>("fail") },
  { weight: 1, arbitrary: fc.constant<Outcome>("die") }
)

const leafArb = (kinds: LeafKinds, maxDuration: number, spawning: boolean): fc.Arbitrary<LeafSpec> =>
  fc
    .record({
      duration: fc.integer({ min: 2, max: maxDuration }),
      outcome: outcomeArb,
      onInterrupt: kinds.onInterrupt,
      spawns: spawning
        ? fc.oneof(
            { weight: 4, arbitrary: fc.constant(null) },
            {
              weight: 1,
              arbitrary: fc.record({
                at: fc.integer({ min: 1, max: maxDuration }),
                task: leafArb(kinds, maxDuration, false)
              })
            }
          )
        : fc.constant(null)
    })
    .map(({ spawns, onInterrupt, ...leaf }) => ({
      kind: "leaf" as const,
      id: 0,
      ...leaf,
      ...onInterrupt,
      // Strictly inside the task's run: after it started, before it ends.
      spawns: spawns === null ? undefined : { after: 1 + ((spawns.at - 1) % (leaf.duration - 1)), task: spawns.task }
    }))

/** A leaf that ends at once: it returns or throws. */
const synchronousLeafArb: fc.Arbitrary<LeafSpec> = outcomeArb.map((outcome) => ({
  kind: "leaf",
  id: 0,
  duration: 0,
  outcome,
  finalizerDies: false,
  stubborn: false,
  spawns: undefined
}))

/** Any leaf; synchronous ones only where `synchronous` (see `LeafKinds.synchronous`). */
const anyLeafArb = (
  kinds: LeafKinds,
  maxDuration: number,
  spawning: boolean,
  synchronous: boolean
): fc.Arbitrary<LeafSpec> =>
  synchronous && kinds.synchronous
    ? fc.oneof(
        { weight: 5, arbitrary: leafArb(kinds, maxDuration, spawning) },
        { weight: 1, arbitrary: synchronousLeafArb }
      )
    : leafArb(kinds, maxDuration, spawning)

const taskArb = (kinds: LeafKinds, depth: number, maxDuration: number, synchronous: boolean): fc.Arbitrary<TaskSpec> =>
  depth <= 0
    ? anyLeafArb(kinds, maxDuration, true, synchronous)
    : fc.oneof(
        { weight: 4, arbitrary: anyLeafArb(kinds, maxDuration, true, synchronous) as fc.Arbitrary<TaskSpec> },
        { weight: 1, arbitrary: groupArb(kinds, depth - 1, maxDuration, synchronous) }
      )

const groupArb = (
  kinds: LeafKinds,
  depth: number,
  maxDuration: number,
  synchronous: boolean
): fc.Arbitrary<GroupSpec> =>
  fc
    .record({
      mode: fc.constantFrom<Mode>("failFast", "settle"),
      concurrency: fc.oneof(
        { weight: 2, arbitrary: fc.constant<"unbounded">("unbounded") },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }
      ),
      initial: fc.array(taskArb(kinds, depth, maxDuration, synchronous), { maxLength: 4 }),
      steps: fc.array(
        fc.record({
          gap: fc.integer({ min: 1, max: maxDuration }),
          what: fc.oneof(
            fc.record({ op: fc.constant("spawn" as const), task: taskArb(kinds, depth, maxDuration, synchronous) }),
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
 * in 2..maxDuration ms (and synchronous tasks, when `depth` is 0 and the package has
 * them), and sometimes a stop from outside.
 */
export const scenarioArb = (
  kinds: LeafKinds,
  options: { readonly depth: number; readonly maxDuration: number; readonly scoped?: boolean }
): fc.Arbitrary<Scenario> =>
  fc
    .record({
      root: groupArb(kinds, options.depth, options.maxDuration, options.depth === 0),
      interruptAt: fc.option(fc.integer({ min: 1, max: 4 * options.maxDuration }), { freq: 3 })
    })
    .map(({ root, interruptAt }): Scenario => ({
      // A scoped group's owner always ends by joining.
      root: numbered(options.scoped === true ? { ...root, bodyEnd: { ...root.bodyEnd, outcome: "succeed" } } : root),
      interruptAt: interruptAt ?? undefined,
      scoped: options.scoped
    }))

/**
 * What `gather` runs: leaves (no spawns) started at once, with the body returning their
 * handles at once.
 */
export const gatherArb = (
  kinds: LeafKinds,
  maxDuration: number
): fc.Arbitrary<{ readonly scenario: Scenario; readonly returnExceptions: boolean }> =>
  fc
    .record({
      leaves: fc.array(anyLeafArb(kinds, maxDuration, false, true), { maxLength: 8 }),
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
