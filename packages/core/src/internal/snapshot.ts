import type { GroupSnapshot, TaskSnapshot } from "../TaskGroup.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { keyOf } from "./keys.ts"
import { attemptOf, retried } from "./retry.ts"
import { openRoots } from "./registry.ts"
import type { RenderOptions } from "../TaskGroup.ts"

// Snapshots: the plain, JSON-serialisable tree of DESIGN.md §5, read from the groups'
// own state (their open tasks are the handles they keep anyway) when somebody asks,
// and an indented text rendering of it. Nothing here runs unless a snapshot is taken
// (a task's `startedAt` is set by its group where it starts, see group.ts `runTask`).

/** A task's snapshot: with its key (as a string) when keyed, its attempt when retried. */
const taskSnapshot = (group: GroupImpl, handle: TaskHandle<any, any>): TaskSnapshot => {
  const startedAt = handle.startedAt
  const progress = handle.progress
  const key = keyOf(group, handle)
  const attempt = retried(handle) ? attemptOf(handle) : undefined
  const groups: Array<GroupSnapshot> = []
  if (handle.groups !== undefined) for (const group of handle.groups) groups.push(snapshotOf(group))
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

const snapshotOf = (group: GroupImpl): GroupSnapshot => {
  const tasks: Array<TaskSnapshot> = []
  let queued = 0
  for (const handle of group.live.toArray()) {
    // A task that has ended is removed from its group before anyone else hears of it.
    // Stryker disable next-line ConditionalExpression: `Observed.taskEnded` removes an ended task before anybody hears of its end
    if (handle.ready) continue
    const task = taskSnapshot(group, handle)
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
  const parts = [`task ${JSON.stringify(task.name)}`, task.status]
  if (task.key !== undefined) parts.push(`key ${JSON.stringify(task.key)}`)
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
  const limit = group.concurrency === "unbounded" ? "" : ` · concurrency ${group.concurrency}`
  return (
    `TaskGroup ${JSON.stringify(group.name)} ${group.state} · ${group.mode}${limit} · ` +
    `${queued} queued, ${running} running, ${succeeded} succeeded, ${failed} failed, ${cancelled} cancelled`
  )
}

const renderGroup = (
  group: GroupSnapshot,
  prefix: string,
  options: RenderOptions | undefined,
  lines: Array<string>
): void => {
  group.tasks.forEach((task, i) => {
    const last = i === group.tasks.length - 1
    lines.push(`${prefix}${last ? "└─ " : "├─ "}${taskLine(task, options)}`)
    const inner = prefix + (last ? "   " : "│  ")
    task.groups.forEach((child, j) => {
      const lastChild = j === task.groups.length - 1
      lines.push(`${inner}${lastChild ? "└─ " : "├─ "}${groupLine(child)}`)
      renderGroup(child, inner + (lastChild ? "   " : "│  "), options, lines)
    })
  })
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
    renderGroup(group, "", options, lines)
  }
  return lines.length === 0 ? "(no open task groups)" : lines.join("\n")
}
