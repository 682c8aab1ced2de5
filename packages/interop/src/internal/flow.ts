// Flow control inside a group (DESIGN §10) for Promise code: the options checked here
// (`rate`, `partitions`, `priority`, `partition`), the rest is the kernel's scheduler,
// which decides every start.
import type { PartitionLimits, Rate } from "@soonify/kernel"
import { concurrencyOf, describe, maxDelay } from "./validation.ts"

/** Reads a `rate` option (`name` says which), or throws a TypeError / RangeError naming the problem. */
export const rateOf = (where: string, name: string, rate: unknown): Rate | undefined => {
  if (rate === undefined) return undefined
  const expected = `${where}: option "${name}" must be { limit, interval }`
  if (typeof rate !== "object" || rate === null) throw new TypeError(`${expected}, received ${describe(rate)}`)
  const { limit, interval } = rate as Rate
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit <= 0) {
    throw new (typeof limit === "number" ? RangeError : TypeError)(
      `${expected}: "limit" must be a positive integer, received ${describe(limit)}`
    )
  }
  if (typeof interval !== "number" || !(interval > 0 && interval <= maxDelay)) {
    throw new (typeof interval === "number" ? RangeError : TypeError)(
      `${expected}: "interval" must be a number of milliseconds above 0 and at most ${maxDelay}, received ${describe(interval)}`
    )
  }
  return { limit, interval }
}

/** Reads the `partitions` option, or throws naming the problem. */
export const partitionsOf = (where: string, partitions: unknown): PartitionLimits | undefined => {
  if (partitions === undefined) return undefined
  if (typeof partitions !== "object" || partitions === null) {
    throw new TypeError(
      `${where}: option "partitions" must be { concurrency?, rate? }, received ${describe(partitions)}`
    )
  }
  const { concurrency, rate } = partitions as PartitionLimits
  const limits: { concurrency?: number; rate?: Rate } = {}
  if (concurrency !== undefined)
    limits.concurrency = concurrencyOf(where, concurrency, 'option "partitions.concurrency"')
  if (rate !== undefined) limits.rate = rateOf(where, "partitions.rate", rate)!
  return limits
}

/** Reads `priority`: a number (not NaN), or throws a TypeError naming it. */
export const priorityOf = (where: string, priority: unknown): number | undefined => {
  if (priority === undefined || (typeof priority === "number" && !Number.isNaN(priority))) return priority
  throw new TypeError(`${where}: option "priority" must be a number, received ${describe(priority)}`)
}

/** Reads a `partition`: a string (or, where allowed, a function of the arguments giving one), or throws naming it. */
export const checkPartition = (where: string, partition: unknown, functionAllowed: boolean): void => {
  if (partition === undefined || typeof partition === "string" || (functionAllowed && typeof partition === "function"))
    return
  throw new TypeError(
    `${where}: option "partition" must be a string${functionAllowed ? " or a function of the arguments giving one" : ""}, received ${describe(partition)}`
  )
}
