import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as RpcClient from "effect/rpc/RpcClient"
import * as Schema from "effect/Schema"
import * as Rpc from "effect/rpc/Rpc"
import { TransportError } from "../TransportError.ts"

/**
 * The header a call carries its id in, so that a cancellation can name the handler it
 * stops (the cluster's request ids are its own and never reach the caller's code).
 */
export const callHeader = "x-soonify-call"

/** The tag of the one RPC of a task's companion entity: cancelling one call and waiting for its handler. */
export const cancelTag = "Cancel"

/** What a cancellation found on the runner: a handler it interrupted and saw end, or none (never to start). */
export const CancelOutcome = Schema.Literals(["ended", "notStarted"])
export type CancelOutcome = typeof CancelOutcome.Type

/** The RPC of a task's companion entity. Same entity id, so same shard, so same runner as the call. */
export const cancelRpc = Rpc.make(cancelTag, {
  payload: { call: Schema.String },
  success: CancelOutcome
}) as unknown as Rpc.AnyWithProps

/** The entity type of a task's companion, which serves its cancellations. */
export const cancelEntityType = (task: string) => `${task}/cancel`

/** How long a cancelled call id is remembered, so that a call arriving after its cancellation never starts. */
const forgetCancelledAfterMs = 10 * 60 * 1000

/**
 * The calls one runner's layer of a task is running, by call id. The only owner of
 * this state is the layer it was built for.
 *
 * States of a call id: unknown → running → unknown (ended), or unknown → cancelled
 * (a cancellation came first; a call with that id is then refused for 10 minutes).
 */
export class RunningCalls {
  private readonly running = new Map<string, Fiber.Fiber<unknown, unknown>>()
  private readonly cancelled = new Map<string, number>()

  /**
   * Runs `handler` as the call `id` (when the call has one): in a fiber of its own
   * with its own scope, that a cancellation interrupts and waits for.
   */
  serve<A, E, R>(id: string | undefined, handler: Effect.Effect<A, E, R>): Effect.Effect<A, E, Exclude<R, never>> {
    if (id === undefined) return Effect.scoped(handler as Effect.Effect<A, E, any>) as any
    return Effect.suspend(() => {
      if (this.cancelled.has(id)) return Effect.interrupt
      const running = this.running
      return Effect.uninterruptibleMask((restore) =>
        Effect.gen(function* () {
          const fiber = yield* Effect.forkChild(Effect.scoped(handler as Effect.Effect<A, E, any>))
          running.set(id, fiber as Fiber.Fiber<unknown, unknown>)
          // interrupted by the cluster (its own interrupt, the entity's shutdown): stop the handler and wait
          const exit = yield* Effect.onInterrupt(restore(Fiber.await(fiber)), () => Fiber.interrupt(fiber))
          running.delete(id)
          return yield* exit
        })
      ) as any
    })
  }

  /** Interrupts the call `id` and waits until its handler and its finalizers have ended. */
  cancel(id: string): Effect.Effect<CancelOutcome> {
    return Effect.suspend(() => {
      const fiber = this.running.get(id)
      if (fiber !== undefined) return Effect.as(Fiber.interrupt(fiber), "ended" as const)
      this.remember(id)
      return Effect.succeed("notStarted" as const)
    })
  }

  private remember(id: string): void {
    const now = Date.now()
    for (const [old, at] of this.cancelled) {
      if (now - at < forgetCancelledAfterMs) break
      this.cancelled.delete(old)
    }
    this.cancelled.set(id, now)
  }
}

/** A fresh id for one call. */
export const newCallId = (): string => globalThis.crypto.randomUUID()

/** The call, sending its id in a header. */
export const withCallId = <A, E, R>(id: string, call: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  RpcClient.withHeaders(call, { [callHeader]: id })

/**
 * Runs `call` (a remote call carrying the call id `id`) so that it ends only once its
 * handler has: when it is interrupted, `cancel` asks the runner to interrupt the
 * handler and acknowledge once it and its finalizers have ended; the call then fails
 * with the interruption (plus any failure the handler's exit reports). A runner that
 * does not acknowledge within `bound` ends the call with the interruption and a
 * `TransportError` whose reason is `"CancelUnacknowledged"`.
 *
 * The cancellation is the waiting's interruption finalizer, so that its failure joins
 * the interruption in the fiber's exit (Effect 4 replaces the failure of an interrupted
 * fiber by its interruption at its next interruptible step): nothing may handle the
 * call's failure after it in the same fiber. For the same reason the call runs in a
 * detached fiber that this one always joins or interrupts: a child still running when
 * this fiber ends would be interrupted and awaited by it, an interruptible step.
 */
export const endingWithHandler = <A, E, R, R2>(
  task: string,
  call: Effect.Effect<A, E, R>,
  cancel: Effect.Effect<CancelOutcome, unknown, R2>,
  bound: Duration.Duration
): Effect.Effect<A, E | TransportError, R | R2> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(Effect.forkDetach(call), (fiber) =>
      Effect.onInterrupt(restore(Fiber.join(fiber)), () => afterCancel(task, fiber, cancel, bound))
    )
  )

/** After the call was interrupted: cancels its handler and waits for its end, within `bound`. */
const afterCancel = <A, E, R2>(
  task: string,
  fiber: Fiber.Fiber<A, E>,
  cancel: Effect.Effect<CancelOutcome, unknown, R2>,
  bound: Duration.Duration
): Effect.Effect<void, never, R2> =>
  Effect.gen(function* () {
    const started = yield* Clock.currentTimeMillis
    // the wait is bounded without waiting for the losers: an unreachable runner must not hold it up
    const cancelling = yield* Effect.forkDetach(cancel)
    const acknowledged = yield* Fiber.await(cancelling).pipe(Effect.timeoutOption(bound))
    const outcome =
      Option.isSome(acknowledged) && Exit.isSuccess(acknowledged.value)
        ? Option.some(acknowledged.value.value)
        : Option.none<CancelOutcome>()
    if (Option.isNone(outcome)) {
      yield* Effect.forkDetach(Fiber.interruptAll([cancelling, fiber]))
      const error = new TransportError({
        task,
        reason: "CancelUnacknowledged",
        cause: `no acknowledgement from the runner within ${Duration.format(bound)}`
      })
      // also logged: a step that handles the call's failure after its interruption (a
      // span's end, a handler of its cause) gets the interruption alone in Effect 4
      yield* Effect.logWarning(error.message, String(error.cause))
      return yield* Effect.fail(error)
    }
    if (outcome.value === "notStarted") {
      yield* Effect.forkDetach(Fiber.interrupt(fiber))
      return
    }
    // the handler has ended: its reply (interrupted, maybe with a finalizer's failure) is on its way
    const elapsed = (yield* Clock.currentTimeMillis) - started
    const left = Duration.millis(Math.max(0, Duration.toMillis(bound) - elapsed))
    const reply = yield* Fiber.await(fiber).pipe(Effect.timeoutOption(left))
    if (Option.isNone(reply)) return yield* Effect.forkDetach(Fiber.interrupt(fiber))
    if (Exit.isFailure(reply.value)) {
      const failures = reply.value.cause.reasons.filter((reason) => !Cause.isInterruptReason(reason))
      if (failures.length > 0) return yield* Effect.failCause(Cause.fromReasons(failures))
    }
  }) as Effect.Effect<void, never, R2>
