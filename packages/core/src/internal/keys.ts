import * as Effect from "effect/Effect"
import { describe, illegalArgument } from "./validation.ts"

// Keyed tasks, single flight (DESIGN §6; the kernel keeps the keys): while a task spawned with a key has not ended
// (queued behind `concurrency`, or running), spawning the same key into the same group
// gives that task's handle instead of a second task; once it has ended, the key is free.
// Each group has its own keys, made when it is first given one: a group that never
// sees a key pays nothing.

/** What a task may be keyed by. */
export type Key = string | number | symbol

/** The problem with a `key`, or `undefined` when it is a string, a number or a symbol. */
export const keyProblem = (where: string, key: unknown, what = 'option "key"'): string | undefined =>
  typeof key === "string" || typeof key === "symbol" || (typeof key === "number" && !Number.isNaN(key))
    ? undefined
    : `${where}: ${what} must be a string, a number or a symbol, received ${describe(key)}`

/**
 * The key a keyed `soonify` call spawns with: the key itself, or what the key function
 * gives for the call's arguments (checked like a key). A key function that throws makes
 * the call die with what it threw.
 */
export const keyForCall = (
  where: string,
  key: Key | ((...args: ReadonlyArray<any>) => unknown),
  args: ReadonlyArray<unknown>
): Effect.Effect<Key> => {
  if (typeof key !== "function") return Effect.succeed(key)
  return Effect.suspend(() => {
    const computed = key(...args)
    const problem = keyProblem(where, computed, "the key function's result")
    return problem === undefined ? Effect.succeed(computed as Key) : Effect.die(illegalArgument(problem))
  })
}
