// Helpers the core test files share.
import { assert } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"

/**
 * Lets forked fibers run until they suspend. Tasks start soon (when their spawner
 * yields), and `TestClock.adjust` wakes only the sleeps already registered.
 */
export const settle = Effect.gen(function* () {
  for (let i = 0; i < 10; i++) yield* Effect.yieldNow
})

/** The typed errors in a cause, in order. */
export const failuresOf = <E>(cause: Cause.Cause<E>): Array<E> =>
  cause.reasons.filter(Cause.isFailReason).map((r) => r.error)

/** The defects in a cause, in order. */
export const defectsOf = <E>(cause: Cause.Cause<E>): Array<unknown> =>
  cause.reasons.filter(Cause.isDieReason).map((r) => r.defect)

/** The cause of a failed exit; fails the test for a success. */
export const causeOf = <A, E>(exit: Exit.Exit<A, E> | undefined): Cause.Cause<E> => {
  if (exit === undefined || Exit.isSuccess(exit)) {
    return assert.fail(`expected a failure, got ${String(exit)}`)
  }
  return exit.cause
}

/** Whether a fiber's exit is an interruption and nothing else. */
export const isInterruptedOnly = (exit: Exit.Exit<unknown, unknown> | undefined): boolean =>
  exit !== undefined && Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause)
