/**
 * Plain-text tables (Markdown pipe tables, so they paste into an issue as they are)
 * and the units they print.
 */
import type { Config } from "./configs.ts"
import type { MemoryRow, Target, TimingRow } from "./results.ts"

export const formatSize = (size: number): string => {
  const exponent = Math.log10(size)
  return Number.isInteger(exponent) ? `1e${exponent}` : String(size)
}

export const formatNs = (ns: number): string =>
  ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs` : `${ns.toFixed(0)} ns`

export const formatBytes = (bytes: number): string =>
  Math.abs(bytes) >= 1024 ? `${(bytes / 1024).toFixed(2)} KiB` : `${bytes.toFixed(0)} B`

export const formatRatio = (ratio: number | undefined): string =>
  ratio === undefined || !Number.isFinite(ratio) ? "—" : `${ratio < 10 ? ratio.toFixed(2) : ratio.toFixed(1)}×`

const render = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, right: number): string => {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => row[i].length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, i) => (i >= right ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(" | ")} |`
  const rule = `| ${widths.map((width, i) => (i >= right ? `${"-".repeat(width - 1)}:` : "-".repeat(width))).join(" | ")} |`
  return [line(header), rule, ...rows.map(line)].join("\n")
}

const failed = (row: { readonly status: string; readonly message?: string; readonly reason?: string }): string =>
  row.status === "limit"
    ? `limit: ${firstLine(row.message ?? "")}`
    : row.status === "budget"
      ? firstLine(row.message ?? "")
      : row.status

const firstLine = (text: string): string => text.split("\n")[0]

export const timingTable = (
  configs: ReadonlyArray<Config>,
  rows: ReadonlyArray<TimingRow>,
  kind: string,
  size: number
): string | undefined => {
  const cells: Array<Array<string>> = []
  for (const config of configs) {
    const row = rows.find((r) => r.config === config.id && r.kind === kind && r.size === size)
    if (row === undefined || row.status === "skipped") continue
    cells.push(
      row.status === "ok"
        ? [
            config.label,
            formatNs(row.medianNsPerTask),
            `${formatNs(row.minNsPerTask)} – ${formatNs(row.maxNsPerTask)}`,
            formatRatio(row.toPromiseAll),
            formatRatio(row.toFiberSet),
            String(row.samplesMs.length)
          ]
        : [config.label, failed(row), "", "", "", ""]
    )
  }
  if (cells.length === 0) return undefined
  return render(
    ["configuration", "per task (median)", "min – max", "× Promise.all", "× FiberSet.run", "runs"],
    cells,
    1
  )
}

export const memoryTable = (
  configs: ReadonlyArray<Config>,
  rows: ReadonlyArray<MemoryRow>,
  size: number
): string | undefined => {
  const cells: Array<Array<string>> = []
  for (const config of configs) {
    const row = rows.find((r) => r.config === config.id && r.size === size)
    if (row === undefined || row.status === "skipped") continue
    cells.push(
      row.status === "ok"
        ? [config.label, formatBytes(row.bytesPerTask), formatRatio(row.toPromiseAll), formatRatio(row.toFiberSet)]
        : [config.label, failed(row), "", ""]
    )
  }
  if (cells.length === 0) return undefined
  return render(["configuration", "heap per pending task", "× Promise.all", "× FiberSet.run"], cells, 1)
}

export const targetList = (targets: ReadonlyArray<Target>): string =>
  targets
    .map((target) => {
      const mark = target.status === "met" ? "[x] met   " : target.status === "missed" ? "[ ] MISSED" : "[-] n/a   "
      return `${mark} ${target.name}\n             ${target.detail}`
    })
    .join("\n")
