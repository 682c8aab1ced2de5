import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"

// Where each open group is, for snapshots: a root group in the process-wide set below,
// a group opened inside a task in that task's handle (`TaskHandle.groups`). A group is
// placed when it opens and removed when it closes, so the registry holds only open
// groups. The root set holds each group through a `WeakRef`: a group that nobody owns
// and nobody ends (`makeUnsafe`, abandoned) stays collectable.

/** A root group's entry in {@link roots}. */
export type RootEntry = WeakRef<GroupImpl>

const roots = new Set<RootEntry>()

/**
 * The size of {@link roots} at which the entries of collected groups are swept out: so
 * that a million abandoned groups leave no million dead entries behind, at a cost
 * spread thinly over the additions (the threshold doubles with the live entries).
 */
let sweepAt = 1024

// Stryker disable next-line BlockStatement: memory only: `openRoots` skips and drops the entries of collected groups too
const sweep = (): void => {
  for (const entry of roots) if (entry.deref() === undefined) roots.delete(entry)
  // Stryker disable next-line MethodExpression,ArithmeticOperator: when to sweep again: cost only, the entries swept are dead either way
  sweepAt = Math.max(1024, roots.size * 2)
}

/** Where an open group is: its root entry, or the task it was opened in. */
export type Place = RootEntry | TaskHandle<any, any>

/** Places a group that opens: under `task` if it was opened inside one, else among the roots. */
export const place = (group: GroupImpl, task: TaskHandle<any, any> | undefined): Place => {
  // A task that has ended takes no more groups (a group made in a scope that outlives it).
  if (task !== undefined && !task.ready) {
    ;(task.groups ??= new Set()).add(group)
    return task
  }
  const entry = new WeakRef(group)
  roots.add(entry)
  // Stryker disable next-line ConditionalExpression,CallExpression: sweeping more or less often: cost and memory only (see `sweep`)
  if (roots.size >= sweepAt) sweep()
  return entry
}

/** Removes a group that has closed from where it was. */
export const unplace = (group: GroupImpl, where: Place): void => {
  if (where instanceof WeakRef) roots.delete(where)
  else where.groups?.delete(group)
}

/** Moves an open group under `task` (`TaskGroup.placeUnderUnsafe`). */
export const move = (group: GroupImpl, from: Place, task: TaskHandle<any, any>): Place => {
  unplace(group, from)
  return place(group, task)
}

/** The open root groups, oldest first. */
export const openRoots = (): Array<GroupImpl> => {
  const groups: Array<GroupImpl> = []
  for (const entry of roots) {
    const group = entry.deref()
    if (group === undefined) roots.delete(entry)
    else groups.push(group)
  }
  return groups
}
