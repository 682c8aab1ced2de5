// Retry inside the group (DESIGN §6) for Promise code: `{ times, delay?, factor?, retryIf? }`
// checked here and turned into the kernel's policy; the kernel does the retrying (counts
// the attempts, waits on one timer cancelled with the task, starts the next attempt,
// which calls the function again with a fresh signal).
import type { Retry } from "@soonify/kernel"
import type { RetryOptions } from "../TaskGroup.ts"
import { taskError } from "./outcome.ts"
import { describe } from "./validation.ts"

/** Factor of the delay from one retry to the next when `factor` is not given (as p-retry's). */
const defaultFactor = 2

/** Reads `retry`, or throws a TypeError / RangeError naming the problem. */
export const retryOf = (where: string, retry: unknown): Retry => {
  const expected = `${where}: option "retry" must be { times, delay?, factor?, retryIf? }`
  if (typeof retry !== "object" || retry === null) throw new TypeError(`${expected}, received ${describe(retry)}`)
  const { times, delay, factor, retryIf } = retry as RetryOptions
  if (typeof times !== "number")
    throw new TypeError(`${expected}: "times" must be a number, received ${describe(times)}`)
  if (!Number.isInteger(times) || times < 0) {
    throw new RangeError(`${expected}: "times" must be a non-negative integer, received ${describe(times)}`)
  }
  if (delay !== undefined && (typeof delay !== "number" || !(delay >= 0) || !Number.isFinite(delay))) {
    throw new RangeError(
      `${expected}: "delay" must be a non-negative number of milliseconds, received ${describe(delay)}`
    )
  }
  if (factor !== undefined && (typeof factor !== "number" || !(factor > 0) || !Number.isFinite(factor))) {
    throw new RangeError(`${expected}: "factor" must be a positive number, received ${describe(factor)}`)
  }
  if (retryIf !== undefined && typeof retryIf !== "function") {
    throw new TypeError(`${expected}: "retryIf" must be a function of the error, received ${describe(retryIf)}`)
  }
  const first = delay ?? 0
  const growth = factor ?? defaultFactor
  return {
    // `attempt` is the attempt to come (2 for the first retry).
    delayBefore: (attempt, outcome) =>
      attempt - 1 > times || (retryIf !== undefined && !retryIf(taskError(outcome, "retried task")))
        ? undefined
        : first * growth ** (attempt - 2)
  }
}
