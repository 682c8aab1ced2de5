/**
 * A worker thread that died under a call: how piscina's rejection is read, and the
 * message that says so, written once for both APIs (core's `WorkerCrashed`, interop's
 * `WorkerCrashedError`). Imports nothing.
 */
import type { Definition } from "./workerFn.ts"

/** How a worker thread died (see `CrashReason` in `WorkerCrashed.ts`). */
export type CrashReason = "exit" | "outOfMemory" | "uncaughtError"

/** What is known of a crash: the call's function, how its thread died, what it reported. */
export interface Crash {
  /** The name of the export that was called. */
  readonly fn: string
  /** The URL of the module that exports it. */
  readonly module: string
  readonly reason: CrashReason
  /** The thread's exit code, for `reason: "exit"`. */
  readonly exitCode: number | undefined
  /** What the thread reported, when it reported something. */
  readonly cause: unknown
}

const exitCodePattern = /^worker exited with code: (-?\d+)/

/** What piscina's rejection of a call says about the worker that ran it. */
export const crashOf = (fn: Definition, error: unknown): Crash => {
  const base = { fn: fn.exportName, module: fn.module, cause: error }
  if ((error as { readonly code?: unknown } | null)?.code === "ERR_WORKER_OUT_OF_MEMORY") {
    return { ...base, reason: "outOfMemory", exitCode: undefined }
  }
  // piscina says how a thread exited only in its message (Node's own words, not ours).
  const exited = error instanceof Error ? exitCodePattern.exec(error.message) : null
  if (exited !== null) return { ...base, reason: "exit", exitCode: Number(exited[1]) }
  return { ...base, reason: "uncaughtError", exitCode: undefined }
}

/**
 * What an error says: its message, else the first line of its stack (a `DOMException`
 * that crossed from a worker thread keeps only its stack), else the value as text.
 */
const messageOf = (u: unknown): string => {
  const error = u as { readonly message?: unknown; readonly stack?: unknown } | null | undefined
  if (typeof error?.message === "string" && error.message !== "") return error.message
  if (typeof error?.stack === "string" && error.stack !== "") return error.stack.split("\n", 1)[0]!
  return String(u)
}

/** The message of a crash, for both APIs' errors. */
export const crashMessage = (crash: Crash): string => {
  const how =
    crash.reason === "exit"
      ? `exited with code ${crash.exitCode}`
      : crash.reason === "outOfMemory"
        ? "ran out of memory (see the pool's resourceLimits)"
        : `crashed on an uncaught error (${messageOf(crash.cause)})`
  return (
    `The worker thread running ${crash.fn} (${crash.module}) ${how} before the call ended. ` +
    "The pool has replaced it: the next call runs on a new worker."
  )
}
