import { futureName } from "@soonify/kernel"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Types from "effect/Types"
import type { PendingValue } from "../PendingValue.ts"
import { HandleBase } from "./handle.ts"
import { raisedByFuture } from "./pendingMessage.ts"

/** @internal */
export const FutureTypeId = "~@soonify/core/Future" as const

const variance = { _A: (a: unknown) => a, _E: (e: unknown) => e }

/**
 * A handle completed by hand instead of by a task: the same `Deferred`-backed reads as
 * a task's handle; `cancel` completes it with an interruption.
 *
 * @internal
 */
export class FutureImpl<A, E> extends HandleBase<A, E> {
  constructor(name: string | undefined) {
    super(undefined, name ?? futureName())
    // Deferred's field, from the start (as a task's handle has it, see `taskHandle`).
    this.effect = undefined
  }

  get [FutureTypeId](): { readonly _A: Types.Invariant<A>; readonly _E: Types.Invariant<E> } {
    return variance as any
  }

  get kind() {
    return "Future"
  }

  protected override pendingError(): PendingValue {
    return raisedByFuture(super.pendingError())
  }

  get cancel(): Effect.Effect<void> {
    return Effect.withFiber((fiber) => {
      this.complete(Exit.interrupt(fiber.id))
      return Effect.void
    })
  }
}
