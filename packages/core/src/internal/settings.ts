import type { PartitionLimits, Rate } from "@soonify/kernel"
import type * as Cause from "effect/Cause"
import type * as Effect from "effect/Effect"
import type { SoonValue } from "../SoonValue.ts"
import { partitionsFrom, rateFrom } from "./flow.ts"
import { stuckAfterFrom } from "./stuck.ts"
import { concurrencyProblem, describe, modeProblem, nameProblem, optionsProblem } from "./validation.ts"

/** @internal */
export type OnTaskError = (
  cause: Cause.Cause<unknown>,
  handle: SoonValue<unknown, unknown>
) => Effect.Effect<unknown, unknown>

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
  /** At most `limit` starts in any window of `interval` ms (DESIGN §10). */
  readonly rate?: Rate | undefined
  /** Limits per partition value (DESIGN §10). */
  readonly partitions?: PartitionLimits | undefined
  /** Milliseconds after which a task asked to stop that has not ended is reported; `undefined` for never. */
  readonly stuckAfter: number | undefined
  /** Settle mode only: called for each task that fails. */
  readonly onTaskError: OnTaskError | undefined
}

/** Returns the problem with an `onTaskError` option (given `mode`), or `undefined` when it is valid. */
export const onTaskErrorProblem = (where: string, onTaskError: unknown, mode: unknown): string | undefined => {
  if (onTaskError === undefined) return undefined
  if (typeof onTaskError !== "function") {
    return `${where}: option "onTaskError" must be a function (cause, handle) => Effect, received ${describe(onTaskError)}`
  }
  if (mode !== "settle") {
    return (
      `${where}: option "onTaskError" is for groups in settle mode, and this group is in failFast mode ` +
      '(the default), where a task\'s failure fails the group itself: add mode: "settle", or handle the ' +
      "group's failure instead"
    )
  }
  return undefined
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

/** The group options as a caller gives them to `run`, `make`, `makeUnsafe` (and what runs on them), unchecked. */
export interface GroupOptionsInput {
  readonly mode?: unknown
  readonly concurrency?: unknown
  readonly name?: unknown
  readonly timeout?: unknown
  readonly stuckAfter?: unknown
  readonly onTaskError?: unknown
  readonly rate?: unknown
  readonly partitions?: unknown
}

/** The group options a caller gave, as settings, or the message of the first problem. */
export const settingsFrom = (where: string, options: GroupOptionsInput | undefined): Settings | string => {
  const problem =
    optionsProblem(where, options) ??
    concurrencyProblem(where, options?.concurrency) ??
    modeProblem(where, options?.mode) ??
    nameProblem(where, options?.name) ??
    onTaskErrorProblem(where, options?.onTaskError, options?.mode)
  if (problem !== undefined) return problem
  const stuckAfter = stuckAfterFrom(where, options?.stuckAfter)
  if (typeof stuckAfter === "string") return stuckAfter
  const rate = rateFrom(where, "rate", options?.rate)
  if (typeof rate === "string") return rate
  const partitions = partitionsFrom(where, options?.partitions)
  if (typeof partitions === "string") return partitions
  const concurrency = options?.concurrency as number | "unbounded" | undefined
  return {
    rate,
    partitions,
    name: (options?.name as string | undefined) ?? defaultGroupName,
    mode: (options?.mode as Mode | undefined) ?? "failFast",
    concurrency: concurrency === "unbounded" ? undefined : concurrency,
    stuckAfter,
    onTaskError: options?.onTaskError as OnTaskError | undefined
  }
}
