import { registry, renderSnapshot as renderKernelSnapshot } from "@soonify/kernel"
import type { GroupSnapshot, RenderOptions } from "../TaskGroup.ts"
import type { GroupImpl } from "./group.ts"

// Snapshots: the plain, JSON-serialisable tree of DESIGN.md §5, the kernel's (its walk
// without recursion, its rendering, its registry): a core group is a kernel group, so
// groups of core, interop and any other package on the kernel nest in one tree.

/** A group's snapshot: its settings, its counts, and its tasks not yet ended, in spawn order. */
export const groupSnapshot = (group: GroupImpl): GroupSnapshot => group.kernel.snapshot()

/** Every open root group's snapshot (of every package in the registry), oldest first. */
export const snapshotAll = (): Array<GroupSnapshot> => registry().snapshotAll()

/** The indented text tree of one snapshot or several (`pstree`-like), one line per group and task. */
export const renderSnapshot = (
  snapshot: GroupSnapshot | ReadonlyArray<GroupSnapshot>,
  options?: RenderOptions
): string => renderKernelSnapshot(snapshot, options)
