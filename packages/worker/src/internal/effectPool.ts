/**
 * The Effect side of the pool: the `WorkerPool` service value around a {@link PoolCore},
 * and a call as an Effect. Only the Effect API (`WorkerPool.ts`, `WorkerFn.ts`) loads
 * this module.
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { format } from "effect/Formatter"
import { NodeInspectSymbol } from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { WorkerCrashed } from "../WorkerCrashed.ts"
import type { Outcome, Reason } from "./call.ts"
import type { PoolCore } from "./pool.ts"
import type { Problem } from "./validation.ts"
import type { Definition } from "./workerFn.ts"

/** @internal */
export const WorkerPoolTypeId = "~@soonify/worker/WorkerPool" as const

/** The defect the Effect API dies with (and its sync functions throw) for bad input. */
export const illegalArgument = (problem: Problem): Cause.IllegalArgumentError =>
  new Cause.IllegalArgumentError(problem.message)

/** The value of the `WorkerPool` service: a pool core, owned by the scope that made it. */
export class PoolService {
  readonly [WorkerPoolTypeId] = WorkerPoolTypeId
  readonly core: PoolCore
  constructor(core: PoolCore) {
    this.core = core
  }
  get name(): string {
    return this.core.name
  }
  get size(): number {
    return this.core.size
  }
  get threads(): number {
    return this.core.threads
  }
  pipe() {
    return pipeArguments(this, arguments)
  }
  toJSON() {
    return { _id: "WorkerPool", name: this.name, size: this.size, state: this.core.stateName, threads: this.threads }
  }
  toString() {
    return format(this.toJSON())
  }
  [NodeInspectSymbol]() {
    return this.toJSON()
  }
}

const causeReason = (reason: Reason): Cause.Reason<unknown> =>
  reason._tag === "Fail"
    ? Cause.makeFailReason(reason.error)
    : reason._tag === "Die"
      ? Cause.makeDieReason(reason.defect)
      : Cause.makeInterruptReason()

/** A call's outcome as an Exit: a crash is the typed `WorkerCrashed`, a cancellation an interruption. */
const exitOf = <A, E>(outcome: Outcome<A>): Exit.Exit<A, E | WorkerCrashed> => {
  switch (outcome._tag) {
    case "Success":
      return Exit.succeed(outcome.value)
    case "Failure":
      return Exit.failCause(Cause.fromReasons(outcome.reasons.map(causeReason)) as Cause.Cause<E>)
    case "Crashed":
      return Exit.fail(new WorkerCrashed(outcome.crash))
    case "Cancelled":
      return Exit.interrupt()
  }
}

/** The failures a cancelled call met while stopping (its interruption left out), as an Exit. */
const failuresOf = <E>(exit: Exit.Exit<unknown, E>): Exit.Exit<void, E> => {
  if (exit._tag === "Success") return Exit.void
  const reasons = exit.cause.reasons.filter((reason) => reason._tag !== "Interrupt")
  return reasons.length === 0 ? Exit.void : Exit.failCause(Cause.fromReasons(reasons))
}

/**
 * One call of `fn` on the pool, as an Effect: it waits for a permit, runs, and gives
 * the call's outcome. Interrupted, it cancels the call by its mode and waits until the
 * call has ended; failures the call met while stopping are added to the interruption,
 * so none is lost.
 */
export const callEffect = <A, E>(
  core: PoolCore,
  fn: Definition,
  args: ReadonlyArray<unknown>
): Effect.Effect<A, E | WorkerCrashed> =>
  Effect.callback<A, E | WorkerCrashed>((resume) => {
    const call = core.call<A>(fn, args)
    let ended = (outcome: Outcome<A>) => resume(exitOf<A, E>(outcome))
    call.onEnd((outcome) => ended(outcome))
    // Effect types the interruption handler as infallible, yet runs it as a finalizer
    // whose failure is added to the interruption's cause: how the failures the call met
    // while stopping get reported (test/cancellation.test.ts pins this down).
    return Effect.callback<void, E | WorkerCrashed>((done) => {
      ended = (outcome) => done(failuresOf(exitOf<A, E>(outcome)))
      call.cancel()
    }) as Effect.Effect<void>
  })
