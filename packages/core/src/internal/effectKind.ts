import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

// What kind of effect a task is, asked once per task (and per gather input): Effect's own
// guards go through `Predicate.hasProperty`, whose `dual` dispatch and `in` lookup cost
// about 25 ns a call, a tenth of a task that returns at once. These give the same
// answers for less.

/** The prototypes of Effect's own Exits (`Exit.succeed`, and every failure). */
const successPrototype: unknown = Object.getPrototypeOf(Exit.void)
const failurePrototype: unknown = Object.getPrototypeOf(Exit.fail(undefined))

/** `Effect.isEffect`, for a value checked once per task. */
export const isEffect = (u: unknown): u is Effect.Effect<unknown, unknown, unknown> =>
  ((typeof u === "object" && u !== null) || typeof u === "function") && Effect.TypeId in u

/**
 * `Exit.isExit` for an effect: its prototype is one of Effect's Exits, or (an Exit of
 * another copy of Effect) it is tagged as one and `Exit.isExit` agrees; other effects
 * carry no `_tag`, so they cost one property read.
 */
export const isExit = <A, E>(effect: Effect.Effect<A, E, any>): effect is Exit.Exit<A, E> => {
  const prototype: unknown = Object.getPrototypeOf(effect)
  if (prototype === successPrototype || prototype === failurePrototype) return true
  const tag: unknown = (effect as { readonly _tag?: unknown })._tag
  return (tag === "Success" || tag === "Failure") && Exit.isExit(effect)
}
