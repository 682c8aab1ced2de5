import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import type { RetryPolicy } from "../TaskGroup.ts"
import type { HandleBase } from "./handle.ts"
import { describe } from "./validation.ts"

// Retry inside the group (DESIGN §6): a task spawned with `retry` runs its effect again
// after a typed failure, as the policy says, before that failure counts; only the last
// attempt's failure reaches the handle (and, in fail-fast mode, the group). The waits
// between attempts are the schedule's sleeps, inside the task's fiber: cancelling the
// task or its group interrupts them at once. A task spawned without `retry` never comes
// here, and its handle's `attempt` is 1.

/** What `retry` takes: the public `TaskGroup.RetryPolicy`. */
export type Policy<E> = RetryPolicy<E>

/** The attempts of one task: which one runs (1-based). */
export interface Attempts {
  attempt: number
}

/** The attempts of every task spawned with `retry`, by handle, for as long as the handle lives. */
const attemptsOf = new WeakMap<HandleBase<any, any>, Attempts>()

/** `soon.attempt`: 1 for a task without `retry`. */
export const attemptOf = (handle: HandleBase<any, any>): number => attemptsOf.get(handle)?.attempt ?? 1

/** Whether the task was spawned with `retry` (a snapshot then shows its attempt). */
export const retried = (handle: HandleBase<any, any>): boolean => attemptsOf.has(handle)

/** The problem with a `retry` option, or `undefined`. */
export const retryProblem = (where: string, retry: unknown): string | undefined => {
  if (retry === undefined || Schedule.isSchedule(retry)) return undefined
  const expected = `${where}: option "retry" must be a Schedule or { schedule?, times?, while?, until? }`
  if (typeof retry !== "object" || retry === null) return `${expected}, received ${describe(retry)}`
  const { schedule, times, while: whileFn, until } = retry as Record<string, unknown>
  if (schedule !== undefined && !Schedule.isSchedule(schedule)) {
    return `${expected}: "schedule" must be a Schedule, received ${describe(schedule)}`
  }
  if (times !== undefined && !(typeof times === "number" && Number.isInteger(times) && times >= 0)) {
    return `${expected}: "times" must be a non-negative integer, received ${describe(times)}`
  }
  for (const [name, f] of [
    ["while", whileFn],
    ["until", until]
  ] as const) {
    if (f !== undefined && typeof f !== "function")
      return `${expected}: "${name}" must be a function, received ${describe(f)}`
  }
  return undefined
}

/**
 * `effect` run again after each typed failure, as `policy` says, counting its attempts
 * in `attempts`. Each failed attempt is logged at the Debug level, with the task's name,
 * the attempt number and the cause (the documented place where earlier failures can be
 * seen); defects and interruptions are never retried.
 */
export const withRetry = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  policy: Policy<E>,
  attempts: Attempts,
  taskName: () => string
): Effect.Effect<A, E, R> => {
  // The attempt number is the schedule's own: `Effect.retry` runs each attempt with the
  // metadata of the step that led to it (`attempt` 0 before the first retry).
  const attempt = Effect.flatMap(Schedule.CurrentMetadata, (metadata) => {
    attempts.attempt = metadata.attempt + 1
    return effect
  })
  const logged = Effect.tapCause(attempt, (cause) =>
    Effect.logDebug(`TaskGroup: task "${taskName()}" failed on attempt ${attempts.attempt}`, cause)
  )
  return Schedule.isSchedule(policy)
    ? Effect.retry(logged, policy)
    : (Effect.retry(logged, policy as Effect.Retry.Options<E>) as Effect.Effect<A, E, R>)
}

/** Ties `attempts` to the handle of the task it counts. */
export const track = (handle: HandleBase<any, any>, attempts: Attempts): void => {
  attemptsOf.set(handle, attempts)
}
