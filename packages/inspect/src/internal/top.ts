import type { Attachment, ProcessSnapshot } from "../Attach.ts"
import { jsonText } from "@soonify/kernel"
import { pathText, progressText, type Row, rowsOf, seconds, shown } from "./rows.ts"

// `soonify top`: the process's tasks refreshed in place in the terminal (the alternate
// screen, as top and htop use it), the longest-running first, stuck and cancelling tasks
// marked, progress as bars. Keys in raw mode: `q` or Ctrl-C quits, and the terminal is
// given back as it was (main screen, cursor, cooked mode) however top ends.

export interface TopOptions {
  /** ms between two snapshots. */
  readonly interval: number
  /** ms after which a task still cancelling is stuck (the groups' `stuckAfter` default: 10 s). */
  readonly stuckAfter: number
  /** Snapshots to take before ending by itself; `Infinity` until `q`. */
  readonly count: number
}

export interface Terminal {
  readonly input: NodeJS.ReadStream
  readonly output: NodeJS.WriteStream
}

const esc = "\x1b["
const style = {
  bold: (s: string) => `${esc}1m${s}${esc}22m`,
  inverse: (s: string) => `${esc}7m${s}${esc}27m`,
  red: (s: string) => `${esc}31m${s}${esc}39m`,
  yellow: (s: string) => `${esc}33m${s}${esc}39m`,
  dim: (s: string) => `${esc}2m${s}${esc}22m`
}

const barWidth = 12

/** A progress bar: `[█████░░░░░░░]  42%`, or `17 done` when the total is unknown. */
export const progressBar = (progress: Row["progress"]): string => {
  if (progress === undefined) return ""
  const { done, total } = progress
  if (total === undefined || total <= 0) return progressText(progress)
  const ratio = Math.min(1, Math.max(0, done / total))
  const full = Math.round(ratio * barWidth)
  return `[${"█".repeat(full)}${"░".repeat(barWidth - full)}] ${String(Math.floor(ratio * 100)).padStart(3)}%`
}

/** Why a task is marked: stuck (cancelling for `stuckAfter` or more), cancelling, the longest-running. */
type Mark = "stuck" | "cancelling" | "longest" | undefined

const markOf = (row: Row, longest: Row | undefined, stuckAfter: number): Mark => {
  if (row.status === "cancelling") {
    return row.cancellingFor !== undefined && row.cancellingFor >= stuckAfter ? "stuck" : "cancelling"
  }
  return row === longest ? "longest" : undefined
}

/** Cuts a line with ANSI styles to `width` visible characters. */
const fit = (plain: string, styled: string, width: number): string =>
  plain.length <= width ? styled : plain.slice(0, Math.max(0, width - 1)) + "…"

