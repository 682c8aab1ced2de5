import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

// What kind of effect a task is, asked once per task (and per gather input): Effect's own
// guards go through `Predicate.hasProperty`, whose `dual` dispatch and `in` lookup cost
// about 25 ns a call, a tenth of a task that returns at once. These give the same
// answers for less.
//
// Both also remember the last prototype they answered for: the effects of one loop (a
// gather's inputs, a soonify'd function's calls) share theirs, so most checks are one
// prototype read and one comparison. A lookup that misses (`_tag` on an effect that is no
// Exit, `TypeId` in a value that is no effect) walks the whole prototype chain, each
// time, and costs more than the rest of the check.

/** The prototypes of Effect's own Exits (`Exit.succeed`, and every failure). */
const successPrototype: unknown = Object.getPrototypeOf(Exit.void)
const failurePrototype: unknown = Object.getPrototypeOf(Exit.fail(undefined))

/**
 * Effect's type id, read once: read from the module's namespace in the check, it is a
 * lookup V8 has no feedback for while the prototype memo answers, and a
 * deoptimization of every caller when the memo misses.
 */
const TypeId = Effect.TypeId

/** The prototype of the last value `isEffect` found to be an effect (it is on that prototype or below). */
let effectPrototype: unknown = undefined

/** `Effect.isEffect`, for a value checked once per task. */
export const isEffect = (u: unknown): u is Effect.Effect<unknown, unknown, unknown> => {
  if (!((typeof u === "object" && u !== null) || typeof u === "function")) return false
  const prototype: unknown = Object.getPrototypeOf(u)
  if (prototype === effectPrototype) return true
  if (!(TypeId in u)) return false
  // Only an effect whose type id is inherited: every value with its prototype is one.
  if (prototype !== null && TypeId in (prototype as object)) effectPrototype = prototype
  return true
}

/**
 * `Exit.isExit` for an effect: an Exit carries its `_tag` ("Success" or "Failure"), other
 * effects none, so most effects cost one property read; a tagged one is an Exit when its
 * prototype is one of Effect's Exits, or (an Exit of another copy of Effect) when
 * `Exit.isExit` says so. (Reading the prototype first cost more: V8 inlines
 * `Object.getPrototypeOf` only where it knows the object's layouts, and a task's effect
 * can be of any kind, so it was a call into the runtime, about 90 instructions, for each.)
 */
export const isExit = <A, E>(effect: Effect.Effect<A, E, any>): effect is Exit.Exit<A, E> => {
  const tag: unknown = (effect as { readonly _tag?: unknown })._tag
  if (tag !== "Success" && tag !== "Failure") return false
  const prototype: unknown = Object.getPrototypeOf(effect)
  return prototype === successPrototype || prototype === failurePrototype || Exit.isExit(effect)
}
