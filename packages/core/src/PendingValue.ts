/**
 * The typed error a {@link SoonValue.SoonValue} gives when its value is read before
 * its task has ended.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import { pendingMessage } from "./internal/pendingMessage.ts"

/**
 * Raised by `soon.value` when the task behind the handle has not ended yet.
 *
 * **When to use**
 *
 * Catch it (`Effect.catchTag("PendingValue", ...)`) when you read a handle inside the
 * group on purpose and want a fallback. Most of the time its appearance is a bug: the
 * value was read inside the `TaskGroup.run` block instead of after it.
 *
 * **Details**
 *
 * The error carries the name of the task whose value was read (`task`), so a message in
 * a log points at the right call.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { PendingValue, TaskGroup } from "@soonify/core"
 *
 * const program = TaskGroup.run((group) =>
 *   Effect.gen(function* () {
 *     const soon = yield* group.spawn(Effect.never, { name: "forever" })
 *     const error = yield* Effect.flip(soon.value)
 *     console.log(error instanceof PendingValue) // => true
 *     yield* soon.cancel
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class PendingValue extends Data.TaggedError("PendingValue")<{
  /** The name of the task whose value was read too early. */
  readonly task: string
}> {
  /** Says what to do: for a task, read it after its group (or wait); for a Future, complete it first. */
  override get message(): string {
    return pendingMessage(this, this.task)
  }
}

/**
 * Tells whether a value is a {@link PendingValue}.
 *
 * **Example**
 *
 * ```ts
 * import { PendingValue, isPendingValue } from "@soonify/core"
 *
 * isPendingValue(new PendingValue({ task: "t" })) // => true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isPendingValue = (u: unknown): u is PendingValue =>
  Predicate.isTagged(u, "PendingValue") && u instanceof PendingValue
