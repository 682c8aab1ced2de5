/**
 * A `SoonValue` is the handle to one task's outcome: the value it returned, the
 * error it failed with, or its interruption.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import type * as Exit from "effect/Exit"
import type * as Inspectable from "effect/Inspectable"
import type * as Option from "effect/Option"
import type { Pipeable } from "effect/Pipeable"
import type * as Types from "effect/Types"
import { type HandleBase, isHandle, SoonValueTypeId } from "./internal/handle.ts"
import {
  asCompleted as internalAsCompleted,
  waitAll as internalWaitAll,
  waitAny as internalWaitAny
} from "./internal/waiting.ts"
import { describe, illegalArgument } from "./internal/validation.ts"
import * as mapInternal from "./internal/map.ts"
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
 * The outcome is kept in the handle, completed once with the task's `Exit`. Every read
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
 *   console.log(soon.ready) // => true: the group has ended
 *   return yield* soon.value // => 42
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
  /** `true` once the task has ended: succeeded, failed or been interrupted (Effect's word: `Deferred.isDone`). */
  readonly ready: boolean
  /**
   * The attempt the task is on (or ended on), 1-based: above 1 only for a task spawned
   * with `retry`, once an attempt failed and the next began. 1 for a Future.
   */
  readonly attempt: number
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
   * Interrupts this task alone and waits for it to end (Effect's word: `Fiber.interrupt`).
   * A cancelled task is not a failure of its group. Does nothing to a task that has
   * already ended.
   */
  readonly cancel: Effect.Effect<void>
  /**
   * What the task last reported with `TaskGroup.reportProgress` (`{ done, total? }`), or
   * `undefined` if it reported nothing. A plain read, like `ready`.
   */
  readonly progress: Progress | undefined
}

/**
 * How far along a task is, as it reported with `TaskGroup.reportProgress`: `done` units
 * of work, out of `total` when the task knows it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly done: number
  readonly total?: number
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
 * SoonValue.isSoonValue({}) // => false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isSoonValue = (u: unknown): u is SoonValue<unknown, unknown> => isHandle(u)

/**
 * Reads a handle's outcome synchronously: the task's `Exit` once it has ended,
 * `undefined` before. The synchronous twin of `soon.poll`, for code that drives
 * handles from outside Effect (such as `@soonify/interop`), like `Fiber.pollUnsafe`.
 *
 * **Details**
 *
 * Throws an `IllegalArgumentError` when `self` is not a SoonValue (or Future).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { SoonValue, TaskGroup } from "@soonify/core"
 *
 * const group = TaskGroup.makeUnsafe()
 * const soon = TaskGroup.spawnUnsafe(group, Effect.succeed(42))
 * SoonValue.pollUnsafe(soon) // Exit.succeed(42): the task ran to its end at once
 * await Effect.runPromise(TaskGroup.join(group))
 * ```
 *
 * @since 0.1.0
 * @category unsafe
 */
export const pollUnsafe = <A, E>(self: SoonValue<A, E>): Exit.Exit<A, E> | undefined => {
  if (isHandle(self)) return (self as HandleBase<A, E>).peek()
  throw illegalArgument(`SoonValue.pollUnsafe: expected a SoonValue, received ${describe(self)}`)
}

/**
 * Waits until one of the handles has ended and returns it: the first to end, not the
 * first listed (aioresult's `wait_any`). The other tasks keep running.
 *
 * **Details**
 *
 * A handle that has already ended is returned at once (the first such in input order).
 * Waiting on nothing is an error: `waitAny([])` dies at once with an
 * `IllegalArgumentError` saying it needs at least one handle. A non-iterable, or an
 * element that is not a SoonValue, dies the same way.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { SoonValue, TaskGroup } from "@soonify/core"
 *
 * const program = TaskGroup.run((group) =>
 *   Effect.gen(function* () {
 *     const slow = yield* group.spawn(Effect.as(Effect.sleep("2 seconds"), "slow"))
 *     const fast = yield* group.spawn(Effect.as(Effect.sleep("1 second"), "fast"))
 *     const first = yield* SoonValue.waitAny([slow, fast])
 *     return yield* first.value // => "fast"
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitAny: <H extends SoonValue<any, any>>(handles: Iterable<H>) => Effect.Effect<H> = internalWaitAny

/**
 * Waits until every handle has ended (aioresult's `wait_all`). Never fails on the
 * tasks' errors: read each handle afterwards. Waiting on nothing is done at once.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { SoonValue, TaskGroup } from "@soonify/core"
 *
 * const program = TaskGroup.run(
 *   (group) =>
 *     Effect.gen(function* () {
 *       const a = yield* group.spawn(Effect.fail("boom"))
 *       const b = yield* group.spawn(Effect.succeed(2))
 *       yield* SoonValue.waitAll([a, b])
 *       return [a.ready, b.ready] // => [true, true]
 *     }),
 *   { mode: "settle" }
 * )
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const waitAll: (handles: Iterable<SoonValue<any, any>>) => Effect.Effect<void> = internalWaitAll

/**
 * A `Stream` of the handles in the order their tasks end (aioresult's
 * `results_to_channel`, asyncio's `as_completed`). Handles of any mix of types.
 *
 * **Details**
 *
 * Handles already ended come first, in input order. The stream ends after the last
 * handle. A consumer that stops early (`Stream.take`, an error) cancels nothing it does
 * not own: the tasks go on in their group. No handles gives an empty stream.
 *
 * With `{ concurrency }`, the input is effects, not handles: they are started lazily in
 * a group of their own (settle mode: a failure stays in its handle and cancels nothing),
 * at most `concurrency` at once (a positive integer or `"unbounded"`), and the stream
 * gives their handles, each once its task has ended. A consumer that stops early
 * cancels the tasks of that group and starts no more.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { SoonValue, TaskGroup } from "@soonify/core"
 *
 * const program = TaskGroup.run((group) =>
 *   Effect.gen(function* () {
 *     const slow = yield* group.spawn(Effect.as(Effect.sleep("2 seconds"), "slow"))
 *     const fast = yield* group.spawn(Effect.as(Effect.sleep("1 second"), "fast"))
 *     return yield* SoonValue.asCompleted([slow, fast]).pipe(
 *       Stream.mapEffect((soon) => soon.value),
 *       Stream.runCollect
 *     ) // => ["fast", "slow"]
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category waiting
 */
export const asCompleted: {
  <H extends SoonValue<any, any>>(handles: Iterable<H>): Stream.Stream<H>
  <const I extends Iterable<Effect.Effect<any, any, any>>>(
    effects: I,
    options: { readonly concurrency: number | "unbounded" }
  ): Stream.Stream<HandleOf<I extends Iterable<infer X> ? X : never>, never, ContextOf<I>>
} = function (handles: Iterable<any>, options?: unknown): Stream.Stream<any, never, any> {
  return arguments.length < 2 ? internalAsCompleted(handles) : mapInternal.asCompleted(handles, options)
} as any

/**
 * The handle of an effect's task: `SoonValue<A, E>` for `Effect<A, E, R>`.
 *
 * @since 0.5.0
 * @category models
 */
export type HandleOf<X> = X extends Effect.Effect<infer A, infer E, any> ? SoonValue<A, E> : never

/** The requirements of the effects of `I`. */
type ContextOf<I> = I extends Iterable<infer X> ? (X extends Effect.Effect<any, any, infer R> ? R : never) : never
