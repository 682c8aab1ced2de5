import * as Effect from "effect/Effect"
import { describe, illegalArgument, optionsProblem } from "./validation.ts"

// Names of tasks: the `name` option (for `soonify`, a string or a function of the call's
// arguments), else the task function's name, else `task-N` (made by the handle, only
// when somebody asks: see `HandleBase.label`).

/** What `soonify`'s `name` option may be. */
export type SoonifyName<Args extends ReadonlyArray<unknown>> = string | ((...args: Args) => string) | undefined

/** Returns the problem with `soonify`'s options (a `name` may be a function), or `undefined`. */
export const soonifyOptionsProblem = (where: string, options: unknown): string | undefined => {
  const problem = optionsProblem(where, options)
  if (problem !== undefined) return problem
  const name = (options as { readonly name?: unknown } | undefined)?.name
  return name === undefined || typeof name === "string" || typeof name === "function"
    ? undefined
    : `${where}: option "name" must be a string or a function of the arguments that gives one, received ${describe(name)}`
}

/** A soonify'd function's fixed name: the option, else the function's own, else none (`task-N`). */
export const fixedName = (f: Function, name: SoonifyName<any>): string | undefined =>
  typeof name === "string" ? name : name === undefined && f.name !== "" ? f.name : undefined

/**
 * The name `name(...args)` gives one call, as an Effect: a name function that throws or
 * gives no string is a bug of the caller, so the spawn dies with a defect saying so.
 */
export const callName = <Args extends ReadonlyArray<unknown>>(
  where: string,
  name: (...args: Args) => string,
  args: Args
): Effect.Effect<string> => {
  let given: unknown
  try {
    given = name(...args)
  } catch (defect) {
    return Effect.die(defect)
  }
  return typeof given === "string"
    ? Effect.succeed(given)
    : Effect.die(illegalArgument(`${where}: the "name" function must return a string, returned ${describe(given)}`))
}
