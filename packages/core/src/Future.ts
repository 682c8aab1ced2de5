/**
 * Futures: SoonValues completed by hand (aioresult's `Future`), for results that come
 * from somewhere other than a task's return value.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import type * as Types from "effect/Types"
import { FutureSetAgain } from "./FutureSetAgain.ts"
import { FutureImpl, FutureTypeId } from "./internal/future.ts"
import { describe, illegalArgument, nameProblem, optionsProblem } from "./internal/validation.ts"
import type { SoonValue } from "./SoonValue.ts"

/**
 * The identifier every Future carries.
 *
 * @since 0.1.0
 * @category type ids
 */
export const TypeId: typeof FutureTypeId = FutureTypeId

/**
 * A {@link SoonValue.SoonValue} that is completed by hand, once.
 *
 * **Details**
 *
 * Read it exactly like a task's handle (`ready`, `value`, `await`, `poll`); complete it
 * with {@link succeed}, {@link fail} or {@link complete}; `cancel` completes it with an
 * interruption. A second completion fails with {@link FutureSetAgain} and leaves the
 * first outcome in place.
 *
 * A Future is invariant in `A` and `E`, unlike the covariant `SoonValue`: it is also
 * written to. Were it covariant, a `Future<"a">` could be passed where a
 * `Future<string>` is expected and completed with `"b"`, and its reader, promised
 * `"a"`, would get `"b"` (the same reason `Deferred` is invariant).
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const future = yield* Future.make<string>()
 *   yield* Effect.forkChild(Future.succeed(future, "hello"))
 *   return yield* future.await // => "hello"
 * })
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Future<in out A, in out E = never> extends SoonValue<A, E> {
  readonly [TypeId]: {
    readonly _A: Types.Invariant<A>
    readonly _E: Types.Invariant<E>
  }
}

/**
 * Options for a Future.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The future's name, shown in messages. Default `future-N`. */
  readonly name?: string | undefined
}

/**
 * Makes a pending Future.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@soonify/core"
 *
 * const program = Effect.map(Future.make<number, Error>({ name: "answer" }), (f) => f.ready) // => false
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <A, E = never>(options?: Options): Effect.Effect<Future<A, E>> =>
  Effect.suspend(() => {
    const problem = optionsProblem("Future.make", options) ?? nameProblem("Future.make", options?.name)
    return problem === undefined ? Effect.succeed(makeUnsafe<A, E>(options)) : Effect.die(illegalArgument(problem))
  })

/**
 * Makes a pending Future, synchronously.
 *
 * **Example**
 *
 * ```ts
 * import { Future } from "@soonify/core"
 *
 * const future = Future.makeUnsafe<number>()
 * future.ready // => false
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeUnsafe = <A, E = never>(options?: Options): Future<A, E> => {
  const problem = optionsProblem("Future.makeUnsafe", options) ?? nameProblem("Future.makeUnsafe", options?.name)
  if (problem !== undefined) throw illegalArgument(problem)
  return new FutureImpl<A, E>(options?.name)
}

/**
 * Tells whether a value is a {@link Future}.
 *
 * **Example**
 *
 * ```ts
 * import { Future } from "@soonify/core"
 *
 * Future.isFuture(Future.makeUnsafe()) // => true
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isFuture = (u: unknown): u is Future<unknown, unknown> => u instanceof FutureImpl

/**
 * Completes a Future with an `Exit`: success, failure or interruption. Fails with
 * {@link FutureSetAgain} if it was already completed; the first outcome stays.
 *
 * **Example**
 *
 * ```ts
 * import { Effect, Exit } from "effect"
 * import { Future } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const future = yield* Future.make<number, string>()
 *   yield* Future.complete(future, Exit.fail("boom"))
 *   return yield* Effect.flip(future.value) // => "boom"
 * })
 * ```
 *
 * @since 0.1.0
 * @category completion
 */
export const complete: {
  <A, E>(exit: Exit.Exit<A, E>): (self: Future<A, E>) => Effect.Effect<void, FutureSetAgain>
  <A, E>(self: Future<A, E>, exit: Exit.Exit<A, E>): Effect.Effect<void, FutureSetAgain>
} = dual(2, <A, E>(self: Future<A, E>, exit: Exit.Exit<A, E>): Effect.Effect<void, FutureSetAgain> =>
  Effect.suspend(() => {
    if (!(self instanceof FutureImpl)) {
      return Effect.die(illegalArgument(`Future.complete: expected a Future, received ${describe(self)}`))
    }
    if (!Exit.isExit(exit)) {
      return Effect.die(illegalArgument(`Future.complete: expected an Exit, received ${describe(exit)}`))
    }
    return (self as FutureImpl<A, E>).complete(exit) ? Effect.void : Effect.fail(new FutureSetAgain({ future: self }))
  })
)

/**
 * Completes a Future with a value. Fails with {@link FutureSetAgain} if it was already
 * completed.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const future = yield* Future.make<number>()
 *   yield* Future.succeed(future, 42)
 *   return yield* future.value // => 42
 * })
 * ```
 *
 * @since 0.1.0
 * @category completion
 */
export const succeed: {
  <A>(value: A): <E>(self: Future<A, E>) => Effect.Effect<void, FutureSetAgain>
  <A, E>(self: Future<A, E>, value: A): Effect.Effect<void, FutureSetAgain>
} = dual(2, <A, E>(self: Future<A, E>, value: A): Effect.Effect<void, FutureSetAgain> =>
  complete(self, Exit.succeed(value))
)

/**
 * Completes a Future with a typed failure. Fails with {@link FutureSetAgain} if it was
 * already completed.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Future } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const future = yield* Future.make<number, string>()
 *   yield* Future.fail(future, "no answer")
 *   return yield* Effect.flip(future.await) // => "no answer"
 * })
 * ```
 *
 * @since 0.1.0
 * @category completion
 */
export const fail: {
  <E>(error: E): <A>(self: Future<A, E>) => Effect.Effect<void, FutureSetAgain>
  <A, E>(self: Future<A, E>, error: E): Effect.Effect<void, FutureSetAgain>
} = dual(2, <A, E>(self: Future<A, E>, error: E): Effect.Effect<void, FutureSetAgain> =>
  complete(self, Exit.fail(error))
)
