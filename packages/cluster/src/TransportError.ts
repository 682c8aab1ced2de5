/**
 * The error of a remote task whose call did not get through: the task's own typed
 * error is something else.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"

/**
 * Why a remote call failed in transport, named after the `effect/cluster` error behind
 * it (`ClusterError.MailboxFull`, …).
 *
 * - `"MailboxFull"`: the entity that serves the call has as many calls in flight as its
 *   mailbox holds (`mailboxCapacity`), or its runner holds as many entities as it may
 *   (`ShardingConfig.maxResidentEntities`). The call was not delivered.
 * - `"MalformedMessage"`: the payload could not be encoded with its schema (or decoded on
 *   the runner). The call was not run.
 * - `"EntityNotAssignedToRunner"`: no runner serves the entity's shard, and the caller's
 *   sharding is shutting down, so the call is not retried.
 * - `"AlreadyProcessingMessage"`: the same request is already being processed.
 * - `"CancelUnacknowledged"`: the call was cancelled and its runner did not confirm,
 *   within the task's `cancelTimeout`, that the handler and its finalizers had ended
 *   (the runner is unreachable, or the handler ignores its interruption).
 * - `"PersistenceError"`: the message storage failed to save the call.
 *
 * **Example**
 *
 * ```ts
 * import { type TransportReason, TransportError } from "@soonify/cluster"
 *
 * const retryable = (reason: TransportReason): boolean => reason === "MailboxFull"
 * retryable(new TransportError({ task: "Echo", reason: "MailboxFull", cause: undefined }).reason) // true
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type TransportReason =
  | "MailboxFull"
  | "MalformedMessage"
  | "EntityNotAssignedToRunner"
  | "AlreadyProcessingMessage"
  | "PersistenceError"
  | "CancelUnacknowledged"

/**
 * A remote task's call failed on its way, not in its handler: the task's typed error
 * stays what its `error` schema says, and transport failures are this error instead.
 *
 * **Details**
 *
 * It is a typed failure (in the error channel, beside the task's own error), so a
 * group in `failFast` mode fails with it and a `settle` group keeps it in the task's
 * handle. `reason` says what went wrong; `cause` holds the `effect/cluster` error.
 *
 * **Gotchas**
 *
 * After a `TransportError` the handler may or may not have run (a mailbox that was
 * full: no; a message storage that failed after saving: perhaps). Retry only calls
 * whose handler is idempotent.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { TestRunner } from "effect/cluster"
 * import { TaskGroup } from "@soonify/core"
 * import { RemoteTask, TransportError } from "@soonify/cluster"
 *
 * // one entity id, with room for one call in flight
 * const Job = RemoteTask.make("Job", { payload: { id: Schema.Number }, route: () => "only" })
 * const JobLive = RemoteTask.toLayer(Job, () => Effect.never, { mailboxCapacity: 1 })
 *
 * const program = TaskGroup.run((group) =>
 *   Effect.gen(function* () {
 *     const first = yield* group.soonify(RemoteTask.call(Job))({ id: 1 })
 *     yield* Effect.sleep("100 millis") // the first call is in the mailbox
 *     const second = yield* RemoteTask.call(Job)({ id: 2 }).pipe(
 *       Effect.as("sent"),
 *       Effect.catchTag("TransportError", (error: TransportError) => Effect.succeed(error.reason))
 *     )
 *     yield* first.cancel
 *     return second // "MailboxFull"
 *   })
 * ).pipe(Effect.provide(JobLive), Effect.provide(TestRunner.layer))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Data.TaggedError("TransportError")<{
  /** The name of the remote task that was called. */
  readonly task: string
  /** What went wrong on the way. */
  readonly reason: TransportReason
  /** The `effect/cluster` error behind it. */
  readonly cause: unknown
}> {
  override get message(): string {
    return (
      `Remote task "${this.task}": the call failed in transport (${this.reason}), not in its handler. ` +
      `${advice[this.reason]}`
    )
  }
}

const advice: Record<TransportReason, string> = {
  MailboxFull:
    "The entity serving it has too many calls in flight: bound the group's concurrency, raise the task's " +
    "mailboxCapacity, or retry later.",
  MalformedMessage: "Its payload could not be encoded or decoded with the task's payload schema: check the schema.",
  EntityNotAssignedToRunner: "No runner serves its shard and this process's sharding is shutting down.",
  AlreadyProcessingMessage: "The same request is already being processed.",
  CancelUnacknowledged:
    "The call was cancelled, but its runner did not confirm within the task's cancelTimeout that the handler had " +
    "ended: the runner may be unreachable, or the handler may still be running.",
  PersistenceError: "The message storage failed: the handler may or may not have run; retry only an idempotent task."
}

/**
 * Tells whether a value is a {@link TransportError}.
 *
 * **Example**
 *
 * ```ts
 * import { TransportError, isTransportError } from "@soonify/cluster"
 *
 * isTransportError(new TransportError({ task: "Echo", reason: "MailboxFull", cause: undefined })) // true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isTransportError = (u: unknown): u is TransportError =>
  Predicate.isTagged(u, "TransportError") && u instanceof TransportError
