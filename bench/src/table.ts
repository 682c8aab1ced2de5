/**
 * Plain-text tables (Markdown pipe tables, so they paste into an issue as they are)
 * and the units they print.
 */
import { configById } from "./configs.ts"
import type { ComparisonResult, Spread, TargetResult } from "./results.ts"

export const formatSize = (size: number): string => {
  const exponent = Math.log10(size)
  return Number.isInteger(exponent) ? `1e${exponent}` : String(size)
}

export const formatNs = (ns: number): string =>
  ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`

export const formatBytes = (bytes: number): string =>
  Math.abs(bytes) >= 1024 ? `${(bytes / 1024).toFixed(2)} KiB` : `${bytes.toFixed(0)} B`

export const formatRatio = (ratio: number): string =>
  !Number.isFinite(ratio) ? "—" : `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}×`

/** `median [min–max]`. */
export const formatSpread = (value: Spread | null | undefined, format: (n: number) => string): string =>
  value === null || value === undefined ? "" : `${format(value.median)} [${format(value.min)}–${format(value.max)}]`

const ratioNumber = (ratio: number): string => (!Number.isFinite(ratio) ? "—" : ratio.toFixed(ratio < 10 ? 2 : 1))
/** `1.23× [1.10–1.40]`. */
export const formatRatioSpread = (value: Spread | null | undefined): string =>
  value === null || value === undefined
    ? "—"
    : `${ratioNumber(value.median)}× [${ratioNumber(value.min)}–${ratioNumber(value.max)}]`

const render = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, right: number): string => {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, i) => (i >= right ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(" | ")} |`
  const rule = `| ${widths.map((width, i) => (i >= right ? `${"-".repeat(width - 1)}:` : "-".repeat(width))).join(" | ")} |`
  return [line(header), rule, ...rows.map(line)].join("\n")
}

const label = (config: string): string => configById(config)?.label ?? config

const load = (result: ComparisonResult): string =>
  result.loadAverage === undefined ? "—" : `${result.loadAverage.min.toFixed(1)}–${result.loadAverage.max.toFixed(1)}`

/**
 * One comparison at one size: a row per kind with the subject's time per task and its
 * ratio to every anchor (median [min–max] over processes), then every member's own
 * figures (time, bytes allocated per task, live bytes per pending task).
 */
export const comparisonTable = (results: ReadonlyArray<ComparisonResult>): string => {
  const [first] = results
  const header = ["kind", "per task", ...first.anchors.map((anchor) => `× ${label(anchor)}`), "processes", "load"]
  const rows = results.map((result) => {
    if (result.status !== "ok") {
      return [
        result.kind,
        `${result.status}: ${(result.message ?? "").split("\n")[0]}`,
        ...first.anchors.map(() => ""),
        "",
        ""
      ]
    }
    return [
      result.kind,
      formatSpread(result.members[0].nsPerTask, formatNs),
      ...result.ratios.map((ratio) => `${formatRatioSpread(ratio.wall)} · cpu ${formatRatio(ratio.cpu.median)}`),
      String(result.processes.length),
      load(result)
    ]
  })
  const figures = results.flatMap((result) =>
    result.status !== "ok"
      ? []
      : result.members.map((member) => [
          label(member.config),
          result.kind,
          formatNs(member.nsPerTask.median),
          formatRatioSpread(member.toPromiseAll),
          member.allocatedBytesPerTask === null ? "" : formatBytes(member.allocatedBytesPerTask.median),
          member.liveBytesPerTask === null ? "" : formatBytes(member.liveBytesPerTask.median)
        ])
  )
  const ratios = render(header, rows, 1)
  if (figures.length === 0) return ratios
  return `${ratios}\n\n${render(
    ["configuration", "kind", "per task", "× Promise.all", "allocated / task", "live / pending task"],
    figures,
    2
  )}`
}

/** The linearity checks: time(1e6) over time(1e5), in one process. */
export const linearTable = (results: ReadonlyArray<ComparisonResult>): string =>
  render(
    ["configuration", "kind", "time(1e6) / time(1e5)", "per task at 1e6", "per task at 1e5", "processes", "load"],
    results.map((result) =>
      result.status !== "ok"
        ? [
            label(result.subject),
            result.kind,
            `${result.status}: ${(result.message ?? "").split("\n")[0]}`,
            "",
            "",
            "",
            ""
          ]
        : [
            label(result.subject),
            result.kind,
            formatRatioSpread(result.ratios[0]?.wall),
            formatNs(result.members[0].nsPerTask.median),
            formatNs(result.members[1].nsPerTask.median),
            String(result.processes.length),
            load(result)
          ]
    ),
    2
  )

export const targetList = (targets: ReadonlyArray<TargetResult>): string =>
  targets
    .map((target) => {
      const mark = target.status === "met" ? "[x] met   " : target.status === "missed" ? "[ ] MISSED" : "[-] n/a   "
      const cells = target.cells
        .map(
          (cell) =>
            `${cell.kind} ${formatSize(cell.size)} ${formatRatioSpread(cell.ratio)}` +
            `${cell.cpu === undefined ? "" : ` (cpu ${formatRatio(cell.cpu.median)})`}${cell.within === false ? " ✗" : ""}`
        )
        .join(", ")
      return `${mark} ${target.name}\n             ${cells === "" ? "not measured in this run" : cells}`
    })
    .join("\n")
