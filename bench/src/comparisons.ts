/**
 * What is compared with what, and the targets of `DESIGN.md` §9 read off the ratios.
 *
 * A comparison is a configuration under test and its anchors, timed side by side in
 * one child process per run (see `child.ts`) for each kind of task and size. Every
 * ratio is the subject's time over an anchor's from the same process; the driver runs
 * each comparison in several processes and reports the median and range of those
 * ratios.
 */
import type { TimedKind } from "./tasks.ts"

export interface Comparison {
  /** The configuration under test (a `configs.ts` id); `--only` selects by it. */
  readonly subject: string
  /** Timed in the same process, round by round with the subject. */
  readonly anchors: ReadonlyArray<string>
  /** More anchors, only in the full profile (the quick one keeps to what the targets need). */
  readonly fullAnchors?: ReadonlyArray<string>
  readonly kinds: ReadonlyArray<TimedKind>
  /** Only in the full profile. */
  readonly fullOnly?: boolean
  /**
   * Its own N and rounds instead of the profile's sizes (CPU-bound work, where a task
   * takes milliseconds); left out when `--sizes` picks some of the profile's sizes.
   */
  readonly ownSize?: { readonly size: number; readonly warmupRounds: number; readonly rounds: number }
}

/** Effect configurations: `Effect.succeed(i)`, `Effect.sync(() => i)`, `Effect.yieldNow`. */
const effectKinds: ReadonlyArray<TimedKind> = ["now", "now-sync", "yield"]
/** Promise code: `async (i) => i`, a `setImmediate` per task. */
const promiseKinds: ReadonlyArray<TimedKind> = ["now", "yield"]

export const comparisons: ReadonlyArray<Comparison> = [
  { subject: "core-run-soonify", anchors: ["fiberset-run"], fullAnchors: ["promise-all"], kinds: effectKinds },
  // What observability costs (DESIGN §5): with a tracer installed, and once a snapshot
  // has been taken (process-wide, so in a comparison of its own), each against the same anchor.
  { subject: "core-run-soonify-traced", anchors: ["fiberset-run"], kinds: effectKinds, fullOnly: true },
  { subject: "core-run-soonify-snapshot", anchors: ["fiberset-run"], kinds: effectKinds, fullOnly: true },
  {
    subject: "core-gather",
    anchors: ["effect-foreach"],
    fullAnchors: ["fiberset-run", "promise-all"],
    kinds: effectKinds
  },
  {
    subject: "interop-taskgroup-soonify",
    anchors: ["promise-all", "p-map", "p-limit", "floor"],
    kinds: promiseKinds
  },
  {
    subject: "interop-gather",
    anchors: ["promise-all", "p-map", "p-limit"],
    fullAnchors: ["floor"],
    kinds: promiseKinds
  },
  { subject: "interop-taskgroup-soonify-c64", anchors: ["p-limit-64", "p-map-64"], kinds: promiseKinds },
  // DESIGN §10: the lazy map against p-map's own, with the same concurrency and bound.
  { subject: "interop-map-c64", anchors: ["p-map-iterable-64"], kinds: promiseKinds },
  // DESIGN §10: core's lazy map against Effect's Stream.mapEffect, the same concurrency.
  { subject: "core-map-c64", anchors: ["stream-mapeffect-64"], kinds: effectKinds },
  // The floor's own ratios come from the interop comparisons too (it is their anchor).
  { subject: "floor", anchors: ["promise-all"], kinds: promiseKinds, fullOnly: true },
  {
    subject: "forkin-deferred",
    anchors: ["fiberset-run", "forkchild-joinall"],
    kinds: effectKinds,
    fullOnly: true
  },
  { subject: "effection", anchors: ["promise-all"], kinds: promiseKinds, fullOnly: true },
  // CPU-bound: 32 hashes of 16 MiB (a 1 MiB buffer 16 times) on a pool of one thread
  // per core, against the same on the event loop (Promise.all of the same tasks) and
  // piscina directly. Full profile only: about 10 s per process on a quiet 2-core
  // machine, which would take the quick profile past its minute, and the quick
  // profile's two children at a time would take the second core from the workers.
  ...(["worker-core", "worker-interop"] as const).map((subject): Comparison => ({
    subject,
    anchors: ["promise-all", "piscina"],
    kinds: ["hash"],
    fullOnly: true,
    ownSize: { size: 32, warmupRounds: 2, rounds: 9 }
  }))
]

