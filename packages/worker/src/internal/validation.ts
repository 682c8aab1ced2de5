import * as Cause from "effect/Cause"
import { Arguments } from "@soonify/core"

// The pieces every soonify package's messages share are core's (`Arguments`).
export const { describe, optionsProblem } = Arguments

/** The defect code dies with (and sync functions throw) on bad input. */
export const illegalArgument = (message: string): Cause.IllegalArgumentError => new Cause.IllegalArgumentError(message)

/** Returns the problem with a pool's `size`, or `undefined`: a positive integer, or undefined. */
export const sizeProblem = (where: string, size: unknown): string | undefined =>
  size === undefined || (typeof size === "number" && Number.isInteger(size) && size > 0)
    ? undefined
    : `${where}: option "size" must be a positive integer, received ${describe(size)}`

/** Returns the problem with an option that must be a string, or `undefined`. */
export const stringProblem = (where: string, option: string, value: unknown): string | undefined =>
  value === undefined || typeof value === "string"
    ? undefined
    : `${where}: option "${option}" must be a string, received ${describe(value)}`

/** Returns the problem with an option that must be a boolean, or `undefined`. */
export const booleanProblem = (where: string, option: string, value: unknown): string | undefined =>
  value === undefined || typeof value === "boolean"
    ? undefined
    : `${where}: option "${option}" must be a boolean, received ${describe(value)}`

/** Returns the problem with `resourceLimits`, or `undefined`: an object of non-negative numbers. */
export const resourceLimitsProblem = (where: string, limits: unknown): string | undefined => {
  if (limits === undefined) return undefined
  if (typeof limits !== "object" || limits === null) {
    return `${where}: option "resourceLimits" must be an object, received ${describe(limits)}`
  }
  for (const [key, value] of Object.entries(limits)) {
    if (typeof value !== "number" || !(value >= 0)) {
      return `${where}: option "resourceLimits.${key}" must be a non-negative number, received ${describe(value)}`
    }
  }
  return undefined
}
