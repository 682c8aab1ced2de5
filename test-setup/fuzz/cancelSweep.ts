// The "cancellation always settles" sweep (DESIGN §4 guarantee 7), shared by core and
// interop: random groups whose tasks are cancelled in every state a task can wait in
// (queued before the body yields, waiting for a permit of `concurrency`, between retry
// attempts, joined through a key) and from inside (a task cancelling its own handle, a
// sibling's, or its own from its finalizer), with the group itself cancelled, timed out or
// aborted now and then. No exact model: the property is that everything settles — the
// group, every handle, every cancel — and that a task cancelled before it started never
// runs. Each package's cancelSettles.test.ts runs the case in its own terms.
import * as fc from "fast-check"

export interface SweepTask {
  /** How long one attempt works (ms). */
  readonly duration: number
  /** How an attempt ends when nothing stops it. */
  readonly outcome: "succeed" | "fail"
  /** Retried this many times, `delay` ms apart: a failing task then waits between attempts. */
  readonly retry: { readonly times: number; readonly delay: number } | undefined
  /** Spawns with the same key (while the first runs) join it: one task, one handle. */
  readonly key: number | undefined
  /** Ignores its cancellation (its signal; core: uninterruptible work) until its work is done. */
  readonly deaf: boolean
  /** After `after` ms of work, it cancels a handle of its group: its own, or another's (by index). */
  readonly cancels: { readonly after: number; readonly target: "self" | number } | undefined
  /** Its finalizer (interop: `finally`) cancels its own handle and waits for that. */
  readonly finalizerCancelsSelf: boolean
}

export interface SweepCase {
  readonly mode: "failFast" | "settle"
  readonly concurrency: number | undefined
  readonly tasks: ReadonlyArray<SweepTask>
  /** Cancels from the body, by spawn index: at 0, synchronously after the spawns (the tasks are still queued). */
  readonly cancels: ReadonlyArray<{ readonly at: number; readonly target: number }>
  /** How the group itself is ended early, if at all. */
  readonly groupEnd: { readonly kind: "none" } | { readonly kind: "cancel" | "timeout" | "signal"; readonly at: number }
}

const taskArb = (maxTime: number): fc.Arbitrary<SweepTask> =>
  fc.record({
    duration: fc.integer({ min: 0, max: maxTime }),
    outcome: fc.constantFrom("succeed" as const, "fail" as const),
    retry: fc.option(
      fc.record({ times: fc.integer({ min: 1, max: 3 }), delay: fc.integer({ min: 0, max: maxTime }) }),
      { nil: undefined }
    ),
    key: fc.option(fc.integer({ min: 0, max: 1 }), { nil: undefined, freq: 3 }),
    deaf: fc.boolean(),
    cancels: fc.option(
      fc.record({
        after: fc.integer({ min: 0, max: maxTime }),
        target: fc.oneof(fc.constant("self" as const), fc.nat({ max: 7 }))
      }),
      { nil: undefined, freq: 2 }
    ),
    finalizerCancelsSelf: fc.boolean()
  })

/** Cases whose times are at most `maxTime` ms. */
export const sweepArb = (maxTime: number): fc.Arbitrary<SweepCase> =>
  fc.record({
    mode: fc.constantFrom("failFast" as const, "settle" as const),
    concurrency: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    tasks: fc.array(taskArb(maxTime), { minLength: 1, maxLength: 6 }),
    cancels: fc.array(
      fc.record({ at: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxTime })), target: fc.nat({ max: 7 }) }),
      { maxLength: 4 }
    ),
    groupEnd: fc.oneof(
      { weight: 2, arbitrary: fc.constant({ kind: "none" as const }) },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constantFrom("cancel" as const, "timeout" as const, "signal" as const),
          at: fc.integer({ min: 0, max: maxTime })
        })
      }
    )
  })

/** What a run of a case left behind, for `sweepProblems`. */
export interface SweepRun {
  /** Whether the group (its promise, its effect) settled. */
  readonly groupSettled: boolean
  /** For each spawn, in order: whether its handle is ready. */
  readonly ready: ReadonlyArray<boolean>
  /** How many cancels were issued, and how many of them settled. */
  readonly cancelsIssued: number
  readonly cancelsSettled: number
  /** Spawns (by index) whose work started although they were cancelled before they started. */
  readonly ranAfterCancel: ReadonlyArray<number>
}

/** What went wrong in a run (empty when everything settled). */
export const sweepProblems = (run: SweepRun): Array<string> => {
  const problems: Array<string> = []
  if (!run.groupSettled) problems.push("the group never settled")
  run.ready.forEach((ready, i) => {
    if (!ready) problems.push(`handle ${i} never settled`)
  })
  if (run.cancelsSettled !== run.cancelsIssued)
    problems.push(`${run.cancelsIssued - run.cancelsSettled} of ${run.cancelsIssued} cancels never settled`)
  for (const i of run.ranAfterCancel) problems.push(`task ${i} ran although it was cancelled before it started`)
  return problems
}

/** The waiting states the sweep's cancels reached, counted over every case: each must be reached. */
export interface SweepTally {
  queued: number
  permit: number
  betweenAttempts: number
  keyedJoin: number
  fromInside: number
  inFinalizer: number
}

export const newTally = (): SweepTally => ({
  queued: 0,
  permit: 0,
  betweenAttempts: 0,
  keyedJoin: 0,
  fromInside: 0,
  inFinalizer: 0
})

/** Throws unless every waiting state was reached by some cancel (`skip`: states a package has not). */
export const assertReached = (tally: SweepTally, skip: ReadonlyArray<keyof SweepTally> = []): void => {
  const missed = (Object.keys(tally) as Array<keyof SweepTally>).filter(
    (state) => !skip.includes(state) && tally[state] === 0
  )
  if (missed.length > 0) throw new Error(`the sweep never cancelled a task in these states: ${missed.join(", ")}`)
}
