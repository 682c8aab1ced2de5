import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { TaskGroupTimeout } from "../TaskGroupTimeout.ts"
import type { GroupImpl } from "./group.ts"
import { isHandle, type TaskHandle } from "./handle.ts"
import { durationOptionFrom } from "./validation.ts"
import { raisedAt, type TimeoutSite } from "./timeoutMessage.ts"

// The `timeout` option of `TaskGroup.run`, `make`, `makeUnsafe` and `gather` (DESIGN §6).
// A group given none takes exactly the path it took before: the only cost is reading
// the option. A group given one gets a deadline fiber of its own, which ends with the
// group (or its shutdown) and, if the time runs out first, fails the group with a
// `TaskGroupTimeout` through the group's own `failures` and `shutdown`.

/** What a `timeout` option's message shows as good values. */
export const timeoutExample = '"2 seconds" or 2000 millis'

/** A checked `timeout`: `undefined` for none (absent or infinite), or the message of its problem. */
export const timeoutFrom = (where: string, options: unknown): Duration.Duration | undefined | string => {
  const timeout = (options as { readonly timeout?: unknown } | undefined)?.timeout
  return timeout === undefined ? undefined : durationOptionFrom(where, "timeout", timeout, timeoutExample)
}

/** Records the timeout as the group's failure and shuts it down, unless it is already shutting down or ended. */
const timeOut = (group: GroupImpl, timeout: Duration.Duration, where: TimeoutSite["where"]): void => {
  if (group.isClosed) return
  group.failures.add(
    Cause.fail(raisedAt(new TaskGroupTimeout({ group: group.name, timeout }), { where, lateSlot: false }))
  )
  group.shutdown()
}

/**
 * Starts `group`'s deadline: after `timeout` (on the Clock of `context`, so TestClock
 * drives it in tests), the group times out. The deadline ends, without effect, as soon
 * as the group shuts down for another reason or ends.
 */
export const startDeadline = (
  group: GroupImpl,
  timeout: Duration.Duration,
  context: Context.Context<never>,
  where: TimeoutSite["where"]
): void => {
  const deadline = Effect.runForkWith(context)(
    Effect.raceFirst(
      Effect.andThen(
        Effect.sleep(timeout),
        Effect.sync(() => timeOut(group, timeout, where))
      ),
      group.awaitEnded
    )
  )
  group.onShutdown(() => deadline.interruptUnsafe())
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
      const late = new Set<TaskHandle<unknown, unknown>>()
      for (const slot of slots) if (isHandle(slot) && !slot.ready) late.add(slot)
      return Effect.as(
        Effect.forEach(late, (handle) => handle.cancel, { concurrency: "unbounded", discard: true }),
        late
      )
    }
  )

const noneLate: ReadonlySet<TaskHandle<unknown, unknown>> = new Set()

/**
 * The slot of a task cancelled at the deadline: its value if it still succeeded,
 * else a failure with the timeout, plus any failure it met while stopping (never lost).
 */
export const lateExit = (exit: Exit.Exit<unknown, unknown>, error: TaskGroupTimeout): Exit.Exit<unknown, unknown> => {
  if (exit._tag === "Success") return exit
  const reasons = exit.cause.reasons.filter((reason) => reason._tag !== "Interrupt")
  return Exit.failCause(Cause.fromReasons([Cause.makeFailReason(error), ...reasons]))
}
