import {
  innerGroups,
  type InnerGroup,
  registry,
  renderSnapshot as renderKernelSnapshot,
  snapshotTree
} from "@soonify/kernel"
import type { GroupSnapshot, RenderOptions, TaskSnapshot } from "../TaskGroup.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { keyOf } from "./keys.ts"
import { attemptOf, retried } from "./retry.ts"

// Snapshots: the plain, JSON-serialisable tree of DESIGN.md §5, read from the groups'
// own state (their open tasks are the handles they keep anyway) when somebody asks. The
// tree is @soonify/kernel's (its walk without recursion, its rendering, its registry):
// a core group is one of its snapshot sources, so groups of core, interop and any other
// package on the kernel nest in one tree. Nothing here runs unless a snapshot is taken.

/** A task's snapshot: with its key (as a string) when keyed, its attempt when retried. */
const taskSnapshot = (group: GroupImpl, handle: TaskHandle<any, any>, inner: Array<InnerGroup>): TaskSnapshot => {
  const startedAt = handle.startedAt
  const progress = handle.progress
  const key = keyOf(group, handle)
  const attempt = retried(handle) ? attemptOf(handle) : undefined
  const cancelledAt = handle.cancelledAt
  return {
    name: handle.name,
    status: cancelledAt !== undefined ? "cancelling" : startedAt === undefined ? "queued" : "running",
    ...(startedAt === undefined ? {} : { startedAt }),
    ...(cancelledAt === undefined ? {} : { cancelledAt }),
    ...(key === undefined ? {} : { key: String(key) }),
    ...(attempt === undefined ? {} : { attempt }),
    ...(progress === undefined ? {} : { progress }),
    // The groups opened in the task are snapshot later, by the kernel's walk: groups nest
    // as deep as they like, the stack does not.
    groups: innerGroups(handle.groups, inner)
  }
}

/** A group's snapshot: its settings, its counts, and its tasks not yet ended, in spawn order. */
export const groupSnapshot = (group: GroupImpl): GroupSnapshot =>
  snapshotTree({ ownSnapshot: (inner) => ownSnapshot(group, inner) })

/** `group`'s own snapshot; the groups opened in its tasks are left in `inner`. */
export const ownSnapshot = (group: GroupImpl, inner: Array<InnerGroup>): GroupSnapshot => {
  const tasks: Array<TaskSnapshot> = []
  let queued = 0
  for (const handle of group.live.toArray()) {
    // A task that has ended is removed from its group before anyone else hears of it.
    if (handle.ready) continue
    const task = taskSnapshot(group, handle, inner)
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

/** Every open root group's snapshot (of every package in the registry), oldest first. */
export const snapshotAll = (): Array<GroupSnapshot> => registry().snapshotAll()

/** The indented text tree of one snapshot or several (`pstree`-like), one line per group and task. */
export const renderSnapshot = (
  snapshot: GroupSnapshot | ReadonlyArray<GroupSnapshot>,
  options?: RenderOptions
): string => renderKernelSnapshot(snapshot, options)
