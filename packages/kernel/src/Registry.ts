/**
 * The registry of open groups: one object per process, on `globalThis` under
 * `Symbol.for("soonify.registry")`, shared by every copy of the kernel loaded in the
 * process (two versions in one program, core and interop each with their own) and by any
 * group implementation that places its groups here. It is what `snapshotAll` and the
 * inspector hooks of `soonify ps | pstree | top` read.
 *
 * Where each open group is: a root group (opened outside any task) in `roots`, through a
 * `WeakRef` (a group nobody owns and nobody ends stays collectable); a group opened
 * inside a task in that task's `groups`. A group is placed when it opens and removed
 * when it ends, so the registry holds only open groups. Nothing switches on later:
 * every group is placed from its first moment, whatever happened before in the process.
 *
 * @since 0.1.0
 */
import { attachSnapshotHook } from "#attach"
import { type GroupSnapshot, type SnapshotParent, type SnapshotSource, snapshotTree } from "./Snapshot.ts"

/**
 * Where an open group is: its root entry, or the task it was opened in.
 *
 * @since 0.1.0
 * @category registry
 */
export type Place = WeakRef<SnapshotSource> | SnapshotParent

/**
 * The process-wide registry (see the module's header). Its shape is a contract between
 * copies of the kernel: it only grows.
 *
 * @since 0.1.0
 * @category registry
 */
export interface Registry {
  readonly version: 1
  /** The open root groups, oldest first (entries of collected groups are swept out). */
  readonly roots: Set<WeakRef<SnapshotSource>>
  /** Places a group that opens: under `parent` if it was opened in a task that has not ended, else among the roots. */
  place(source: SnapshotSource, parent: SnapshotParent | undefined): Place
  /** Removes a group that has ended from where it was. */
  unplace(source: SnapshotSource, place: Place): void
  /** Moves an open group under `parent` (a group adopted by a task after it opened). */
  move(source: SnapshotSource, from: Place, parent: SnapshotParent): Place
  /** The open root groups, oldest first. */
  openRoots(): Array<SnapshotSource>
  /** Every open root group's snapshot, oldest first. */
  snapshotAll(): Array<GroupSnapshot>
  /** How deep group work is nested on the JavaScript stack now (see {@link stackDepth}); absent in a registry made by an older copy. */
  stack?: StackDepth
  /** What each adapter keeps alive so that its object layouts survive full collections (see Layouts.ts), by the adapter's package name; absent in a registry made by an older copy. */
  layouts?: Map<string, KeptLayouts>
  /** How many futures were made without a name, by every adapter (see {@link futureName}); absent in a registry made by an older copy. */
  futures?: FutureCount
}

/**
 * One adapter's entry in {@link Registry.layouts}: the small group that keeps the object
 * layouts of its group path alive, and what it gave back (Layouts.ts says why).
 *
 * @since 0.1.0
 * @category registry
 */
export interface KeptLayouts {
  /** The adapter's keeper, until it has been run (it runs once). */
  keeper: (() => unknown) | undefined
  /** What the keeper gave back, kept for the life of the process (`undefined` if it threw). */
  kept: unknown
}

/**
 * How many futures (handles completed by hand) were made without a name in the process,
 * by any adapter: the N of their `future-N` names.
 *
 * @since 0.1.0
 * @category registry
 */
export interface FutureCount {
  made: number
}

/**
 * How many levels of group work (a task starting inside the call that spawns it, a
 * group ending inside its last task's end, a shutdown reaching nested groups) are on
 * the JavaScript stack now. The stack is the process's, so the count is too: every
 * adapter that goes on from a fresh stack past some depth reads and writes this one.
 *
 * @since 0.1.0
 * @category registry
 */
export interface StackDepth {
  depth: number
}

const registryKey = Symbol.for("soonify.registry")

interface Globals {
  [registryKey]?: Registry
}

