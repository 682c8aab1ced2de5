import * as Cause from "effect/Cause"
import { Arguments } from "@soonify/core"

// The pieces every soonify package's messages share are core's (`Arguments`).
export const { describe, optionsProblem } = Arguments

/** The defect code dies with (and sync functions throw) on bad input. */
export const illegalArgument = (message: string): Cause.IllegalArgumentError => new Cause.IllegalArgumentError(message)

/** Returns the problem with a `concurrency` / `mailboxCapacity` style option, or `undefined`. */
export const countProblem = (where: string, option: string, value: unknown): string | undefined =>
  value === undefined || value === "unbounded" || (typeof value === "number" && Number.isInteger(value) && value > 0)
    ? undefined
    : `${where}: option "${option}" must be a positive integer or "unbounded", received ${describe(value)}`
