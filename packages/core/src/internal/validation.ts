import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { isEffect } from "./effectKind.ts"
import { describe } from "@soonify/kernel"

/** Describes a received value for an error message, in the kernel's words (the same in every package). */
export { describe }

/**
 * Returns the problem with a `concurrency` option, or `undefined` when it is valid:
 * `undefined`, `"unbounded"` or a positive integer.
 */
export const concurrencyProblem = (where: string, concurrency: unknown): string | undefined =>
  concurrency === undefined ||
  concurrency === "unbounded" ||
  (Number.isInteger(concurrency) && (concurrency as number) > 0)
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
  isEffect(u) ? undefined : `${where}: expected ${what} to be an Effect, received ${describe(u)}`

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

// A user function's result of the wrong kind is not a bad argument (the function was
// one): it is found when the task runs, and the task dies with a `TypeError` saying so.

/**
 * What a task function gave, as an Effect, or a defect that says what to do, naming the
 * function that was given it (`where`: `TaskGroup.soonify`, `TaskGroup.start`, as the other messages of `group.soonify` and `group.start` say).
 */
export const asTaskEffect = <A, E, R>(
  where: string,
  f: Function,
  result: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R> =>
  isEffect(result)
    ? result
    : Effect.die(
        new TypeError(
          `${where}: the task function ${f.name === "" ? "" : `${f.name} `}returned ${describe(result)}, not an Effect. ` +
            "Wrap Promise-returning functions with Effect.promise / Effect.tryPromise, " +
            "or use @soonify/interop for Promise code."
        )
      )

/** `f(...args)` as a `soonify` task's effect: a throw is the task's defect, as it would be inside it. */
export const callTask = <Args extends ReadonlyArray<unknown>, A, E, R>(
  f: (...args: Args) => Effect.Effect<A, E, R>,
  args: Args
): Effect.Effect<A, E, R> => {
  try {
    return asTaskEffect("TaskGroup.soonify", f, f(...args))
  } catch (defect) {
    return Exit.die(defect)
  }
}

/** What a `run` body gave, as an Effect, or a defect that says what went wrong. */
export const asBodyEffect = <A, E, R>(result: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  isEffect(result)
    ? result
    : Effect.die(
        new TypeError(
          `TaskGroup.run: the body returned ${describe(result)}, not an Effect. A body is a function of the ` +
            "group that returns an Effect (Effect.gen, Effect.all…); for Promise code, use @soonify/interop."
        )
      )

/**
 * Reads a `Duration.Input` option (`timeout`, `stuckAfter`): the Duration, `undefined`
 * when it is infinite, or the message of its problem (`example` shows good values).
 */
export const durationOptionFrom = (
  where: string,
  name: string,
  value: unknown,
  example: string
): Duration.Duration | undefined | string => {
  const problem = `${where}: option "${name}" must be a non-negative Duration.Input (such as ${example}), received ${describe(value)}`
  if (Number.isNaN(value)) return problem
  const duration = Duration.fromInput(value as Duration.Input)
  if (Option.isNone(duration) || Duration.isNegative(duration.value)) return problem
  return Duration.isFinite(duration.value) ? duration.value : undefined
}
