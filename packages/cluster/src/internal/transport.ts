import * as Cause from "effect/Cause"
import * as ClusterError from "effect/cluster/ClusterError"
import * as Effect from "effect/Effect"
import { TransportError, type TransportReason } from "../TransportError.ts"

/**
 * The transport reason of an `effect/cluster` error, or `undefined` for anything else
 * (the task's own error, a defect of its handler).
 */
const reasonOf = (u: unknown): TransportReason | undefined => {
  if (ClusterError.MailboxFull.is(u)) return "MailboxFull"
  if (ClusterError.MalformedMessage.is(u)) return "MalformedMessage"
  if (ClusterError.EntityNotAssignedToRunner.is(u)) return "EntityNotAssignedToRunner"
  if (ClusterError.AlreadyProcessingMessage.is(u)) return "AlreadyProcessingMessage"
  if (u instanceof ClusterError.PersistenceError) return "PersistenceError"
  return undefined
}

/** The reason of a `Cause` reason that is a transport failure, or `undefined`. */
const transportOf = (reason: Cause.Reason<unknown>): TransportReason | undefined =>
  Cause.isFailReason(reason) ? reasonOf(reason.error) : Cause.isDieReason(reason) ? reasonOf(reason.defect) : undefined

/**
 * Turns the `effect/cluster` errors of a call into {@link TransportError}s, keeping
 * every other reason of the cause (the task's error, defects, interruptions) as it is.
 *
 * The cluster client fails with `MailboxFull`, `AlreadyProcessingMessage`,
 * `PersistenceError` and `EntityNotAssignedToRunner`; a payload that cannot be encoded
 * comes back as a reply that dies with `MalformedMessage`. All of them become typed
 * `TransportError`s, so that a transport failure is never mistaken for the task's
 * failure, nor for a defect of its handler.
 */
export const withTransportErrors =
  (task: string) =>
  <A, E, R>(call: Effect.Effect<A, E, R>): Effect.Effect<A, E | TransportError, R> =>
    Effect.catchCauseIf(
      call,
      (cause) => cause.reasons.some((reason) => transportOf(reason) !== undefined),
      (cause) =>
        Effect.failCause(
          Cause.fromReasons<E | TransportError>(
            cause.reasons.map((reason) => {
              const transport = transportOf(reason)
              if (transport === undefined) return reason
              const error = Cause.isFailReason(reason) ? reason.error : (reason as Cause.Die).defect
              return Cause.makeFailReason(new TransportError({ task, reason: transport, cause: error }))
            })
          )
        )
    ) as Effect.Effect<A, E | TransportError, R>