const makeRegistry = (): Registry => {
  const roots = new Set<WeakRef<SnapshotSource>>()
  // The size at which the entries of collected groups are swept out: a million abandoned
  // groups leave no million dead entries, at a cost spread thinly over the additions.
  let sweepAt = 1024
  const sweep = (): void => {
    for (const entry of roots) if (entry.deref() === undefined) roots.delete(entry)
    sweepAt = Math.max(1024, roots.size * 2)
  }
  const place = (source: SnapshotSource, parent: SnapshotParent | undefined): Place => {
    if (parent !== undefined && !parent.ready) {
      ;(parent.groups ??= new Set()).add(source)
      return parent
    }
    const entry = new WeakRef(source)
    roots.add(entry)
    if (roots.size >= sweepAt) sweep()
    return entry
  }
  const unplace = (source: SnapshotSource, where: Place): void => {
    if (where instanceof WeakRef) roots.delete(where)
    else where.groups?.delete(source)
  }
  const openRoots = (): Array<SnapshotSource> => {
    const open: Array<SnapshotSource> = []
    for (const entry of roots) {
      const source = entry.deref()
      if (source === undefined) roots.delete(entry)
      else open.push(source)
    }
    return open
  }
  return {
    version: 1,
    roots,
    place,
    unplace,
    move: (source, from, parent) => {
      unplace(source, from)
      return place(source, parent)
    },
    openRoots,
    snapshotAll: () => openRoots().map(snapshotTree),
    stack: { depth: 0 }
  }
}

/**
 * Puts the inspector hook on `globalThis` (the kernel does when it is loaded):
 * `Symbol.for("soonify.snapshot")` gives every open root group's snapshot. A snapshot hook
 * put there by a copy of soonify without this registry is kept: its groups come first.
 * Calling it again keeps the hook it installed. (The serialised hook beside it is
 * `installSnapshotJsonHook`'s, in JsonText.ts: a program that never serialises carries no
 * writer.) A browser build (the `browser` condition of `#attach` in package.json) installs
 * none: only the `soonify` command, attaching to a Node process, reads it.
 *
 * **Example**
 *
 * ```ts
 * import { installSnapshotHooks } from "@soonify/kernel"
 *
 * installSnapshotHooks()
 * typeof (globalThis as Record<symbol, unknown>)[Symbol.for("soonify.snapshot")] // => "function"
 * ```
 *
 * @since 0.1.0
 * @category registry
 */
export const installSnapshotHooks = (): void => attachSnapshotHook(registry().snapshotAll)

/**
 * The process's registry: the one on `globalThis`, made (with the inspector hooks) by the
 * first copy of the kernel that asks.
 *
 * **Example**
 *
 * ```ts
 * import { registry } from "@soonify/kernel"
 *
 * registry() === registry() // => true
 * Array.isArray(registry().snapshotAll()) // => true
 * ```
 *
 * @since 0.1.0
 * @category registry
 */
export const registry = (): Registry => {
  const global = globalThis as Globals
  let found = global[registryKey]
  if (found === undefined) {
    found = makeRegistry()
    Object.defineProperty(globalThis, registryKey, { value: found, configurable: true, writable: false })
  }
  return found
}

/**
 * The process's count of group work on the JavaScript stack (see {@link StackDepth}),
 * kept in the registry: one count for every adapter and every copy of the kernel.
 *
 * **Example**
 *
 * ```ts
 * import { stackDepth } from "@soonify/kernel"
 *
 * stackDepth() === stackDepth() // => true
 * stackDepth().depth // => 0
 * ```
 *
 * @since 0.1.0
 * @category registry
 */
export const stackDepth = (): StackDepth => (registry().stack ??= { depth: 0 })

/**
 * The name of a future made without one: `future-N`, counted over the process (one count
 * for every adapter and every copy of the kernel, kept in the registry), so that two
 * futures of one process never share a default name.
 *
 * **Example**
 *
 * ```ts
 * import { futureName } from "@soonify/kernel"
 *
 * const first = Number(futureName().slice("future-".length))
 * futureName() === `future-${first + 1}` // => true
 * ```
 *
 * @since 0.1.0
 * @category registry
 */
export const futureName = (): string => `future-${++(registry().futures ??= { made: 0 }).made}`

/**
 * Every open root group of the process, as snapshots, oldest first (DESIGN §5
 * `snapshotAll`): the groups of every package that places its groups in the registry.
 *
 * **Example**
 *
 * ```ts
 * import { snapshotAll } from "@soonify/kernel"
 *
 * snapshotAll().filter((group) => group.name === "nobody") // => []
 * ```
 *
 * @since 0.1.0
 * @category registry
 */
export const snapshotAll = (): Array<GroupSnapshot> => registry().snapshotAll()

// Groups are observable from outside the process as soon as the kernel is loaded: an
// attach before the first group opens finds the hooks (and an empty tree).
installSnapshotHooks()
