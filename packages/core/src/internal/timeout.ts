import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { TaskGroupTimeout } from "../TaskGroupTimeout.ts"
import { isHandle, type TaskHandle } from "./handle.ts"
import { durationOptionFrom } from "./validation.ts"

// The `timeout` option of `TaskGroup.run`, `make`, `makeUnsafe` and `gather` (DESIGN §6):
// the kernel keeps the deadline (one timer on the group's Clock, cleared when the group
// shuts down or ends); when it is reached the group fails with a `TaskGroupTimeout`
// (group.ts). Here: the option's check, and gather's own deadline.

/** What a `timeout` option's message shows as good values. */
export const timeoutExample = '"2 seconds" or 2000 millis'

/** A checked `timeout`: `undefined` for none (absent or infinite), or the message of its problem. */
export const timeoutFrom = (where: string, options: unknown): Duration.Duration | undefined | string => {
  const timeout = (options as { readonly timeout?: unknown } | undefined)?.timeout
  return timeout === undefined ? undefined : durationOptionFrom(where, "timeout", timeout, timeoutExample)
}

/**
 * `gather(…, { timeout, returnExceptions: true })`: once every task in `slots` has ended,
 * or at the deadline, whichever comes first. A slot is a task's handle, or the Exit of one
 * that ended at once (nothing to wait for). At the deadline the tasks still running are
 * cancelled (and waited for); it gives their handles, so that their slots can hold the timeout.
 */
export const cancelLate = (
  slots: ReadonlyArray<TaskHandle<unknown, unknown> | Exit.Exit<unknown, unknown>>,
  timeout: Duration.Duration
): Effect.Effect<ReadonlySet<TaskHandle<unknown, unknown>>> =>
  Effect.flatMap(
    Effect.timeoutOption(
      Effect.forEach(slots, (slot) => (isHandle(slot) ? Effect.exit(slot.await) : Effect.void), { discard: true }),
      timeout
    ),
    (ended) => {
      if (Option.isSome(ended)) return Effect.succeed(noneLate)
      // Those still waiting for a permit first: a running task cancelled first would
      // hand its permit to one of them (the kernel starts the next waiting task at once).
      const late = new Set<TaskHandle<unknown, unknown>>()
      for (const slot of slots) if (isHandle(slot) && !slot.ready && !slot.startedAt) late.add(slot)
      for (const slot of slots) if (isHandle(slot) && !slot.ready) late.add(slot)
      return Effect.as(
        Effect.forEach(late, (handle) => handle.cancel, { concurrency: "unbounded", discard: true }),
        late
      )
    }
  )

const noneLate: ReadonlySet<TaskHandle<unknown, unknown>> = /* @__PURE__ */ new Set()

/**
 * The slot of a task cancelled at the deadline: its value if it still succeeded,
 * else a failure with the timeout, plus any failure it met while stopping (never lost).
 */
export const lateExit = (exit: Exit.Exit<unknown, unknown>, error: TaskGroupTimeout): Exit.Exit<unknown, unknown> => {
  if (exit._tag === "Success") return exit
  const reasons = exit.cause.reasons.filter((reason) => reason._tag !== "Interrupt")
  return Exit.failCause(Cause.fromReasons([Cause.makeFailReason(error), ...reasons]))
}
