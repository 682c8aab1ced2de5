import type { PartitionLimits, Rate } from "@soonify/kernel"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { GroupImpl } from "./group.ts"
import { concurrencyProblem, describe, illegalArgument } from "./validation.ts"

// Flow control inside a group (DESIGN §10): the options checked here (`rate`,
// `partitions`, `priority`, `partition`) and handed to the kernel, whose scheduler
// decides every start.

/** The longest timer a JavaScript runtime keeps (about 24.8 days), in ms. */
const maxInterval = 2_147_483_647

/** Reads a `rate` option (`name` says which) as the kernel's `Rate` (interval in ms), or gives its problem. */
export const rateFrom = (where: string, name: string, rate: unknown): Rate | undefined | string => {
  if (rate === undefined) return undefined
  const expected = `${where}: option "${name}" must be { limit, interval }`
  if (typeof rate !== "object" || rate === null) return `${expected}, received ${describe(rate)}`
  const { limit, interval } = rate as { readonly limit?: unknown; readonly interval?: unknown }
  if (!Number.isInteger(limit) || (limit as number) <= 0) {
    return `${expected}: "limit" must be a positive integer, received ${describe(limit)}`
  }
  const intervalProblem = `${expected}: "interval" must be a Duration.Input above 0 and finite (such as "1 second" or 1000 millis), received ${describe(interval)}`
  const duration = Duration.fromInput(interval as Duration.Input)
  if (Option.isNone(duration)) return intervalProblem
  // NaN, 0 and below, and past the longest timer (Infinity too).
  const ms = Duration.toMillis(duration.value)
  if (!(ms > 0) || ms > maxInterval) return intervalProblem
  return { limit: limit as number, interval: ms }
}

/** Reads the `partitions` option, or gives its problem. */
export const partitionsFrom = (where: string, partitions: unknown): PartitionLimits | undefined | string => {
  if (partitions === undefined) return undefined
  if (typeof partitions !== "object" || partitions === null) {
    return `${where}: option "partitions" must be { concurrency?, rate? }, received ${describe(partitions)}`
  }
  const { concurrency, rate } = partitions as { readonly concurrency?: unknown; readonly rate?: unknown }
  const problem = concurrencyProblem(where, concurrency)
  if (problem !== undefined) return problem.replace('option "concurrency"', 'option "partitions.concurrency"')
  const checked = rateFrom(where, "partitions.rate", rate)
  if (typeof checked === "string") return checked
  const limits: { concurrency?: number; rate?: Rate } = {}
  if (typeof concurrency === "number") limits.concurrency = concurrency
  if (checked !== undefined) limits.rate = checked
  return limits
}

/** Returns the problem with a `priority` option (a number, not NaN), or `undefined`. */
export const priorityProblem = (where: string, priority: unknown): string | undefined =>
  priority === undefined || (typeof priority === "number" && !Number.isNaN(priority))
    ? undefined
    : `${where}: option "priority" must be a number, received ${describe(priority)}`

/** Returns the problem with a `partition` option (a string; for `soonify`, or a function of the arguments), or `undefined`. */
export const partitionProblem = (where: string, partition: unknown, functionAllowed: boolean): string | undefined =>
  partition === undefined || typeof partition === "string" || (functionAllowed && typeof partition === "function")
    ? undefined
    : `${where}: option "partition" must be a string${functionAllowed ? " or a function of the arguments that gives one" : ""}, received ${describe(partition)}`

/** `group.setConcurrency(n)`: the new limit, checked as the `concurrency` option is; a bad value dies naming it. */
export const setConcurrency = (group: GroupImpl, concurrency: unknown): Effect.Effect<void> => {
  const where = "TaskGroup.setConcurrency"
  const problem =
    concurrency === undefined || concurrencyProblem(where, concurrency) !== undefined
      ? `${where}: concurrency must be a positive integer or "unbounded", received ${describe(concurrency)}`
      : undefined
  if (problem !== undefined) return Effect.die(illegalArgument(problem))
  return Effect.sync(() =>
    group.kernel.setConcurrency(concurrency === "unbounded" ? Infinity : (concurrency as number))
  )
}
