import type { GroupSnapshot, TaskSnapshot } from "../TaskGroup.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { escapeText, quoted } from "./escape.ts"
import { keyOf } from "./keys.ts"
import { attemptOf, retried } from "./retry.ts"
import { openRoots } from "./registry.ts"
import type { RenderOptions } from "../TaskGroup.ts"

// Snapshots: the plain, JSON-serialisable tree of DESIGN.md §5, read from the groups'
// own state (their open tasks are the handles they keep anyway) when somebody asks,
// and an indented text rendering of it. Nothing here runs unless a snapshot is taken
// (a task's `startedAt` is set by its group where it starts, see group.ts `runTask`).

/** A group opened in a task, whose snapshot goes at `index` of that task's `groups`. */
interface Pending {
  readonly group: GroupImpl
  readonly into: Array<GroupSnapshot>
  readonly index: number
}

/** A task's snapshot: with its key (as a string) when keyed, its attempt when retried. */
const taskSnapshot = (group: GroupImpl, handle: TaskHandle<any, any>, pending: Array<Pending>): TaskSnapshot => {
  const startedAt = handle.startedAt
  const progress = handle.progress
  const key = keyOf(group, handle)
  const attempt = retried(handle) ? attemptOf(handle) : undefined
  const groups: Array<GroupSnapshot> = []
  // The groups opened in the task are snapshot later, by `snapshotOf`'s loop: groups nest
  // as deep as they like, the stack does not.
  if (handle.groups !== undefined) {
    for (const inner of handle.groups) pending.push({ group: inner, into: groups, index: groups.push(undefined!) - 1 })
  }
  const cancelledAt = handle.cancelledAt
  return {
    name: handle.name,
    status: cancelledAt !== undefined ? "cancelling" : startedAt === undefined ? "queued" : "running",
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(cancelledAt === undefined ? {} : { cancelledAt }),
    ...(key === undefined ? {} : { key: String(key) }),
    ...(attempt === undefined ? {} : { attempt }),
    ...(progress === undefined ? {} : { progress }),
    groups
  }
}

/** A group's snapshot: its settings, its counts, and its tasks not yet ended, in spawn order. */
export const groupSnapshot = (group: GroupImpl): GroupSnapshot => {
  return snapshotOf(group)
}

/** The snapshot of `group` and of every group under it, without recursion. */
const snapshotOf = (group: GroupImpl): GroupSnapshot => {
  const pending: Array<Pending> = []
  const root = ownSnapshot(group, pending)
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    next.into[next.index] = ownSnapshot(next.group, pending)
  }
  return root
}

/** `group`'s own snapshot; the groups opened in its tasks are left in `pending`. */
const ownSnapshot = (group: GroupImpl, pending: Array<Pending>): GroupSnapshot => {
  const tasks: Array<TaskSnapshot> = []
  let queued = 0
  for (const handle of group.live.toArray()) {
    // A task that has ended is removed from its group before anyone else hears of it.
    // Stryker disable next-line ConditionalExpression: `Observed.taskEnded` removes an ended task before anybody hears of its end
    if (handle.ready) continue
    const task = taskSnapshot(group, handle, pending)
    if (task.status === "queued") queued++
    tasks.push(task)
  }
  const { succeeded, failed, cancelled } = group.observed.tally
  return {
    name: group.name,
    state: group.currentState,
    mode: group.mode,
    concurrency: group.concurrency,
    counts: { queued, running: tasks.length - queued, succeeded, failed, cancelled },
    tasks
  }
}

/** Every open root group's snapshot, oldest first. */
export const snapshotAll = (): Array<GroupSnapshot> => {
  return openRoots().map(snapshotOf)
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`

const taskLine = (task: TaskSnapshot, options: RenderOptions | undefined): string => {
  const parts = [`task ${quoted(String(task.name))}`, escapeText(String(task.status))]
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

const groupLine = (group: GroupSnapshot): string => {
  const { queued, running, succeeded, failed, cancelled } = group.counts
  const limit = group.concurrency === "unbounded" ? "" : ` · concurrency ${escapeText(String(group.concurrency))}`
  return (
    `TaskGroup ${quoted(String(group.name))} ${escapeText(String(group.state))} · ${escapeText(String(group.mode))}${limit} · ` +
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
  for (let at: Indent | undefined = last; at !== undefined && last.width - at.width < keptIndent; at = at.before) {
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

/** The indented text tree of one snapshot or several (`pstree`-like), one line per group and task. */
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
