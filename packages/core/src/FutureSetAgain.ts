/**
 * The typed error of completing a {@link Future.Future} that was already completed.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import type { SoonValue } from "./SoonValue.ts"

/**
 * A `Future` was completed a second time. The first outcome stays in place.
 *
 * **Details**
 *
 * Carries the future that refused (`future`), so that the handler can read the first
 * outcome.
 *
 * **Example**
 *
 * ```ts
 * import { Effect } from "effect"
 * import { Future, FutureSetAgain } from "@soonify/core"
 *
 * const program = Effect.gen(function* () {
 *   const future = yield* Future.make<number>()
 *   yield* Future.succeed(future, 1)
 *   const error = yield* Effect.flip(Future.succeed(future, 2))
 *   console.log(error instanceof FutureSetAgain, yield* future.value) // => true, 1
 * })
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class FutureSetAgain extends Data.TaggedError("FutureSetAgain")<{
  /** The future that was already completed. */
  readonly future: SoonValue<unknown, unknown>
}> {
  override get message(): string {
    return (
      `Future "${this.future.name}" was already completed: a Future takes one outcome, and the ` +
      "first one stays. Check `future.ready` before completing it, or use a new Future."
    )
  }
}

/**
 * Tells whether a value is a {@link FutureSetAgain}.
 *
 * **Example**
 *
 * ```ts
 * import { isFutureSetAgain } from "@soonify/core"
 *
 * isFutureSetAgain(new Error("no")) // => false
 * ```
 *
 * @since 0.1.0
 * @category guards
 */
export const isFutureSetAgain = (u: unknown): u is FutureSetAgain => u instanceof FutureSetAgain
