/**
 * What crosses the thread boundary: the request a call posts to its worker, the
 * response the worker posts back, and how errors are flattened to plain data and
 * rebuilt on the other side.
 *
 * This module is loaded on both sides (by the pool and by the worker's runner), so it
 * imports nothing: a worker thread starts with no more than it needs.
 */

/** One call of a worker function, as the runner receives it. */
export interface Request {
  /** The URL (`href`) of the module that exports the function. */
  readonly module: string
  /** The name of the export to call. */
  readonly exportName: string
  readonly args: ReadonlyArray<unknown>
  /**
   * For a cooperative function: one `Int32` in a `SharedArrayBuffer`, set to
   * {@link abortRequested} by the caller to abort the function's `AbortSignal`.
   */
  readonly abort: Int32Array | undefined
  /** Whether the `ArrayBuffer`s of the result are moved back instead of copied. */
  readonly transferResult: boolean
}

/** The values of the abort flag a cooperative call shares with its worker. */
export const running = 0
export const abortRequested = 1
/** Set by the runner once the call has ended, to release its own wait on the flag. */
export const ended = 2

/** An error, or any thrown value, flattened for `postMessage`. */
export type WireValue =
  | {
      readonly _tag: "Error"
      readonly name: string
      readonly message: string
      readonly stack: string | undefined
      /** The error's own enumerable fields that can be cloned (`code`, `_tag`, …). */
      readonly fields: Readonly<Record<string, unknown>>
      readonly cause: WireValue | undefined
    }
  | { readonly _tag: "Value"; readonly value: unknown }

/** One reason of a failure, as Effect's `Cause` has them. */
export type WireReason =
  | { readonly _tag: "Fail"; readonly error: WireValue }
  | { readonly _tag: "Die"; readonly defect: WireValue }
  | { readonly _tag: "Interrupt" }

/** What the runner answers. It never throws: every outcome is one of these. */
export type Response =
  | { readonly _tag: "Success"; readonly value: unknown }
  /** The function failed (threw, rejected, or its Effect failed or died). */
  | { readonly _tag: "Failure"; readonly reasons: ReadonlyArray<WireReason> }
  /** The function stopped because its signal was aborted (or its Effect was interrupted). */
  | { readonly _tag: "Cancelled" }
  /** The module could not be loaded, or has no such function: a mistake of the definition. */
  | { readonly _tag: "Unusable"; readonly message: string; readonly cause: WireValue | undefined }

const isCloneable = (value: unknown): boolean => {
  switch (typeof value) {
    case "function":
    case "symbol":
      return false
    case "object":
      if (value === null) return true
      try {
        structuredClone(value)
        return true
      } catch {
        return false
      }
    default:
      return true
  }
}

const flattenDepth = 8

/**
 * Flattens a thrown value: an `Error` keeps its name, message, stack, cause and own
 * cloneable fields (those that cannot be cloned are left out); anything else is sent
 * as it is when it can be cloned, or described by `String(value)` when not.
 */
export const flatten = (value: unknown, depth = 0): WireValue => {
  if (value instanceof Error) {
    const fields: Record<string, unknown> = {}
    for (const key of Object.keys(value)) {
      if (key === "cause" || key === "stack" || key === "message") continue
      const field = (value as unknown as Record<string, unknown>)[key]
      if (isCloneable(field)) fields[key] = field
    }
    return {
      _tag: "Error",
      name: value.name,
      message: value.message,
      stack: value.stack,
      fields,
      cause: "cause" in value && depth < flattenDepth ? flatten(value.cause, depth + 1) : undefined
    }
  }
  return isCloneable(value)
    ? { _tag: "Value", value }
    : { _tag: "Error", name: "Error", message: String(value), stack: undefined, fields: {}, cause: undefined }
}

/** The built-in error classes a flattened error is rebuilt as, by name, so `instanceof TypeError` holds. */
const builtIns: Readonly<Record<string, ErrorConstructor>> = {
  Error,
  TypeError,
  RangeError,
  SyntaxError,
  ReferenceError,
  EvalError,
  URIError
}

/**
 * Rebuilds a flattened value. An error comes back as an `Error` (of the built-in
 * class with its name, when there is one) with the same `name`, `message`, `stack`,
 * `cause` and fields; its own class is not known on this side of the boundary.
 */
export const rebuild = (wire: WireValue): unknown => {
  if (wire._tag === "Value") return wire.value
  const Constructor = Object.hasOwn(builtIns, wire.name) ? builtIns[wire.name]! : Error
  const error: Error =
    wire.cause === undefined
      ? new Constructor(wire.message)
      : new Constructor(wire.message, { cause: rebuild(wire.cause) })
  if (error.name !== wire.name) {
    Object.defineProperty(error, "name", { value: wire.name, writable: true, configurable: true, enumerable: false })
  }
  if (wire.stack !== undefined) {
    Object.defineProperty(error, "stack", { value: wire.stack, writable: true, configurable: true, enumerable: false })
  }
  for (const [key, field] of Object.entries(wire.fields)) {
    if (key === "name") continue
    ;(error as unknown as Record<string, unknown>)[key] = field
  }
  return error
}
