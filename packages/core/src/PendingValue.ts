/**
 * The typed error a {@link SoonValue.SoonValue} gives when its value is read before
 * its task has ended.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"

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
  override get message(): string {
    return (
      `The value of task "${this.task}" is still pending: it was read before the task ended, ` +
      "most likely inside the TaskGroup.run block. Read it after the group has ended, " +
      "or use `yield* soon.await` to wait for it."
    )
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
