/**
 * A `SoonValue` is the handle to one task's outcome: the value it returned, the
 * error it failed with, or its interruption.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Inspectable from "effect/Inspectable"
import type * as Option from "effect/Option"
import type { Pipeable } from "effect/Pipeable"
import type * as Types from "effect/Types"
import { isHandle, SoonValueTypeId } from "./internal/handle.ts"
import type { PendingValue } from "./PendingValue.ts"

/**
 * The identifier every SoonValue carries.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof SoonValueTypeId = SoonValueTypeId

/**
 * The handle to the outcome of one task, given by `group.spawn` and `group.soonify`.
 *
 * **Details**
 *
 * The outcome is kept in a `Deferred` completed once, with the task's `Exit`. Every read
 * replays that `Exit`: success gives `A`, failure gives `E`, and an interrupted task
 * gives the interruption, as `Fiber.join` does.
 *
 * A `SoonValue` only reads, so it is covariant in `A` and `E` (like `Fiber`): a
 * `SoonValue<"a", never>` is a `SoonValue<string, Error>`.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { TaskGroup } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const soon = yield* TaskGroup.run((group) => group.spawn(Effect.succeed(42)))
 *   console.log(soon.ready) // true: the group has ended
 *   return yield* soon.value // 42
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface SoonValue<out A, out E = never> extends Pipeable, Inspectable.Inspectable {
  readonly [TypeId]: SoonValue.Variance<A, E>
  /** The task's name: the one given to `spawn`/`soonify`, the function's name, or `task-N`. */
  readonly name: string
  /** `true` once the task has ended: succeeded, failed or been interrupted. */
  readonly ready: boolean
  /**
   * The task's outcome without waiting: before the task ends it fails with
   * {@link PendingValue}; after, it replays the task's `Exit`.
   */
  readonly value: Effect.Effect<A, E | PendingValue>
  /** Waits for the task to end, then replays its `Exit`. Allowed inside the group. */
  readonly await: Effect.Effect<A, E>
  /** The task's `Exit` if it has ended, without waiting. */
  readonly poll: Effect.Effect<Option.Option<Exit.Exit<A, E>>>
  /**
   * Interrupts this task alone and waits for it to end. A cancelled task is not a
   * failure of its group. Does nothing to a task that has already ended.
   */
  readonly cancel: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export declare namespace SoonValue {
  /**
   * The variance marker of {@link SoonValue}: covariant in both parameters.
   *
   * @since 0.1.0
   * @category models
   */
  export interface Variance<out A, out E> {
    readonly _A: Types.Covariant<A>
    readonly _E: Types.Covariant<E>
  }
}

/**
 * Tells whether a value is a {@link SoonValue} (a task's handle or a `Future`).
 *
 * **Example**
 *
 * ```ts
 * import { SoonValue } from "@soonify/core"
 *
 * SoonValue.isSoonValue({}) // false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isSoonValue = (u: unknown): u is SoonValue<unknown, unknown> => isHandle(u)