/** Configurations whose time(1e6) ≤ 11 × time(1e5) the full profile checks, each in one process. */
export const linearSubjects: ReadonlyArray<{ readonly config: string; readonly kinds: ReadonlyArray<TimedKind> }> = [
  { config: "core-run-soonify", kinds: effectKinds },
  { config: "core-gather", kinds: effectKinds },
  { config: "interop-taskgroup-soonify", kinds: promiseKinds },
  { config: "interop-gather", kinds: promiseKinds },
  { config: "interop-taskgroup-soonify-c64", kinds: promiseKinds },
  { config: "interop-map-c64", kinds: promiseKinds },
  { config: "core-map-c64", kinds: effectKinds },
  { config: "floor", kinds: promiseKinds },
  { config: "promise-all", kinds: promiseKinds },
  { config: "fiberset-run", kinds: effectKinds }
]

/** The bound of a linearity check: time(1e6) / time(1e5). */
export const linearBound = 11

/**
 * A target: `subject / anchor` (time per run, or live bytes per pending task) within
 * `bound` for the kinds listed, at every size measured. Reported, never enforced.
 */
export interface TargetSpec {
  readonly name: string
  readonly subject: string
  readonly anchor: string
  readonly figure: "time" | "live"
  readonly bound: number
  /** Strictly below the bound ("faster than"), rather than at most. */
  readonly strict: boolean
  readonly kinds: ReadonlyArray<TimedKind>
}

export const targetSpecs: ReadonlyArray<TargetSpec> = [
  {
    name: "core TaskGroup.run + soonify ≤ 1.0× FiberSet.run",
    subject: "core-run-soonify",
    anchor: "fiberset-run",
    figure: "time",
    bound: 1,
    strict: false,
    kinds: effectKinds
  },
  {
    name: "core TaskGroup.gather ≤ 1.2× Effect.forEach unbounded",
    subject: "core-gather",
    anchor: "effect-foreach",
    figure: "time",
    bound: 1.2,
    strict: false,
    kinds: effectKinds
  },
  ...(["interop-taskgroup-soonify", "interop-gather"] as const).flatMap((subject): Array<TargetSpec> => {
    const label = subject === "interop-gather" ? "interop gather" : "interop taskGroup + soonify"
    return [
      {
        name: `${label} faster than p-map`,
        subject,
        anchor: "p-map",
        figure: "time",
        bound: 1,
        strict: true,
        kinds: promiseKinds
      },
      {
        name: `${label} faster than p-limit`,
        subject,
        anchor: "p-limit",
        figure: "time",
        bound: 1,
        strict: true,
        kinds: promiseKinds
      },
      {
        name: `${label} ≤ 2× Promise.all when tasks yield once`,
        subject,
        anchor: "promise-all",
        figure: "time",
        bound: 2,
        strict: false,
        kinds: ["yield"]
      }
    ]
  }),
  {
    name: "interop concurrency 64 within 1.2× of p-limit(64)",
    subject: "interop-taskgroup-soonify-c64",
    anchor: "p-limit-64",
    figure: "time",
    bound: 1.2,
    strict: false,
    kinds: promiseKinds
  },
  {
    name: "interop concurrency 64: live memory per waiting task ≤ p-limit(64)'s",
    subject: "interop-taskgroup-soonify-c64",
    anchor: "p-limit-64",
    figure: "live",
    bound: 1,
    strict: false,
    kinds: ["now"]
  }
]
