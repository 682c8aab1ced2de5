/**
 * The figures of one run of the suite, as the driver gathers them from its child
 * processes and as they are written to `bench/results/*.json`.
 */
import type { ChildAnswer, MemberFigures } from "./job.ts"
import type { TimedKind } from "./tasks.ts"

/** A figure over the processes of one comparison: their median, fastest and slowest. */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
}

/** The subject over one anchor, each process's ratio being the median of its rounds' ratios. */
export interface Ratio {
  readonly anchor: string
  /** Wall time: the figure the targets are read from. */
  readonly wall: Spread
  /** CPU time of the process (all threads): less disturbed by other processes. */
  readonly cpu: Spread
  /** Live bytes per pending task, when measured. */
  readonly live: Spread | null
}

export interface MemberSummary {
  readonly config: string
  readonly size: number
  readonly nsPerTask: Spread
  /** Its time over Promise.all's in the same process, when Promise.all is a member. */
  readonly toPromiseAll: Spread | null
  readonly allocatedBytesPerTask: Spread | null
  readonly liveBytesPerTask: Spread | null
}

export interface ComparisonResult {
  readonly subject: string
  readonly anchors: ReadonlyArray<string>
  readonly kind: TimedKind
  readonly size: number
  /** A linearity check: the subject at 1e6 against itself at 1e5. */
  readonly linear: boolean
  /** `ok` when every process answered; otherwise the first failure. */
  readonly status: "ok" | "skipped" | "error" | "limit"
  readonly message: string | undefined
  readonly members: ReadonlyArray<MemberSummary>
  readonly ratios: ReadonlyArray<Ratio>
  /** The 1-minute load average over the processes, at their start and end. */
  readonly loadAverage: { readonly min: number; readonly max: number } | undefined
  /** Every process's answer, with all its samples. */
  readonly processes: ReadonlyArray<ChildAnswer>
}

export interface TargetResult {
  readonly name: string
  readonly status: "met" | "missed" | "unmeasured"
  /** Each kind and size measured: the median [min–max] ratio over processes. */
  readonly cells: ReadonlyArray<{
    readonly kind: TimedKind
    readonly size: number
    readonly ratio: Spread | undefined
    /** The same ratio on the processes' CPU time, for a busy machine. */
    readonly cpu: Spread | undefined
    readonly within: boolean | undefined
  }>
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
  readonly comparisons: ReadonlyArray<ComparisonResult>
  readonly targets: ReadonlyArray<TargetResult>
  readonly durationSeconds: number
}

// -----------------------------------------------------------------------------
// statistics
// -----------------------------------------------------------------------------

export const median = (values: ReadonlyArray<number>): number => {
  const sorted = values.toSorted((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

export const spread = (values: ReadonlyArray<number>): Spread => ({
  median: median(values),
  min: Math.min(...values),
  max: Math.max(...values)
})

/** One process's ratio: the median over rounds of `subject / anchor` in that round. */
export const roundRatio = (subject: ReadonlyArray<number>, anchor: ReadonlyArray<number>): number =>
  median(subject.map((value, round) => value / anchor[round]))

/** Sums up the processes of one comparison (all `ok`). */
export const summarize = (
  answers: ReadonlyArray<Extract<ChildAnswer, { readonly status: "ok" }>>
): Pick<ComparisonResult, "members" | "ratios" | "loadAverage"> => {
  const at = (index: number): ReadonlyArray<MemberFigures> => answers.map((answer) => answer.members[index])
  const first = answers[0].members
  /** Over the processes that took the figure (the live heap is taken by one). */
  const optional = (values: ReadonlyArray<number | null>): Spread | null => {
    const taken = values.filter((value) => value !== null)
    return taken.length === 0 ? null : spread(taken)
  }
  const promiseAll = first.findIndex((member) => member.config === "promise-all")
  const members = first.map((member, index): MemberSummary => ({
    config: member.config,
    size: member.size,
    nsPerTask: spread(at(index).map((figures) => figures.medianNsPerTask)),
    toPromiseAll:
      promiseAll === -1
        ? null
        : spread(
            answers.map((answer) => roundRatio(answer.members[index].samplesMs, answer.members[promiseAll].samplesMs))
          ),
    allocatedBytesPerTask: optional(at(index).map((figures) => figures.allocatedBytesPerTask)),
    liveBytesPerTask: optional(at(index).map((figures) => figures.liveBytesPerTask))
  }))
  const ratios = first.slice(1).map((anchor, offset): Ratio => ({
    anchor: anchor.config,
    wall: spread(
      answers.map((answer) => roundRatio(answer.members[0].samplesMs, answer.members[offset + 1].samplesMs))
    ),
    cpu: spread(
      answers.map((answer) => roundRatio(answer.members[0].cpuSamplesMs, answer.members[offset + 1].cpuSamplesMs))
    ),
    live: optional(
      answers.map((answer) => {
        const subject = answer.members[0].liveBytesPerTask
        const reference = answer.members[offset + 1].liveBytesPerTask
        return subject === null || reference === null ? null : subject / reference
      })
    )
  }))
  const loads = answers.flatMap((answer) => answer.loadAverage)
  return { members, ratios, loadAverage: { min: Math.min(...loads), max: Math.max(...loads) } }
}
