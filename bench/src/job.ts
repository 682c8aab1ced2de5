/**
 * What the driver asks a child process to measure, and what the child answers.
 *
 * A child runs one comparison: a configuration under test and its anchors, one kind
 * of task, one size. It interleaves them round by round (the order rotating each
 * round), so every ratio between them comes from one process under the same load,
 * JIT state and heap; a new process per comparison keeps one comparison's JIT state
 * and garbage out of the next.
 */
import type { TimedKind } from "./tasks.ts"

/** One configuration in a comparison, at one size (the same for all, but in linearity runs). */
export interface Member {
  readonly config: string
  readonly size: number
}

export interface ComparisonJob {
  /** The first is the configuration under test, the others its anchors. */
  readonly members: ReadonlyArray<Member>
  readonly kind: TimedKind
  /** Untimed rounds first, then timed ones; a round runs every member once. */
  readonly warmupRounds: number
  readonly rounds: number
  /** Also measure the bytes each run allocates (GCProfiler accounting), per task. */
  readonly allocation: boolean
  /** Also measure the live heap per pending task (`gated` tasks, at the same size). */
  readonly live: boolean
  /**
   * A full GC before each run (so no run pays for its predecessor's garbage); off when
   * profiling, so that the profile's GC time is the configuration's own.
   */
  readonly collectBetweenRuns: boolean
  /**
   * Where to write a CPU profile (`.cpuprofile`) of the timed rounds only, warm-up and
   * start-up left out; none when absent.
   */
  readonly cpuProfile?: string
}

export interface MemberFigures extends Member {
  /** Wall time of each timed run, in milliseconds, in round order. */
  readonly samplesMs: ReadonlyArray<number>
  /** The process's CPU time (all threads) during each timed run, in milliseconds. */
  readonly cpuSamplesMs: ReadonlyArray<number>
  readonly medianNsPerTask: number
  /** Bytes allocated by one run (spawn, settle and collect every task), per task. */
  readonly allocatedBytesPerTask: number | null
  /** Heap growth while every task is started (or queued) and waiting, per task. */
  readonly liveBytesPerTask: number | null
}

export type ChildAnswer =
  | {
      readonly status: "ok"
      readonly members: ReadonlyArray<MemberFigures>
      /** The machine's 1-minute load average when the child started and when it ended. */
      readonly loadAverage: readonly [number, number]
      /** The child's own CPU time: starting and loading, the rounds, the memory figures. */
      readonly cpuMs: { readonly start: number; readonly rounds: number; readonly memory: number }
    }
  /** A configuration cannot run here (a missing export, say). */
  | { readonly status: "skipped"; readonly reason: string }
  /** Wrong results, a throw, or the child died without an answer. */
  | { readonly status: "error"; readonly message: string }
  /** The child hit its time or heap limit. */
  | { readonly status: "limit"; readonly message: string }

/** Prefixes the child's answer on its standard output. */
export const resultMarker = "@@soonify-bench-result "
