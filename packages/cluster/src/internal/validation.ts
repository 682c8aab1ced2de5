import * as Cause from "effect/Cause"

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

/** The error thrown for a bad argument: an `IllegalArgumentError` with the given message. */
export const illegalArgument = (message: string): Cause.IllegalArgumentError => new Cause.IllegalArgumentError(message)

/** Returns the problem with an options argument as a whole, or `undefined`. */
export const optionsProblem = (where: string, options: unknown): string | undefined =>
  options === undefined || (typeof options === "object" && options !== null)
    ? undefined
    : `${where}: options must be an object or undefined, received ${describe(options)}`

/** Returns the problem with a `concurrency` / `mailboxCapacity` style option, or `undefined`. */
export const countProblem = (where: string, option: string, value: unknown): string | undefined =>
  value === undefined || value === "unbounded" || (typeof value === "number" && Number.isInteger(value) && value > 0)
    ? undefined
    : `${where}: option "${option}" must be a positive integer or "unbounded", received ${describe(value)}`
