import { TaskGroup } from "@soonify/core"
import type { ProcessSnapshot } from "../Attach.ts"

// `soonify ps`: the tree flattened into rows, one per group and one per task, each with
// the path that leads to it (its last names, and its length). Fields other packages add to snapshots as they come
// (`cancelling` and `cancelledAt` of stuck cancellations, `waiting` of flow control)
// are shown when present.

/** A task as a snapshot may carry it: core's fields, and those of later versions. */
type TaskLike = TaskGroup.TaskSnapshot & {
  readonly status: string
  readonly cancelledAt?: number
  readonly waiting?: string
}

/** How many names a row's path keeps: the last ones, nearest the row (`depth` counts them all). */
export const keptPath = 6

/** One line of `soonify ps` (and one object of `soonify ps --json`). */
export interface Row {
  /** `"group"` for a group's own line, `"task"` for a task's. */
  readonly kind: "group" | "task"
  /**
   * The names from a root group down to this row's group (group, task, group, …), the
   * last {@link keptPath} of them: a path of groups nested 10,000 deep is not copied into
   * each of their rows.
   */
  readonly path: ReadonlyArray<string>
  /** How many names the whole path has (more than `path` holds when it is cut). */
  readonly depth: number
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

/** A path as a chain of names, each linked to the one above it (shared, never copied). */
interface PathLink {
  readonly name: string
  readonly above: PathLink | undefined
  readonly depth: number
}

/** The last `keptPath` names of `link`'s path, root side first. */
const lastNames = (link: PathLink): Array<string> => {
  const names: Array<string> = []
  for (let at: PathLink | undefined = link; at !== undefined && names.length < keptPath; at = at.above) {
    names.push(at.name)
  }
  return names.toReversed()
}

/**
 * The rows of a process snapshot, in tree order (a group, then its tasks, each followed
 * by its groups), without recursion: groups nest 10,000 deep.
 */
export const rowsOf = (snapshot: ProcessSnapshot): Array<Row> => {
  const rows: Array<Row> = []
  // Depth first, the next group on top: a group's rows, then each task's row followed by
  // its groups, before the task after it.
  type Next = { readonly group: TaskGroup.GroupSnapshot; readonly above: PathLink | undefined } | { readonly row: Row }
  const stack: Array<Next> = snapshot.groups.toReversed().map((group) => ({ group, above: undefined }))
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if ("row" in next) {
      rows.push(next.row)
      continue
    }
    const { group, above } = next
    const link: PathLink = { name: group.name, above, depth: (above?.depth ?? 0) + 1 }
    const path = lastNames(link)
    rows.push({ kind: "group", path, depth: link.depth, group: group.name, status: group.state })
    const later: Array<Next> = []
    for (const task of group.tasks as ReadonlyArray<TaskLike>) {
      later.push({
        row: {
          kind: "task",
          path,
          depth: link.depth,
          group: group.name,
          task: task.name,
          status: task.status,
          ...(task.startedAt === undefined ? {} : { runningFor: Math.max(0, snapshot.now - task.startedAt) }),
          ...(task.cancelledAt === undefined ? {} : { cancellingFor: Math.max(0, snapshot.now - task.cancelledAt) }),
          ...(task.progress === undefined ? {} : { progress: task.progress }),
          ...(task.key === undefined ? {} : { key: task.key }),
          ...(task.attempt === undefined ? {} : { attempt: task.attempt }),
          ...(task.waiting === undefined ? {} : { waiting: task.waiting })
        }
      })
      const taskLink: PathLink = { name: task.name, above: link, depth: link.depth + 1 }
      for (const inner of task.groups) later.push({ group: inner, above: taskLink })
    }
    for (let i = later.length - 1; i >= 0; i--) stack.push(later[i] as Next)
  }
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

/** A row's path as the tables show it: `app › crawl › fetch`, `… › crawl › fetch` when cut. */
export const pathText = (row: Row): string =>
  (row.depth > row.path.length ? ["…", ...row.path.map(shown)] : row.path.map(shown)).join(" › ")

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
  const widths = columns.map((_, i) => table.reduce((widest, line) => Math.max(widest, (line[i] as string).length), 0))
  return table
    .map((line) =>
      line
        .map((cell, i) => cell.padEnd(widths[i] as number))
        .join("  ")
        .trimEnd()
    )
    .join("\n")
}
