/**
 * The figures of one run of the suite, as the driver collects them and as they are
 * written to `bench/results/*.json`.
 */
import type { Memory, Timing } from "./job.ts"

export type Outcome =
  | { readonly status: "ok" }
  | { readonly status: "skipped"; readonly reason: string }
  | { readonly status: "error"; readonly message: string }
  | { readonly status: "limit"; readonly message: string }
  /** Not run: it would not have finished within the time allowed. */
  | { readonly status: "budget"; readonly message: string }

export type TimingRow = { readonly config: string; readonly kind: string; readonly size: number } & (
  ({ readonly status: "ok" } & Timing & Ratios) | Exclude<Outcome, { readonly status: "ok" }>
)

export type MemoryRow = { readonly config: string; readonly size: number } & (
  ({ readonly status: "ok" } & Memory & Ratios) | Exclude<Outcome, { readonly status: "ok" }>
)

/** The figure divided by Promise.all's and by FiberSet.run's, from the same run. */
export interface Ratios {
  readonly toPromiseAll: number | undefined
  readonly toFiberSet: number | undefined
}

export interface Target {
  readonly name: string
  readonly status: "met" | "missed" | "unmeasured"
  /** The ratios (or why nothing was measured). */
  readonly detail: string
}

export interface Report {
  readonly profile: string
  readonly date: string
  readonly machine: Record<string, unknown>
  readonly source: { readonly commit: string; readonly uncommittedChanges: boolean | undefined }
  readonly versions: Record<string, string>
  readonly settings: Record<string, unknown>
  readonly taskKinds: Record<string, string>
  readonly configs: ReadonlyArray<{ readonly id: string; readonly label: string; readonly family: string }>
  readonly timings: ReadonlyArray<TimingRow>
  readonly memory: ReadonlyArray<MemoryRow>
  readonly targets: ReadonlyArray<Target>
  readonly durationSeconds: number
  /** Figures measured while the load average exceeded the number of cores. */
  readonly busyFigures: number
}
