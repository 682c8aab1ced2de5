/**
 * Futures: SoonValues completed by hand (aioresult's `Future`), for results that come
 * from somewhere other than a task's return value.
 *
 * @since 0.1.0
 */
import { futureName } from "@soonify/kernel"
import { FutureSetAgainError } from "./Errors.ts"
import { complete, SoonValue } from "./SoonValue.ts"
import { checkName, checkOptions } from "./internal/validation.ts"

/**
 * Options of a {@link Future}.
 *
 * @since 0.1.0
 * @category models
 */
export interface FutureOptions {
  /** The future's name, shown in messages. Default `future-N`. */
  readonly name?: string | undefined
}

/**
 * A {@link SoonValue} whose outcome is set by hand, once: with `setResult`,
 * `setException`, or `cancel`.
 *
 * **When to use**
 *
 * When a value arrives by another road than a task's return: a reply demultiplexed from
 * a shared connection, an event, a callback. Hand out the Future, set it where the value
 * arrives, and readers use it like any SoonValue (`wait()`, `value`, `waitAny`, `gather`).
 *
 * **Details**
 *
 * A second `setResult` / `setException` throws {@link FutureSetAgainError} and keeps the
 * first outcome. `cancel()` gives the future a cancellation (a reader's `value` throws a
 * `CancelledError`) unless it already has an outcome.
 *
 * A Future is invariant in `A` (unlike the covariant SoonValue) because it is written
 * to: were a `Future<"a">` usable as a `Future<string>`, it could be set to `"b"` while
 * its readers were promised `"a"`.
 *
 * **Example**
 *
 * ```ts
 * import { Future } from "@soonify/interop"
 *
 * const reply = new Future<string>({ name: "reply" })
 * setTimeout(() => reply.setResult("pong"), 10)
 * await reply.wait() // => "pong"
 * reply.value // => "pong"
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class Future<in out A> extends SoonValue<A> {
  constructor(options?: FutureOptions) {
    checkOptions("new Future", options)
    checkName("new Future", options?.name)
    super(options?.name ?? futureName())
  }

  override readonly future = true

  /** Sets the value. Throws {@link FutureSetAgainError} if the future already has an outcome. */
  setResult(value: A): void {
    if (!complete(this, "fulfilled", value)) throw new FutureSetAgainError(this.name)
  }

  /**
   * Sets the error, which readers' `value` throws and `wait()` rejects with. Throws
   * {@link FutureSetAgainError} if the future already has an outcome.
   */
  setException(error: unknown): void {
    if (!complete(this, "rejected", error)) throw new FutureSetAgainError(this.name)
  }
}
