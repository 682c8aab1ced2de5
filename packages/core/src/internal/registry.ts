import { type Place as KernelPlace, registry, type SnapshotParent, type SnapshotSource } from "@soonify/kernel"
import type { GroupImpl } from "./group.ts"
import { ownSnapshot } from "./snapshot.ts"

// Where each open group is, for snapshots: in the process-wide registry of
// @soonify/kernel, which every package's groups share (one tree for a process that uses
// core and interop): a root group among its roots, a group opened inside a task in that
// task's `groups` (a core task's handle, or a kernel task). A group is placed when it
// opens and removed when it closes, so the registry holds only open groups.

/**
 * Where an open core group is shown: the group as the registry sees it (a snapshot
 * source), and its place there. One per group, made when it opens.
 */
export class Place implements SnapshotSource {
  readonly group: GroupImpl
  where: KernelPlace

  constructor(group: GroupImpl, parent: SnapshotParent | undefined) {
    this.group = group
    this.where = registry().place(this, parent)
  }

  ownSnapshot(inner: Parameters<SnapshotSource["ownSnapshot"]>[0]) {
    return ownSnapshot(this.group, inner)
  }
}

/** Places a group that opens: under `task` if it was opened inside one (that has not ended), else among the roots. */
export const place = (group: GroupImpl, task: SnapshotParent | undefined): Place => new Place(group, task)

/** Removes a group that has closed from where it was. */
export const unplace = (_group: GroupImpl, where: Place): void => registry().unplace(where, where.where)

/** Moves an open group under `task` (`TaskGroup.placeUnderUnsafe`). */
export const move = (_group: GroupImpl, from: Place, task: SnapshotParent): Place => {
  from.where = registry().move(from, from.where, task)
  return from
}
