/**
 * Snapshots (DESIGN §5): the plain, JSON-serialisable tree of groups and tasks that core
 * and interop export, taken without recursion (groups nest as deep as they like, the
 * stack does not). Any group of any package is a {@link SnapshotSource}: a kernel
 * `Group`, and a group of a package not (yet) on the kernel, so that a process has one
 * tree.
 *
 * @since 0.1.0
 */
import type { PartitionLimits, Rate, WaitingReason } from "./Scheduler.ts"
import type { Progress } from "./Task.ts"

/**
 * One task not yet ended.
 *
 * @since 0.1.0
 * @category snapshots
 */
export interface TaskSnapshot {
  readonly name: string
  readonly status: "queued" | "running" | "cancelling"
  /**
   * Why a task waiting for its turn waits (DESIGN §10): for a permit of the group's
   * `concurrency`, for room in its partition, or for a rate window. Only on a task that
   * waits for the scheduler (not one spawned `"soon"` whose spawner has not yielded yet).
   */
  readonly waiting?: WaitingReason
  /** The task's `partition` option, if given. */
  readonly partition?: string
  /** When it started running (ms since epoch). */
  readonly startedAt?: number
  /** When it was asked to stop (ms since epoch): a `"cancelling"` task's. */
  readonly cancelledAt?: number
  /** A keyed task's key, as a string. */
  readonly key?: string
  /** With retry: the attempt it is on, 1-based. */
  readonly attempt?: number
  readonly progress?: Progress
  /** The groups opened inside the task, still open. */
  readonly groups: ReadonlyArray<GroupSnapshot>
}

/**
 * One group at one moment. `counts.queued` and `counts.running` count the tasks in
 * `tasks` (those not yet ended, in spawn order); the others the tasks that have ended.
 *
 * @since 0.1.0
 * @category snapshots
 */
export interface GroupSnapshot {
  readonly name: string
  readonly state: "open" | "closing" | "closed"
  readonly mode: "failFast" | "settle"
  /** The limit of running tasks as set now (`setConcurrency` changes it). */
  readonly concurrency: number | "unbounded"
  /** The `rate` option as given (interval in ms), if any. */
  readonly rate?: Rate
  /** The `partitions` option as given, if any. */
  readonly partitions?: PartitionLimits
  readonly counts: {
    readonly queued: number
    readonly running: number
    readonly succeeded: number
    readonly failed: number
    readonly cancelled: number
  }
  readonly tasks: ReadonlyArray<TaskSnapshot>
}

/**
 * A group opened inside a task, whose snapshot goes at `index` of `into` (that task's
 * `groups`): what {@link SnapshotSource.ownSnapshot} leaves for {@link snapshotTree}.
 *
 * @since 0.1.0
 * @category snapshots
 */
export interface InnerGroup {
  readonly source: SnapshotSource
  readonly into: Array<GroupSnapshot>
  readonly index: number
}

/**
 * Anything that shows as a group in snapshots: a kernel `Group`, or a group of another
 * implementation. `ownSnapshot` gives the group's own snapshot; for each group opened in
 * one of its tasks it leaves a hole in that task's `groups` and an {@link InnerGroup} in
 * `inner`, which {@link snapshotTree} fills.
 *
 * @since 0.1.0
 * @category snapshots
 */
export interface SnapshotSource {
  ownSnapshot(inner: Array<InnerGroup>): GroupSnapshot
}

/**
 * Anything a group can be opened inside (a task of any package): it keeps the groups
 * opened in it while they are open, and says whether it has ended.
 *
 * @since 0.1.0
 * @category snapshots
 */
export interface SnapshotParent {
  groups?: Set<SnapshotSource> | undefined
  readonly ready: boolean
}

/**
 * Leaves a hole for each group of `groups` in a new array (a task's `groups`), to be
 * filled by {@link snapshotTree}: what an `ownSnapshot` calls for each of its tasks.
 *
 * **Example**
 *
 * ```ts
 * import { innerGroups, type InnerGroup } from "@soonify/kernel"
 *
 * const inner: Array<InnerGroup> = []
 * innerGroups(undefined, inner) // => []
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const innerGroups = (
  groups: ReadonlySet<SnapshotSource> | undefined,
  inner: Array<InnerGroup>
): Array<GroupSnapshot> => {
  const into: Array<GroupSnapshot> = []
  if (groups !== undefined) {
    for (const source of groups) inner.push({ source, into, index: into.push(undefined!) - 1 })
  }
  return into
}

/**
 * The snapshot of `source` and of every group under it, without recursion.
 *
 * **Example**
 *
 * ```ts
 * import { snapshotTree, type SnapshotSource } from "@soonify/kernel"
 *
 * const leaf: SnapshotSource = {
 *   ownSnapshot: () => ({
 *     name: "leaf",
 *     state: "open",
 *     mode: "failFast",
 *     concurrency: "unbounded",
 *     counts: { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 },
 *     tasks: []
 *   })
 * }
 * snapshotTree(leaf).name // => "leaf"
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const snapshotTree = (source: SnapshotSource): GroupSnapshot => {
  const inner: Array<InnerGroup> = []
  const root = source.ownSnapshot(inner)
  for (let next = inner.pop(); next !== undefined; next = inner.pop()) {
    next.into[next.index] = next.source.ownSnapshot(inner)
  }
  return root
}
