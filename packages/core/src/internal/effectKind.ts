import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

// What kind of effect a task is, asked once per task (and per gather input): Effect's own
// guards go through `Predicate.hasProperty`, whose `dual` dispatch and `in` lookup cost
// about 25 ns a call, a tenth of a task that returns at once. These give the same
// answers for less, with no state: each is one `in` check or one property read, which
// V8 answers from the layouts it has met at that place, and a prototype read only for a
// value tagged as an Exit.

/** The prototypes of Effect's own Exits (`Exit.succeed`, and every failure). */
const successPrototype: unknown = Object.getPrototypeOf(Exit.void)
const failurePrototype: unknown = Object.getPrototypeOf(Exit.fail(undefined))

/** Effect's type id, read once (not from the module's namespace at each check). */
const TypeId = Effect.TypeId

/**
 * `Effect.isEffect`, for a value checked once per task: one `in` check, which V8 answers
 * from the layouts it has met there. (A memo of the last effect's prototype cost more:
 * V8 inlines `Object.getPrototypeOf` only where it knows the object's layouts, so the
 * read was a call into its runtime, about 90 instructions, for each value.)
 */
export const isEffect = (u: unknown): u is Effect.Effect<unknown, unknown, unknown> =>
  ((typeof u === "object" && u !== null) || typeof u === "function") && TypeId in u

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
