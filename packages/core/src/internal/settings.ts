import { stuckAfterFrom } from "./stuck.ts"
import { concurrencyProblem, modeProblem, nameProblem, optionsProblem } from "./validation.ts"

/** @internal */
export type Mode = "failFast" | "settle"

/**
 * A group's options, checked.
 *
 * @internal
 */
export interface Settings {
  readonly name: string
  readonly mode: Mode
  /** `undefined` for no limit. */
  readonly concurrency: number | undefined
  /** Milliseconds after which a task asked to stop that has not ended is reported; `undefined` for never. */
  readonly stuckAfter: number | undefined
}

/**
 * Who lets the group end: the body of `TaskGroup.run`, the scope of `TaskGroup.make`
 * (through `join` or the scope's close), or nobody (`makeUnsafe`: only `join` does).
 *
 * @internal
 */
export type Ownership = "body" | "scope" | "none"

/** The name of a group whose `name` option was not given. */
export const defaultGroupName = "TaskGroup"

/** The group options a caller gave, as settings, or the message of the first problem. */
export const settingsFrom = (
  where: string,
  options:
    | {
        readonly mode?: unknown
        readonly concurrency?: unknown
        readonly name?: unknown
        readonly stuckAfter?: unknown
      }
    | undefined
): Settings | string => {
  const problem =
    optionsProblem(where, options) ??
    concurrencyProblem(where, options?.concurrency) ??
    modeProblem(where, options?.mode) ??
    nameProblem(where, options?.name)
  if (problem !== undefined) return problem
  const stuckAfter = stuckAfterFrom(where, options?.stuckAfter)
  if (typeof stuckAfter === "string") return stuckAfter
  const concurrency = options?.concurrency as number | "unbounded" | undefined
  return {
    name: (options?.name as string | undefined) ?? defaultGroupName,
    mode: (options?.mode as Mode | undefined) ?? "failFast",
    // Stryker disable next-line ConditionalExpression: an undefined concurrency gives undefined either way
    concurrency: concurrency === undefined || concurrency === "unbounded" ? undefined : concurrency,
    stuckAfter
  }
}
