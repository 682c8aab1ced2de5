import { TaskGroup } from "@soonify/core"
import type { ProcessSnapshot } from "../Attach.ts"

// `soonify ps`: the tree flattened into rows, one per group and one per task, each with
// the path that leads to it. Fields other packages add to snapshots as they come
// (`cancelling` and `cancelledAt` of stuck cancellations, `waiting` of flow control)
// are shown when present.

/** A task as a snapshot may carry it: core's fields, and those of later versions. */
type TaskLike = TaskGroup.TaskSnapshot & {
  readonly status: string
  readonly cancelledAt?: number
  readonly waiting?: string
}

/** One line of `soonify ps` (and one object of `soonify ps --json`). */
export interface Row {
  /** `"group"` for a group's own line, `"task"` for a task's. */
  readonly kind: "group" | "task"
  /** The names from a root group down to this row's group: group, task, group, … */
  readonly path: ReadonlyArray<string>
  readonly group: string
  readonly task?: string
  /** A group's state (`open`, `closing`) or a task's status (`queued`, `running`, `cancelling`). */
  readonly status: string
  /** How long the task has run, in ms (the process's clock). */
  readonly runningFor?: number
  /** How long ago its cancellation was asked for, in ms. */
  readonly cancellingFor?: number
  readonly progress?: { readonly done: number; readonly total?: number }
  readonly key?: string
  readonly attempt?: number
  readonly waiting?: string
}

/** The rows of a process snapshot, in tree order (a group, then its tasks, each followed by its groups). */
export const rowsOf = (snapshot: ProcessSnapshot): Array<Row> => {
  const rows: Array<Row> = []
  const visit = (group: TaskGroup.GroupSnapshot, above: ReadonlyArray<string>): void => {
    const path = [...above, group.name]
    rows.push({ kind: "group", path, group: group.name, status: group.state })
    for (const task of group.tasks as ReadonlyArray<TaskLike>) {
      rows.push({
        kind: "task",
        path,
        group: group.name,
        task: task.name,
        status: task.status,
        ...(task.startedAt === undefined ? {} : { runningFor: Math.max(0, snapshot.now - task.startedAt) }),
        ...(task.cancelledAt === undefined ? {} : { cancellingFor: Math.max(0, snapshot.now - task.cancelledAt) }),
        ...(task.progress === undefined ? {} : { progress: task.progress }),
        ...(task.key === undefined ? {} : { key: task.key }),
        ...(task.attempt === undefined ? {} : { attempt: task.attempt }),
        ...(task.waiting === undefined ? {} : { waiting: task.waiting })
      })
      for (const inner of task.groups) visit(inner, [...path, task.name])
    }
  }
  for (const group of snapshot.groups) visit(group, [])
  return rows
}

/** A duration as `renderSnapshot` writes it: `2.5 s`, `42 s`. */
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`

/** Progress as text: `3/10 (30%)`, or `3 done` without a total. */
export const progressText = (progress: Row["progress"]): string => {
  if (progress === undefined) return ""
  const { done, total } = progress
  if (total === undefined) return `${done} done`
  return total > 0 ? `${done}/${total} (${Math.floor((done / total) * 100)}%)` : `${done}/${total}`
}

const columns = ["GROUP", "TASK", "STATUS", "RUNNING FOR", "PROGRESS", "KEY", "ATTEMPT", "WAITING"] as const

/**
 * A string of the target process as the table shows it: a name or key from user input
 * cannot add lines, move the cursor or reverse the text (the escaping `renderSnapshot` uses).
 */
export const shown = (text: string | undefined): string =>
  text === undefined ? "" : TaskGroup.escapeText(String(text))

/** A row's path as the tables show it: `app › crawl › fetch`. */
export const pathText = (row: Row): string => row.path.map(shown).join(" › ")

const cells = (row: Row): Array<string> => [
  pathText(row),
  shown(row.task),
  shown(row.status),
  row.runningFor === undefined ? "" : seconds(row.runningFor),
  progressText(row.progress),
  shown(row.key),
  row.attempt === undefined ? "" : String(row.attempt),
  shown(row.waiting)
]

/** The `soonify ps` table: a header and one aligned line per row. */
export const renderTable = (rows: ReadonlyArray<Row>): string => {
  if (rows.length === 0) return "(no open task groups)"
  const table = [[...columns], ...rows.map(cells)]
  const widths = columns.map((_, i) => Math.max(...table.map((line) => (line[i] as string).length)))
  return table
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i] as number))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}
