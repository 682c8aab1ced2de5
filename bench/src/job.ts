/**
 * What the driver asks a child process to measure, and what the child answers. Each
 * child runs one configuration, so that no library's JIT state, heap or leftover
 * timers colour another's figures.
 */
import type { Kind } from "./tasks.ts"

/** How one figure is timed: `runs` timed runs after `warmupRuns` untimed ones. */
export interface Plan {
  readonly size: number
  readonly runs: number
  readonly warmupRuns: number
}

export interface TimeJob {
  readonly mode: "time"
  readonly config: string
  readonly kind: Exclude<Kind, "gated">
  /** Measured in this order. */
  readonly plans: ReadonlyArray<Plan>
  /** Sizes whose figure would take longer than this, judging by the size before, are not run. */
  readonly figureBudgetMs: number | undefined
}

export interface MemoryJob {
  readonly mode: "memory"
  readonly config: string
  readonly size: number
}

export type Job = TimeJob | MemoryJob

export interface Timing {
  readonly size: number
  /** Wall time of each timed run, in milliseconds, in the order they ran. */
  readonly samplesMs: ReadonlyArray<number>
  readonly medianNsPerTask: number
  readonly minNsPerTask: number
  readonly maxNsPerTask: number
  /** The machine's 1-minute load average once measured, the benchmark itself included. */
  readonly loadAverage: number
}

export interface Memory {
  readonly size: number
  /** `heapUsed` after a full GC, before spawning. */
  readonly heapBefore: number
  /** `heapUsed` after a full GC, while every task is started and waiting. */
  readonly heapPending: number
  readonly bytesPerTask: number
  readonly loadAverage: number
}

export type JobResult =
  | {
      readonly status: "ok"
      readonly timings: ReadonlyArray<Timing>
      readonly overBudget: ReadonlyArray<{ readonly size: number; readonly predictedMs: number }>
    }
  | { readonly status: "ok"; readonly memory: Memory }
  | { readonly status: "skipped"; readonly reason: string }
  /** Wrong results, or the configuration threw. */
  | { readonly status: "error"; readonly message: string }
  /** The child hit its time or heap limit, or died without an answer. */
  | { readonly status: "limit"; readonly message: string }

/** Prefixes the child's answer on its standard output. */
export const resultMarker = "@@soonify-bench-result "
