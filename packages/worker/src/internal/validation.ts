/**
 * Every rule about this package's arguments, and every message that says one was
 * broken: written once here, for both APIs. Imports only `@soonify/kernel`'s `describe`
 * (the Promise API loads it, and must not load Effect; the kernel loads nothing).
 *
 * A check returns the {@link Problem} with its argument, or `undefined`. Each API turns
 * a problem into its own kind of error, without touching the message: the Effect API
 * into an `IllegalArgumentError` (thrown, or the defect its Effect dies with), the
 * Promise API into the `TypeError` or `RangeError` the problem names ({@link errorOf}).
 * Messages name the function (`where`, as the caller wrote it: `WorkerFn.make`,
 * `defineWorkerFn`, `pool.run`) and the argument or option, and say what was received,
 * as every soonify package does.
 */
import { describe } from "@soonify/kernel"

/** A broken rule: its message, and the built-in error class Promise code expects for it. */
export interface Problem {
  readonly message: string
  /** `RangeError` for a number out of its range; `TypeError` for everything else. */
  readonly kind: "TypeError" | "RangeError"
}

const typeProblem = (message: string): Problem => ({ message, kind: "TypeError" })

/** The error a problem is in Promise code: a `TypeError` or a `RangeError`, with its message. */
export const errorOf = (problem: Problem): TypeError | RangeError =>
  problem.kind === "RangeError" ? new RangeError(problem.message) : new TypeError(problem.message)

/** Describes a received value for a message, in the kernel's words (the same in every package). */
export { describe }

/** The problem with an options argument as a whole: it must be an object or `undefined`. */
export const optionsProblem = (where: string, options: unknown): Problem | undefined =>
  options === undefined || (typeof options === "object" && options !== null)
    ? undefined
    : typeProblem(`${where}: options must be an object or undefined, received ${describe(options)}`)

/** The problem with a pool's `size`: a positive integer, or `undefined`. */
export const sizeProblem = (where: string, size: unknown): Problem | undefined => {
  if (size === undefined || (typeof size === "number" && Number.isInteger(size) && size > 0)) return undefined
  const message = `${where}: option "size" must be a positive integer, received ${describe(size)}`
  return { message, kind: typeof size === "number" ? "RangeError" : "TypeError" }
}

/** The problem with an option that must be a string, or `undefined`. */
export const stringProblem = (where: string, option: string, value: unknown): Problem | undefined =>
  value === undefined || typeof value === "string"
    ? undefined
    : typeProblem(`${where}: option "${option}" must be a string, received ${describe(value)}`)

/** The problem with an option that must be a boolean, or `undefined`. */
export const booleanProblem = (where: string, option: string, value: unknown): Problem | undefined =>
  value === undefined || typeof value === "boolean"
    ? undefined
    : typeProblem(`${where}: option "${option}" must be a boolean, received ${describe(value)}`)

/** The problem with `resourceLimits`: an object of non-negative numbers, or `undefined`. */
export const resourceLimitsProblem = (where: string, limits: unknown): Problem | undefined => {
  if (limits === undefined) return undefined
  if (typeof limits !== "object" || limits === null) {
    return typeProblem(`${where}: option "resourceLimits" must be an object, received ${describe(limits)}`)
  }
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value === "number" && value >= 0) continue
    const message = `${where}: option "resourceLimits.${key}" must be a non-negative number, received ${describe(value)}`
    return { message, kind: typeof value === "number" ? "RangeError" : "TypeError" }
  }
  return undefined
}

/** The problem with a worker function's module: a `URL`, or an absolute URL string. */
export const moduleProblem = (where: string, module: unknown): Problem | undefined =>
  module instanceof URL || (typeof module === "string" && URL.canParse(module))
    ? undefined
    : typeProblem(
        `${where}: module must be a URL, such as new URL("./hash.worker.ts", import.meta.url), ` +
          `or an absolute URL string ("file:///…", "node:crypto"), received ${describe(module)}`
      )

/** The problem with a worker function's export name: a non-empty string. */
export const exportNameProblem = (where: string, exportName: unknown): Problem | undefined =>
  typeof exportName === "string" && exportName !== ""
    ? undefined
    : typeProblem(`${where}: exportName must be a non-empty string, received ${describe(exportName)}`)

/**
 * The problem with the `cancel` option of a function that takes no signal:
 * `"terminate"`, `"abandon"` or `undefined`. `cooperative` names the constructor for a
 * function that does take one, in the caller's API.
 */
export const cancelProblem = (where: string, cancel: unknown, cooperative: string): Problem | undefined =>
  cancel === undefined || cancel === "terminate" || cancel === "abandon"
    ? undefined
    : typeProblem(
        `${where}: option "cancel" must be "terminate" or "abandon" (for a function that takes an AbortSignal, ` +
          `use ${cooperative}), received ${describe(cancel)}`
      )

/** The problem with a value to move to a worker: an `ArrayBuffer` or a view of one. */
export const bufferProblem = (where: string, buffer: unknown): Problem | undefined =>
  buffer instanceof ArrayBuffer || ArrayBuffer.isView(buffer)
    ? undefined
    : typeProblem(`${where}: expected an ArrayBuffer or a view of one, received ${describe(buffer)}`)

/** The problem with a worker function given to a call: one made by `expected` (in the caller's API). */
export const workerFnProblem = (
  where: string,
  isWorkerFn: boolean,
  fn: unknown,
  expected: string
): Problem | undefined =>
  isWorkerFn ? undefined : typeProblem(`${where}: expected ${expected}, received ${describe(fn)}`)

/** The problem with a call's arguments: an array of them. */
export const argsProblem = (where: string, args: unknown): Problem | undefined =>
  Array.isArray(args)
    ? undefined
    : typeProblem(`${where}: args must be an array of the arguments, received ${describe(args)}`)

/** The problem with a `signal` option: an `AbortSignal`, or `undefined`. */
export const signalProblem = (where: string, signal: unknown): Problem | undefined =>
  signal === undefined || signal instanceof AbortSignal
    ? undefined
    : typeProblem(`${where}: option "signal" must be an AbortSignal, received ${describe(signal)}`)
