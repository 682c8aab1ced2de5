import type { Retry } from "@soonify/kernel"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Pull from "effect/Pull"
import * as Schedule from "effect/Schedule"
import type { RetryPolicy } from "../TaskGroup.ts"
import { Failure } from "./failure.ts"
import { describe } from "./validation.ts"

// Retry inside the group (DESIGN §6): a task spawned with `retry` runs its effect again
// after a typed failure, as the policy says, before that failure counts; only the last
// attempt's failure reaches the handle (and, in fail-fast mode, the group). The kernel
// keeps the books (the attempt, the wait between attempts, a cancel during the wait);
// this is only the policy it asks, a `Schedule` stepped on the group's Clock. Defects
// and interruptions are never retried, as `Effect.retry` does not retry them.

/** What `retry` takes: the public `TaskGroup.RetryPolicy`. */
export type Policy<E> = RetryPolicy<E>

/** The problem with a `retry` option, or `undefined`. */
export const retryProblem = (where: string, retry: unknown): string | undefined => {
  if (retry === undefined || Schedule.isSchedule(retry)) return undefined
  const expected = `${where}: option "retry" must be a Schedule or { schedule?, times?, while?, until? }`
  if (typeof retry !== "object" || retry === null) return `${expected}, received ${describe(retry)}`
  const { schedule, times, while: whileFn, until } = retry as Record<string, unknown>
  if (schedule !== undefined && !Schedule.isSchedule(schedule)) {
    return `${expected}: "schedule" must be a Schedule, received ${describe(schedule)}`
  }
  if (times !== undefined && !(Number.isInteger(times) && (times as number) >= 0)) {
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

type Predicate = (input: unknown) => boolean | Effect.Effect<boolean, unknown, unknown>

/** The schedule of `Effect.retry(options)`: `schedule` (else forever), while `while`, until `until`, at most `times`. */
const scheduleOf = (policy: Policy<any>): Schedule.Schedule<unknown, unknown, unknown, unknown> => {
  if (Schedule.isSchedule(policy)) return policy as Schedule.Schedule<unknown, unknown, unknown, unknown>
  const options = policy as {
    readonly schedule?: Schedule.Schedule<unknown, unknown, unknown, unknown>
    readonly while?: Predicate
    readonly until?: Predicate
    readonly times?: number
  }
  let schedule: Schedule.Schedule<unknown, unknown, unknown, unknown> = Schedule.passthrough(
    options.schedule ?? Schedule.forever
  )
  const asEffect = (applied: boolean | Effect.Effect<boolean, unknown, unknown>) =>
    Effect.isEffect(applied) ? applied : Effect.succeed(applied)
  const whileFn = options.while
  if (whileFn !== undefined) schedule = Schedule.while(schedule, ({ input }) => asEffect(whileFn(input)))
  const until = options.until
  if (until !== undefined) {
    schedule = Schedule.while(schedule, ({ input }) => Effect.map(asEffect(until(input)), (b) => !b))
  }
  const times = options.times
  if (times !== undefined) schedule = Schedule.while(schedule, ({ attempt }) => Effect.succeed(attempt <= times))
  return schedule
}

type Step = (now: number, input: unknown) => Pull.Pull<[unknown, Duration.Duration], unknown, unknown, unknown>

/**
 * One task's retry policy, as the kernel asks it (`delayBefore`): each typed failure is
 * a step of the schedule, run with the context the task was spawned in; the metadata of
 * that step is what the next attempt reads as `Schedule.CurrentMetadata`.
 *
 * @internal
 */
export class ScheduleRetry implements Retry {
  private readonly schedule: Schedule.Schedule<unknown, unknown, unknown, unknown>
  private readonly context: Context.Context<never>
  private step: Step | undefined = undefined
  private start: number | undefined = undefined
  private previous: number | undefined = undefined
  /** The metadata of the last step: what the next attempt runs with. */
  metadata: Schedule.Metadata<unknown, unknown> | undefined = undefined

  constructor(policy: Policy<any>, context: Context.Context<never>) {
    this.schedule = scheduleOf(policy)
    this.context = context
  }

  delayBefore(attempt: number, outcome: unknown): number | undefined {
    const cause = (outcome as { readonly cause?: Cause.Cause<unknown> } | undefined)?.cause
    if (cause === undefined || cause.reasons.some(Cause.isDieReason)) return undefined
    const failure = cause.reasons.find(Cause.isFailReason)
    if (failure === undefined) return undefined
    const run = Effect.runSyncExitWith(this.context as Context.Context<any>)
    if (this.step === undefined) {
      const made = run(Schedule.toStep(this.schedule))
      if (made._tag === "Failure") throw outcomeOf(made.cause)
      this.step = made.value as Step
    }
    const now = Context.get(this.context, Clock.Clock).currentTimeMillisUnsafe()
    const stepped = run(this.step(now, failure.error))
    if (stepped._tag === "Failure") {
      if (Pull.isDoneCause(stepped.cause)) return undefined
      throw outcomeOf(stepped.cause)
    }
    const [output, duration] = stepped.value
    this.start ??= now
    const elapsedSincePrevious = this.previous === undefined ? 0 : now - this.previous
    this.previous = now
    this.metadata = {
      input: failure.error,
      output,
      duration,
      attempt: attempt - 1,
      start: this.start,
      now,
      elapsed: now - this.start,
      elapsedSincePrevious
    }
    return Duration.toMillis(duration)
  }
}

/** What a policy that failed or died (or could not step synchronously) ends its task with. */
const outcomeOf = (cause: Cause.Cause<unknown>): Failure => new Failure(cause, undefined)

/** The context of a later attempt: the schedule's metadata of the step that led to it. */
export const retryContext = (retry: ScheduleRetry, context: Context.Context<never>): Context.Context<never> =>
  retry.metadata === undefined ? context : Context.add(context, Schedule.CurrentMetadata, retry.metadata)
