// The worker functions the figures measure, in both shapes: as worker functions
// (module + export, for this package) and as piscina task handlers (one argument).
import { createHash } from "node:crypto"

export const add = (a: number, b: number): number => a + b

export const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex")

/** piscina's handler for `add`: its default export, called with the task. */
export default (task: { readonly a: number; readonly b: number }): number => task.a + task.b

/** piscina's handler for `sha256`. */
export const sha256Task = (task: { readonly data: Uint8Array }): string =>
  createHash("sha256").update(task.data).digest("hex")