/** One screen of `top`: a header, the column titles, one line per task, longest-running first. */
export const renderFrame = (
  snapshot: ProcessSnapshot,
  options: { readonly stuckAfter: number; readonly columns: number; readonly rows: number }
): Array<string> => {
  const rows = rowsOf(snapshot)
  const groups = rows.filter((row) => row.kind === "group").length
  const tasks = rows
    .filter((row) => row.kind === "task")
    .toSorted((a, b) => (b.runningFor ?? -1) - (a.runningFor ?? -1))
  const count = (status: string) => tasks.filter((t) => t.status === status).length
  const longest = tasks[0]?.runningFor === undefined ? undefined : tasks[0]
  const marks = tasks.map((row) => markOf(row, longest, options.stuckAfter))
  const stuck = marks.filter((mark) => mark === "stuck").length
  const time = new Date(snapshot.now).toISOString().slice(11, 19)
  const header =
    `soonify top · pid ${snapshot.pid} · ${time} · ${groups} groups, ${tasks.length} tasks: ` +
    `${count("running")} running, ${count("queued")} queued, ${count("cancelling")} cancelling` +
    `${stuck > 0 ? `, ${stuck} stuck` : ""} · q quits`
  const titles = ["", "RUNNING FOR", "STATUS", "PROGRESS", "TASK", "GROUP", "KEY", "ATTEMPT"]
  const table = tasks.map((row, i) => [
    marks[i] === "stuck" ? "!" : marks[i] === "cancelling" ? "~" : marks[i] === "longest" ? "▲" : "",
    row.runningFor === undefined ? "" : seconds(row.runningFor),
    marks[i] === "stuck" ? "STUCK" : shown(row.status),
    progressBar(row.progress),
    shown(row.task),
    pathText(row),
    shown(row.key),
    row.attempt === undefined ? "" : String(row.attempt)
  ])
  const widths = titles.map((title, c) =>
    table.reduce((widest, cells) => Math.max(widest, (cells[c] as string).length), title.length)
  )
  const line = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, c) => (c === 1 ? cell.padStart(widths[c] as number) : cell.padEnd(widths[c] as number)))
      .join("  ")
      .trimEnd()
  const lines = [
    fit(header, style.bold(header), options.columns),
    "",
    style.inverse(line(titles).padEnd(options.columns).slice(0, options.columns))
  ]
  const room = Math.max(0, options.rows - lines.length - 1)
  table.slice(0, room).forEach((cells, i) => {
    const plain = line(cells)
    const mark = marks[i]
    const styled =
      mark === "stuck"
        ? style.red(plain)
        : mark === "cancelling"
          ? style.yellow(plain)
          : mark === "longest"
            ? style.bold(plain)
            : plain
    lines.push(fit(plain, styled, options.columns))
  })
  if (tasks.length === 0) lines.push(style.dim("(no open tasks)"))
  else if (tasks.length > room) lines.push(style.dim(`… ${tasks.length - room} more`))
  return lines
}

/** Runs `top` on `terminal` until `q`, Ctrl-C, SIGINT/SIGTERM or `count` frames; gives the terminal back. */
export const runTop = async (attachment: Attachment, options: TopOptions, terminal: Terminal): Promise<void> => {
  const { input, output } = terminal
  let stop!: () => void
  const stopped = new Promise<void>((resolve) => (stop = resolve))
  let done = false
  stopped.then(() => (done = true))
  const onKey = (data: Buffer) => {
    const text = data.toString("utf8")
    if (text.includes("q") || text.includes("Q") || text.includes("\x03")) stop()
  }
  let last: ProcessSnapshot | undefined
  const draw = () => {
    if (last === undefined) return
    const lines = renderFrame(last, {
      stuckAfter: options.stuckAfter,
      columns: output.columns ?? 100,
      rows: output.rows ?? 30
    })
    output.write(`${esc}H${lines.map((line) => `${line}${esc}K`).join("\r\n")}${esc}J`)
  }
  output.write(`${esc}?1049h${esc}?25l${esc}H${esc}2J`)
  input.setRawMode(true)
  input.on("data", onKey)
  input.resume()
  output.on("resize", draw)
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
  try {
    for (let frame = 0; frame < options.count; frame++) {
      if (done) break
      last = await attachment.snapshot()
      draw()
      if (frame + 1 < options.count) await Promise.race([stopped, new Promise((r) => setTimeout(r, options.interval))])
    }
  } finally {
    process.off("SIGINT", stop)
    process.off("SIGTERM", stop)
    output.off("resize", draw)
    input.off("data", onKey)
    input.setRawMode(false)
    input.pause()
    output.write(`${esc}?25h${esc}?1049l`)
  }
}

/** `top --json`: one snapshot per line, every `interval`, until `count` lines or SIGINT/SIGTERM. */
export const streamJson = async (
  attachment: Attachment,
  options: TopOptions,
  output: NodeJS.WritableStream
): Promise<void> => {
  let done = false
  let wake: () => void = () => {}
  const stop = () => {
    done = true
    wake()
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
  try {
    for (let frame = 0; frame < options.count; frame++) {
      if (done) break
      output.write(jsonText(await attachment.snapshot()) + "\n")
      if (frame + 1 < options.count) {
        await new Promise<void>((resolve) => {
          wake = resolve
          setTimeout(resolve, options.interval)
        })
      }
    }
  } finally {
    process.off("SIGINT", stop)
    process.off("SIGTERM", stop)
  }
}
