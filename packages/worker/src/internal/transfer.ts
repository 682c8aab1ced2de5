/**
 * Moving `ArrayBuffer`s to and from workers instead of copying them.
 *
 * Arguments are marked by the caller (`WorkerFn.transfer(buffer)`); results are moved
 * when the worker function was defined with `transferResult: true`. Imports nothing of
 * this package: the runner loads this module in every worker.
 */
import { isMarkedAsUntransferable } from "node:worker_threads"

/**
 * The arguments marked for transfer. Kept on `globalThis` under a registered symbol, so
 * that two copies of this package in one process (its sources and its build) share it.
 */
const marked: WeakSet<object> = ((globalThis as Record<symbol, unknown>)[Symbol.for("@soonify/worker/transfer")] ??=
  new WeakSet<object>()) as WeakSet<object>

/** Marks a buffer (or a view of one) to be moved to the worker instead of copied. */
export const mark = <T extends ArrayBufferLike | ArrayBufferView>(value: T): T => {
  marked.add(value)
  return value
}

const bufferOf = (value: ArrayBufferLike | ArrayBufferView): ArrayBuffer | undefined => {
  const buffer = ArrayBuffer.isView(value) ? value.buffer : value
  // A SharedArrayBuffer is shared, never moved; Node's pool of small Buffers is marked
  // untransferable (moving it would take the memory of other Buffers along): copied.
  return buffer instanceof ArrayBuffer && !isMarkedAsUntransferable(buffer) ? buffer : undefined
}

/** The buffers of the marked arguments among `args`, each once. */
export const markedBuffers = (args: ReadonlyArray<unknown>): Array<ArrayBuffer> => {
  let buffers: Array<ArrayBuffer> | undefined
  for (const arg of args) {
    if (typeof arg !== "object" || arg === null || !marked.has(arg)) continue
    const buffer = bufferOf(arg as ArrayBufferLike | ArrayBufferView)
    if (buffer === undefined) continue
    buffers ??= []
    if (!buffers.includes(buffer)) buffers.push(buffer)
  }
  return buffers ?? []
}

const maxDepth = 4

/**
 * Every `ArrayBuffer` in a result: the result itself, or reached through arrays and
 * plain objects (a few levels deep), each once.
 */
export const buffersIn = (value: unknown): Array<ArrayBuffer> => {
  const found = new Set<ArrayBuffer>()
  const visit = (u: unknown, depth: number): void => {
    if (typeof u !== "object" || u === null) return
    if (u instanceof ArrayBuffer) {
      found.add(u)
    } else if (ArrayBuffer.isView(u)) {
      const buffer = bufferOf(u)
      if (buffer !== undefined) found.add(buffer)
    } else if (depth < maxDepth && Array.isArray(u)) {
      for (const item of u) visit(item, depth + 1)
    } else if (depth < maxDepth && Object.getPrototypeOf(u) === Object.prototype) {
      for (const item of Object.values(u)) visit(item, depth + 1)
    }
  }
  visit(value, 0)
  return [...found]
}
