/**
 * Snapshots as text: the indented tree `renderSnapshot` draws for logs and "what is
 * still running?" dumps, and how every string in it is escaped.
 *
 * @since 0.1.0
 */
import type { Rate } from "./Scheduler.ts"
import type { GroupSnapshot, TaskSnapshot } from "./Snapshot.ts"

/**
 * Options of {@link renderSnapshot}.
 *
 * @since 0.1.0
 * @category snapshots
 */
export interface RenderOptions {
  /** The time (ms since epoch) to show how long each task has run; default: when it started. */
  readonly now?: number | undefined
}

/**
 * What is escaped: the backslash; the controls (`\p{Cc}`: C0, DEL and C1, U+0000–U+001F
 * and U+007F–U+009F, with U+0085 NEXT LINE); the bidi controls (U+061C, U+200E, U+200F,
 * U+202A–U+202E, U+2066–U+2069); the line and paragraph separators (U+2028, U+2029);
 * and lone surrogates, as `JSON.stringify` escapes them.
 */
const unsafe = /[\\\p{Cc}\p{Cs}\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/gu

const short: Record<string, string> = { "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" }

const escapeOne = (char: string): string => short[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`

/**
 * Whether `text` surely needs no escape: the common case (ASCII and Latin names), checked
 * without a regular expression, which keeps rendering as cheap as `JSON.stringify` was.
 */
const plain = (text: string): boolean => {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x20 || code === 0x5c || (code >= 0x7f && code <= 0x9f) || code >= 0x61c) return false
  }
  return true
}

/**
 * `text` with every control, line or paragraph separator and bidi control written as a
 * visible escape (JSON style: `\\n`, `\\u2028`), and a backslash doubled: how every
 * string a snapshot shows is written, so that a name or key from user input cannot add
 * lines, move the cursor or reverse the text in a terminal.
 *
 * **Example**
 *
 * ```ts
 * import { escapeText } from "@soonify/kernel"
 *
 * escapeText("fetch\nnext") // => "fetch\\nnext"
 * escapeText("plain") // => "plain"
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const escapeText = (text: string): string => (plain(text) ? text : text.replace(unsafe, escapeOne))

/**
 * `text` escaped and in double quotes (a `"` inside escaped too): how the tree shows
 * names and keys.
 *
 * **Example**
 *
 * ```ts
 * import { quoted } from "@soonify/kernel"
 *
 * quoted('say "hi"') // => '"say \\"hi\\""'
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const quoted = (text: string): string =>
  plain(text) && !text.includes('"') ? `"${text}"` : `"${escapeText(text).replaceAll('"', '\\"')}"`

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`

const taskLine = (task: TaskSnapshot, options: RenderOptions | undefined): string => {
  const parts = [`task ${quoted(String(task.name))}`, escapeText(String(task.status))]
  if (task.waiting !== undefined) parts.push(`waiting for ${escapeText(String(task.waiting))}`)
  if (task.partition !== undefined) parts.push(`partition ${quoted(String(task.partition))}`)
  if (task.key !== undefined) parts.push(`key ${quoted(String(task.key))}`)
  if (task.attempt !== undefined) parts.push(`attempt ${task.attempt}`)
  if (task.startedAt !== undefined) {
    parts.push(
      options?.now === undefined
        ? `since ${new Date(task.startedAt).toISOString()}`
        : `for ${seconds(Math.max(0, options.now - task.startedAt))}`
    )
  }
  if (task.cancelledAt !== undefined && options?.now !== undefined) {
    parts.push(`asked to stop ${seconds(Math.max(0, options.now - task.cancelledAt))} ago`)
  }
  if (task.progress !== undefined) {
    const { done, total } = task.progress
    parts.push(
      total === undefined
        ? `${done} done`
        : `${done}/${total}${total > 0 ? ` (${Math.floor((done / total) * 100)}%)` : ""}`
    )
  }
  return parts.join(" · ")
}

const rateText = (rate: Rate): string => escapeText(`${rate.limit}/${rate.interval} ms`)

const groupLine = (group: GroupSnapshot): string => {
  const { queued, running, succeeded, failed, cancelled } = group.counts
  const limit = group.concurrency === "unbounded" ? "" : ` · concurrency ${escapeText(String(group.concurrency))}`
  const { rate, partitions } = group
  const flow =
    (rate === undefined ? "" : ` · rate ${rateText(rate)}`) +
    (partitions === undefined
      ? ""
      : ` · per partition${partitions.concurrency === undefined ? "" : ` concurrency ${escapeText(String(partitions.concurrency))}`}` +
        `${partitions.rate === undefined ? "" : ` rate ${rateText(partitions.rate)}`}`)
  return (
    `TaskGroup ${quoted(String(group.name))} ${escapeText(String(group.state))} · ${escapeText(String(group.mode))}${limit}${flow} · ` +
    `${queued} queued, ${running} running, ${succeeded} succeeded, ${failed} failed, ${cancelled} cancelled`
  )
}

/**
 * The indentation drawn in full; below it a line shows its group's depth (how many groups
 * that group is nested in: a group's line, its own; a task's, its group's) and the last
 * `keptIndent` columns only, so that a line costs the same at any depth (10,000 nested
 * groups drawn in full would be more text than a string can hold).
 */
const maxIndent = 96
const keptIndent = 48

/** One piece of a line's indentation (3 columns), linked to the pieces before it. */
interface Indent {
  readonly piece: string
  readonly before: Indent | undefined
  /** Columns up to and including this piece. */
  readonly width: number
  /** The whole indentation, while it is drawn in full (up to `maxIndent` columns). */
  readonly text: string | undefined
}

const indent = (before: Indent | undefined, piece: string): Indent => {
  const width = (before?.width ?? 0) + piece.length
  const text = width > maxIndent ? undefined : (before?.text ?? "") + piece
  return { piece, before, width, text }
}

/** The text of an indentation: in full up to `maxIndent` columns, else its depth and last `keptIndent` columns. */
const indentText = (last: Indent, depth: number): string => {
  if (last.text !== undefined) return last.text
  let kept = ""
  // Only lines wider than `maxIndent` come here: the pieces run out long after `keptIndent`.
  for (let at = last; last.width - at.width < keptIndent; at = at.before!) {
    kept = at.piece + kept
  }
  return `[depth ${depth}] ${kept}`
}

/** A group being drawn: the task it is at, and the group opened in that task it is at. */
interface Frame {
  readonly group: GroupSnapshot
  readonly indent: Indent | undefined
  /** How many groups it is nested in. */
  readonly depth: number
  task: number
  /** -1 before the task's line is drawn. */
  inner: number
}

/** Draws the tasks of `root` and everything under them, without recursion. */
const renderGroup = (root: GroupSnapshot, options: RenderOptions | undefined, lines: Array<string>): void => {
  const frames: Array<Frame> = [{ group: root, indent: undefined, depth: 0, task: 0, inner: -1 }]
  for (let frame = frames.at(-1); frame !== undefined; frame = frames.at(-1)) {
    const { tasks } = frame.group
    const task = tasks[frame.task]
    if (task === undefined) {
      frames.pop()
      continue
    }
    const lastTask = frame.task === tasks.length - 1
    if (frame.inner === -1) {
      lines.push(indentText(indent(frame.indent, lastTask ? "└─ " : "├─ "), frame.depth) + taskLine(task, options))
      frame.inner = 0
      continue
    }
    const child = task.groups[frame.inner]
    if (child === undefined) {
      frame.task++
      frame.inner = -1
      continue
    }
    const lastChild = frame.inner === task.groups.length - 1
    frame.inner++
    const inner = indent(frame.indent, lastTask ? "   " : "│  ")
    lines.push(indentText(indent(inner, lastChild ? "└─ " : "├─ "), frame.depth + 1) + groupLine(child))
    frames.push({
      group: child,
      indent: indent(inner, lastChild ? "   " : "│  "),
      depth: frame.depth + 1,
      task: 0,
      inner: -1
    })
  }
}

/**
 * The indented text tree of one snapshot or several (`pstree`-like), one line per group
 * and per task, every name and key escaped ({@link quoted}); drawn without recursion, at
 * any depth (below 96 columns of indentation a line shows its depth instead).
 *
 * **Example**
 *
 * ```ts
 * import { renderSnapshot } from "@soonify/kernel"
 *
 * renderSnapshot([]) // => "(no open task groups)"
 * const text = renderSnapshot(
 *   {
 *     name: "jobs",
 *     state: "open",
 *     mode: "failFast",
 *     concurrency: 2,
 *     counts: { queued: 0, running: 1, succeeded: 3, failed: 0, cancelled: 0 },
 *     tasks: [{ name: "fetch", status: "running", startedAt: 0, progress: { done: 1, total: 4 }, groups: [] }]
 *   },
 *   { now: 1500 }
 * )
 * text.split("\n")[1] // => '└─ task "fetch" · running · for 1.5 s · 1/4 (25%)'
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const renderSnapshot = (
  snapshot: GroupSnapshot | ReadonlyArray<GroupSnapshot>,
  options?: RenderOptions
): string => {
  const groups: ReadonlyArray<GroupSnapshot> = Array.isArray(snapshot) ? snapshot : [snapshot as GroupSnapshot]
  const lines: Array<string> = []
  for (const group of groups) {
    lines.push(groupLine(group))
    renderGroup(group, options, lines)
  }
  return lines.length === 0 ? "(no open task groups)" : lines.join("\n")
}
