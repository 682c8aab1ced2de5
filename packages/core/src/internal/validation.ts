import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"

/** Describes a received value for an error message: its type and, when short, the value. */
export const describe = (u: unknown): string => {
  if (u === null) return "null"
  if (u === undefined) return "undefined"
  switch (typeof u) {
    case "number":
    case "bigint":
    case "boolean":
      return `${typeof u} ${String(u)}`
    case "string":
      return `string ${JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}…` : u)}`
    case "function":
      return `function ${u.name || "(anonymous)"}`
    case "symbol":
      return String(u)
    default:
      return Array.isArray(u) ? `array of length ${u.length}` : `object ${Object.prototype.toString.call(u)}`
  }
}

/**
 * Returns the problem with a `concurrency` option, or `undefined` when it is valid:
 * `undefined`, `"unbounded"` or a positive integer.
 */
export const concurrencyProblem = (where: string, concurrency: unknown): string | undefined =>
  concurrency === undefined ||
  concurrency === "unbounded" ||
  (typeof concurrency === "number" && Number.isInteger(concurrency) && concurrency > 0)
    ? undefined
    : `${where}: option "concurrency" must be a positive integer or "unbounded", received ${describe(concurrency)}`

/** Returns the problem with a `mode` option, or `undefined` when it is valid. */
export const modeProblem = (where: string, mode: unknown): string | undefined =>
  mode === undefined || mode === "failFast" || mode === "settle"
    ? undefined
    : `${where}: option "mode" must be "failFast" or "settle", received ${describe(mode)}`

/** Returns the problem with a `name` option, or `undefined` when it is valid. */
export const nameProblem = (where: string, name: unknown): string | undefined =>
  name === undefined || typeof name === "string"
    ? undefined
    : `${where}: option "name" must be a string, received ${describe(name)}`

/** Returns the problem with a task's options (`spawn`, `soonify`, `start`), or `undefined`. */
export const taskOptionsProblem = (where: string, options: unknown): string | undefined =>
  optionsProblem(where, options) ?? nameProblem(where, (options as { readonly name?: unknown } | undefined)?.name)

/** Returns the problem with an argument that must be an Effect, or `undefined`. */
export const effectProblem = (where: string, what: string, u: unknown): string | undefined =>
  Effect.isEffect(u) ? undefined : `${where}: expected ${what} to be an Effect, received ${describe(u)}`

/** Returns the problem with an options argument as a whole, or `undefined`. */
export const optionsProblem = (where: string, options: unknown): string | undefined =>
  options === undefined || (typeof options === "object" && options !== null)
    ? undefined
    : `${where}: options must be an object or undefined, received ${describe(options)}`

/** The defect for a bad argument: an `IllegalArgumentError` with the given message. */
export const illegalArgument = (message: string): Cause.IllegalArgumentError => new Cause.IllegalArgumentError(message)

/** Tells whether a value can be iterated with `for…of`. */
export const isIterable = (u: unknown): u is Iterable<unknown> =>
  u !== null && u !== undefined && typeof (u as any)[Symbol.iterator] === "function"
