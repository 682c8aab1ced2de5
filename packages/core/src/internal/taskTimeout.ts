import type * as Duration from "effect/Duration"
import { timeoutExample } from "./timeout.ts"
import { durationOptionFrom } from "./validation.ts"

// A task's own `timeout` (DESIGN §3): the kernel times each attempt (a timer on the
// group's Clock) and asks the task to stop when it runs out; the task is shown as
// cancelling meanwhile (and reported if it is stuck), then its attempt fails with
// `TaskTimeout` (group.ts). Under `retry` each attempt is timed on its own.

/** A checked task `timeout`: `undefined` for none (absent or infinite), or the message of its problem. */
export const taskTimeoutFrom = (where: string, timeout: unknown): Duration.Duration | undefined | string =>
  timeout === undefined ? undefined : durationOptionFrom(where, "timeout", timeout, timeoutExample)
