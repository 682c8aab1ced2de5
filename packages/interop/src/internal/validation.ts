import { describe, isIterable, type Mode } from "@soonify/kernel"

// Bad input fails at once, with a TypeError (wrong kind of value) or a RangeError (a
// number out of range) whose message names the argument, what was expected and what
// was received, in the kernel's words (the same in every package).

export { describe, isIterable }

/** Throws a TypeError unless `f` is a function. */
export const checkFunction = (where: string, what: string, f: unknown): void => {
  if (typeof f !== "function")
    throw new TypeError(`${where}: expected ${what} to be a function, received ${describe(f)}`)
}

/** Throws a TypeError unless `options` is an object or undefined. */
export const checkOptions = (where: string, options: unknown): void => {
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    throw new TypeError(`${where}: expected options to be an object or undefined, received ${describe(options)}`)
  }
}

/**
 * Reads `concurrency` (or what `what` names: `option "partitions.concurrency"`, the
 * argument of `setConcurrency`): a positive integer, or `Infinity` (an option's default)
 * for no limit. Unlike the options, the argument (`what` is `"concurrency"`) has no default.
 */
export const concurrencyOf = (where: string, concurrency: unknown, what = 'option "concurrency"'): number => {
  if (concurrency === Infinity || (concurrency === undefined && what !== "concurrency")) return Infinity
  if (typeof concurrency !== "number" || !Number.isInteger(concurrency) || concurrency <= 0) {
    throw new (typeof concurrency === "number" ? RangeError : TypeError)(
      `${where}: ${what} must be a positive integer or Infinity, received ${describe(concurrency)}`
    )
  }
  return concurrency
}

/** The longest delay `setTimeout` keeps (about 24.8 days); longer ones fire at once. */
export const maxDelay = 2 ** 31 - 1

/** Reads a duration option (`name`) in milliseconds, `Infinity` included, or throws naming it. */
const millisecondsOf = (where: string, name: string, value: unknown): number => {
  if (typeof value !== "number") {
    throw new TypeError(
      `${where}: option "${name}" must be a number of milliseconds or Infinity, received ${describe(value)}`
    )
  }
  if (value !== Infinity && (Number.isNaN(value) || value < 0 || value > maxDelay)) {
    throw new RangeError(
      `${where}: option "${name}" must be between 0 and ${maxDelay} milliseconds, or Infinity, received ${describe(value)}`
    )
  }
  return value
}

/** Reads `timeout` in milliseconds: `undefined` for none (`Infinity`, the default). */
export const timeoutOf = (where: string, timeout: unknown): number | undefined => {
  if (timeout === undefined) return undefined
  const milliseconds = millisecondsOf(where, "timeout", timeout)
  return milliseconds === Infinity ? undefined : milliseconds
}

/** Reads `stuckAfter` in milliseconds: 10 s by default; `Infinity` (never) as it is, for the kernel. */
export const stuckAfterOf = (where: string, stuckAfter: unknown): number =>
  stuckAfter === undefined ? 10_000 : millisecondsOf(where, "stuckAfter", stuckAfter)

/** Reads `mode`: "failFast" (the default) or "settle". */
export const modeOf = (where: string, mode: unknown): Mode => {
  if (mode === undefined) return "failFast"
  if (mode === "failFast" || mode === "settle") return mode
  throw new TypeError(`${where}: option "mode" must be "failFast" or "settle", received ${describe(mode)}`)
}

/** Throws a TypeError unless `name` is a string or undefined. */
export const checkName = (where: string, name: unknown): void => {
  if (name !== undefined && typeof name !== "string") {
    throw new TypeError(`${where}: option "name" must be a string, received ${describe(name)}`)
  }
}

/**
 * What the function of an option (`what`: `soonify`'s `"name"`, `"partition"`) gives for
 * one call's arguments; throws a TypeError when it is no string.
 */
export const stringOfCall = (
  where: string,
  what: string,
  f: (...args: Array<any>) => unknown,
  args: ReadonlyArray<unknown>
): string => {
  const given = f(...args)
  if (typeof given !== "string") {
    throw new TypeError(`${where}: the "${what}" function must return a string, returned ${describe(given)}`)
  }
  return given
}

/** Throws a TypeError unless `signal` is an AbortSignal or undefined. */
export const checkSignal = (where: string, signal: unknown): void => {
  if (signal !== undefined && !isAbortSignal(signal)) {
    throw new TypeError(`${where}: option "signal" must be an AbortSignal, received ${describe(signal)}`)
  }
}

// Duck-typed, so that signals from another realm (or a polyfill) are accepted.
const isAbortSignal = (u: unknown): u is AbortSignal =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as AbortSignal).aborted === "boolean" &&
  typeof (u as AbortSignal).addEventListener === "function"

/** Tells whether a value is a promise or another thenable. */
export const isThenable = (u: unknown): u is PromiseLike<unknown> =>
  ((typeof u === "object" && u !== null) || typeof u === "function") && typeof (u as any).then === "function"
