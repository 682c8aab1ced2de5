/**
 * Moving `ArrayBuffer`s to and from workers instead of copying them.
 *
 * Arguments are marked by the caller (`WorkerFn.transfer(buffer)`); results are moved
 * when the worker function was defined with `transferResult: true`. Imports nothing of
 * this package: the runner loads this module in every worker.
 */
// A namespace import, not a named one: on a Node without the export (20), a named import
// fails to link before nodeVersion.ts can say which Node this package needs.
import * as workerThreads from "node:worker_threads"

/**
 * The values marked for transfer, and how many of them no call has found in its
 * arguments yet (while there is none, a call does not look through its arguments at
 * all). Kept on `globalThis` under a registered symbol, so that two copies of this
 * package in one process (its sources and its build) share them.
 */
const registry: { readonly marked: WeakSet<object>; unclaimed: number } = ((globalThis as Record<symbol, unknown>)[
  Symbol.for("@soonify/worker/transfer")
] ??= { marked: new WeakSet<object>(), unclaimed: 0 }) as { readonly marked: WeakSet<object>; unclaimed: number }

/** Marks a buffer (or a view of one) to be moved to the worker instead of copied. */
export const mark = <T extends ArrayBufferLike | ArrayBufferView>(value: T): T => {
  if (!registry.marked.has(value)) {
    registry.marked.add(value)
    registry.unclaimed++
  }
  return value
}

const bufferOf = (value: ArrayBufferLike | ArrayBufferView): ArrayBuffer | undefined => {
  const buffer = ArrayBuffer.isView(value) ? value.buffer : value
  // A SharedArrayBuffer is shared, never moved; Node's pool of small Buffers is marked
  // untransferable (moving it would take the memory of other Buffers along): copied.
  return buffer instanceof ArrayBuffer && !workerThreads.isMarkedAsUntransferable(buffer) ? buffer : undefined
}

const maxDepth = 4

/**
 * Calls `found` with every buffer or view in `value`: the value itself, or reached
 * through arrays and plain objects, a few levels deep.
 */
const visitBuffers = (value: unknown, found: (buffer: ArrayBuffer | ArrayBufferView) => void, depth = 0): void => {
  if (typeof value !== "object" || value === null) return
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return found(value)
  if (depth >= maxDepth) return
  if (Array.isArray(value)) {
    for (const item of value) visitBuffers(item, found, depth + 1)
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) visitBuffers(item, found, depth + 1)
  }
}

/** The buffers of the marked values in `args` (top level, or in arrays and plain objects), each once. */
export const markedBuffers = (args: ReadonlyArray<unknown>): Array<ArrayBuffer> => {
  if (registry.unclaimed === 0) return []
  const buffers = new Set<ArrayBuffer>()
  visitBuffers(args, (value) => {
    if (!registry.marked.has(value)) return
    registry.marked.delete(value)
    registry.unclaimed--
    const buffer = bufferOf(value)
    if (buffer !== undefined) buffers.add(buffer)
  })
  return [...buffers]
}

/** Every `ArrayBuffer` in a result (top level, or in arrays and plain objects), each once. */
export const buffersIn = (value: unknown): Array<ArrayBuffer> => {
  const buffers = new Set<ArrayBuffer>()
  visitBuffers(value, (found) => {
    const buffer = bufferOf(found)
    if (buffer !== undefined) buffers.add(buffer)
  })
  return [...buffers]
}
