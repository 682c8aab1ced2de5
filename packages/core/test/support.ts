// Helpers the core test files share.
import { assert } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"

/** Yields to the scheduler `times` times, so that forked fibers run that many turns. */
export const yieldTimes = (times: number): Effect.Effect<void> =>
  Effect.gen(function* () {
    for (let i = 0; i < times; i++) yield* Effect.yieldNow
  })

/**
 * Lets forked fibers run until they suspend. Tasks start soon (when their spawner
 * yields), and `TestClock.adjust` wakes only the sleeps already registered.
 */
export const settle = yieldTimes(10)

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

/** The one defect of a failed exit; fails the test for a success or several defects. */
export const defectOf = (exit: Exit.Exit<unknown, unknown>): unknown => {
  assert.isTrue(Exit.isFailure(exit), `expected a defect, got ${String(exit)}`)
  const defects = (exit as Exit.Failure<unknown, unknown>).cause.reasons.filter(Cause.isDieReason)
  assert.strictEqual(defects.length, 1, `expected one defect in ${String(exit)}`)
  return defects[0].defect
}

/** What `f` throws synchronously; fails the test when it returns. */
export const thrown = (f: () => unknown): unknown => {
  try {
    f()
  } catch (error) {
    return error
  }
  return assert.fail("expected a throw")
}

/**
 * `exit` without the annotations of its reasons (the frame naming the task and group that
 * a group's failure carries: internal/failureFrames.ts), for comparing it deeply with a
 * plain `Exit`.
 */
export const plain = <A, E>(exit: Exit.Exit<A, E>): Exit.Exit<A, E> =>
  Exit.isSuccess(exit)
    ? exit
    : Exit.failCause(
        Cause.fromReasons(
          exit.cause.reasons.map((reason) =>
            Cause.isFailReason(reason)
              ? Cause.makeFailReason(reason.error)
              : Cause.isDieReason(reason)
                ? Cause.makeDieReason(reason.defect)
                : Cause.makeInterruptReason(reason.fiberId)
          )
        )
      )
