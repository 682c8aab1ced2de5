import type { TaskHandle } from "./handle.ts"

/**
 * A group's tasks not yet ended, in spawn order: queued ones, ones in their first steps,
 * and running ones. What a shutdown interrupts, what snapshots list.
 *
 * A list through the handles themselves (`previousLive` / `nextLive`), not a `Set`: a
 * task is added and removed once each, and a Set pays for hashing the handle and for a
 * table entry on both, a tenth of a task that returns at once. A handle leaves the list
 * with both links cleared, so that a handle kept by its user keeps no other task alive.
 *
 * @internal
 */
export class LiveTasks {
  private first: TaskHandle<any, any> | undefined = undefined
  private last: TaskHandle<any, any> | undefined = undefined

  add(handle: TaskHandle<any, any>): void {
    const last = this.last
    handle.previousLive = last
    if (last === undefined) this.first = handle
    else last.nextLive = handle
    this.last = handle
  }

  /** Removes a task that has ended; does nothing for one not in the list. */
  delete(handle: TaskHandle<any, any>): void {
    const previous = handle.previousLive
    const next = handle.nextLive
    if (previous === undefined ? this.first !== handle : previous.nextLive !== handle) return
    if (previous === undefined) this.first = next
    else previous.nextLive = next
    if (next === undefined) this.last = previous
    else next.previousLive = previous
    handle.previousLive = undefined
    handle.nextLive = undefined
  }

  /** Whether some task in the list satisfies `f`. */
  some(f: (handle: TaskHandle<any, any>) => boolean): boolean {
    for (let handle = this.first; handle !== undefined; handle = handle.nextLive) if (f(handle)) return true
    return false
  }

  /** The tasks as they are now, in spawn order: an array, so that tasks may end while it is read. */
  toArray(): Array<TaskHandle<any, any>> {
    const handles: Array<TaskHandle<any, any>> = []
    for (let handle = this.first; handle !== undefined; handle = handle.nextLive) handles.push(handle)
    return handles
  }
}
