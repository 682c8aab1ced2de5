/**
 * The performance targets soonify is held to, each a ratio between two figures of the
 * same run on the same machine. They are reported, never enforced: a missed target
 * does not fail the suite.
 */
import type { MemoryRow, Target, TimingRow } from "./results.ts"
import { formatRatio, formatSize } from "./table.ts"

type Ok<Row> = Extract<Row, { readonly status: "ok" }>

interface Figures {
  readonly timings: ReadonlyArray<TimingRow>
  readonly memory: ReadonlyArray<MemoryRow>
  /** Every size timed in this profile. */
  readonly sizes: ReadonlyArray<number>
  readonly memorySizes: ReadonlyArray<number>
}

const timing = (figures: Figures, config: string, kind: string, size: number) =>
  figures.timings.find((row) => row.config === config && row.kind === kind && row.size === size)

const memory = (figures: Figures, config: string, size: number) =>
  figures.memory.find((row) => row.config === config && row.size === size)

const why = (row: TimingRow | MemoryRow | undefined, config: string): string =>
  row === undefined
    ? `${config} not run`
    : row.status === "skipped"
      ? row.reason
      : row.status === "ok"
        ? "ok"
        : `${config}: ${row.status}, ${row.message.split("\n")[0]}`

/**
 * `subject / reference` at every size (and kind), held to `bound` (strictly below it
 * when `strict`). Met only if every pair was measured and within bound.
 */
const compare = (
  name: string,
  pairs: ReadonlyArray<{
    readonly label: string
    readonly subject: TimingRow | MemoryRow | undefined
    readonly reference: TimingRow | MemoryRow | undefined
  }>,
  bound: number,
  strict: boolean,
  subjectId: string,
  referenceId: string
): Target => {
  const parts: Array<string> = []
  const unmeasured = new Map<string, Array<string>>()
  let measured = 0
  let missed = false
  for (const { label, subject, reference } of pairs) {
    if (subject?.status !== "ok" || reference?.status !== "ok") {
      const reason = subject?.status !== "ok" ? why(subject, subjectId) : why(reference, referenceId)
      unmeasured.set(reason, [...(unmeasured.get(reason) ?? []), label])
      continue
    }
    const ratio = figure(subject) / figure(reference)
    const within = strict ? ratio < bound : ratio <= bound
    if (!within) missed = true
    measured++
    parts.push(`${label} ${formatRatio(ratio)}${within ? "" : " ✗"}`)
  }
  for (const [reason, labels] of unmeasured) parts.push(`not measured (${labels.join(", ")}): ${reason}`)
  const status = missed ? "missed" : measured === pairs.length ? "met" : "unmeasured"
  return { name, status, detail: parts.join(", ") }
}

const figure = (row: Ok<TimingRow> | Ok<MemoryRow>): number =>
  "medianNsPerTask" in row ? row.medianNsPerTask : row.bytesPerTask

const timingPairs = (figures: Figures, subject: string, reference: string, kinds: ReadonlyArray<string>) =>
  kinds.flatMap((kind) =>
    figures.sizes.map((size) => ({
      label: `${kind} ${formatSize(size)}`,
      subject: timing(figures, subject, kind, size),
      reference: timing(figures, reference, kind, size)
    }))
  )

const both = ["now", "yield"] as const

export const evaluateTargets = (figures: Figures): ReadonlyArray<Target> => [
  compare(
    "core TaskGroup.run + soonify per task ≤ FiberSet.run (both kinds)",
    timingPairs(figures, "core-run-soonify", "fiberset-run", both),
    1,
    false,
    "core-run-soonify",
    "fiberset-run"
  ),
  compare(
    "core TaskGroup.gather ≤ 1.2× Effect.forEach unbounded (both kinds)",
    timingPairs(figures, "core-gather", "effect-foreach", both),
    1.2,
    false,
    "core-gather",
    "effect-foreach"
  ),
  compare(
    "interop taskGroup + soonify faster than p-map (both kinds)",
    timingPairs(figures, "interop-taskgroup-soonify", "p-map", both),
    1,
    true,
    "interop-taskgroup-soonify",
    "p-map"
  ),
  compare(
    "interop taskGroup + soonify faster than p-limit (both kinds)",
    timingPairs(figures, "interop-taskgroup-soonify", "p-limit", both),
    1,
    true,
    "interop-taskgroup-soonify",
    "p-limit"
  ),
  compare(
    "interop taskGroup + soonify ≤ 3× Promise.all (tasks yield once)",
    timingPairs(figures, "interop-taskgroup-soonify", "promise-all", ["yield"]),
    3,
    false,
    "interop-taskgroup-soonify",
    "promise-all"
  ),
  compare(
    "core live memory per pending task ≤ FiberSet.run",
    figures.memorySizes.map((size) => ({
      label: formatSize(size),
      subject: memory(figures, "core-run-soonify", size),
      reference: memory(figures, "fiberset-run", size)
    })),
    1,
    false,
    "core-run-soonify",
    "fiberset-run"
  ),
  scaling(figures)
]

/** 1e6 tasks complete, and a run of 1e6 takes at most 12× a run of 1e5. */
const scaling = (figures: Figures): Target => {
  const name = "core TaskGroup.run + soonify: 1e6 tasks complete, time(1e6) ≤ 12× time(1e5)"
  if (!figures.sizes.includes(1e5) || !figures.sizes.includes(1e6)) {
    return { name, status: "unmeasured", detail: "this profile does not time 1e5 and 1e6 tasks (run the full profile)" }
  }
  const parts: Array<string> = []
  let status: Target["status"] = "met"
  for (const kind of both) {
    const small = timing(figures, "core-run-soonify", kind, 1e5)
    const large = timing(figures, "core-run-soonify", kind, 1e6)
    if (large?.status !== "ok") {
      status = "missed"
      parts.push(`${kind}: 1e6 did not complete (${why(large, "core-run-soonify")})`)
      continue
    }
    if (small?.status !== "ok") {
      if (status === "met") status = "unmeasured"
      parts.push(`${kind}: 1e5 not measured (${why(small, "core-run-soonify")})`)
      continue
    }
    const ratio = (large.medianNsPerTask * 1e6) / (small.medianNsPerTask * 1e5)
    if (ratio > 12) status = "missed"
    parts.push(`${kind} ${formatRatio(ratio)}${ratio > 12 ? " ✗" : ""}`)
  }
  return { name, status, detail: parts.join(", ") }
}
