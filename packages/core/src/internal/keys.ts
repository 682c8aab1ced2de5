import * as Effect from "effect/Effect"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { keyAttribute } from "./spans.ts"
import { describe, illegalArgument } from "./validation.ts"

// Keyed tasks, single flight (DESIGN §6): while a task spawned with a key has not ended
// (queued behind `concurrency`, or running), spawning the same key into the same group
// gives that task's handle instead of a second task; once it has ended, the key is free.
// Each group has its own keys, made when it is first given one: a group that never
// sees a key pays nothing.

/** What a task may be keyed by. */
export type Key = string | number | symbol

/** The live keys of each group that has had one, in spawn order. */
const registries = new WeakMap<GroupImpl, Map<Key, TaskHandle<any, any>>>()

/** The problem with a `key`, or `undefined` when it is a string, a number or a symbol. */
export const keyProblem = (where: string, key: unknown, what = 'option "key"'): string | undefined =>
  typeof key === "string" || typeof key === "symbol" || (typeof key === "number" && !Number.isNaN(key))
    ? undefined
    : `${where}: ${what} must be a string, a number or a symbol, received ${describe(key)}`

/** The handle of the live task keyed `key` in `group`, if there is one. */
const liveTask = (group: GroupImpl, key: Key): TaskHandle<any, any> | undefined => {
  const handle = registries.get(group)?.get(key)
  return handle === undefined || handle.ready ? undefined : handle
}

/**
 * Spawns a task with `key` (`spawn` is the group's ordinary spawn: soon, or at once), or
 * gives the handle of the live task with that key. The key is freed the moment its task
 * ends, however it ends (a task cancelled while queued never runs, so its end is watched
 * on its handle, not inside it).
 */
export const spawnKeyed = <A, E>(
  group: GroupImpl,
  key: Key,
  spawn: () => Effect.Effect<TaskHandle<A, E>>
): Effect.Effect<TaskHandle<A, E>> => {
  const live = liveTask(group, key)
  if (live !== undefined) return Effect.succeed(live)
  return Effect.map(spawn(), (handle) => register(group, key, handle))
}

/** {@link spawnKeyed} for a spawn that happens at once (`spawnUnsafe`, `spawnExternalUnsafe`). */
export const spawnKeyedUnsafe = <A, E>(group: GroupImpl, key: Key, spawn: () => TaskHandle<A, E>): TaskHandle<A, E> =>
  liveTask(group, key) ?? register(group, key, spawn())

/** Holds `key` for `handle` until it ends. */
const register = <A, E>(group: GroupImpl, key: Key, handle: TaskHandle<A, E>): TaskHandle<A, E> => {
  if (handle.ready) return handle
  let registry = registries.get(group)
  if (registry === undefined) registries.set(group, (registry = new Map()))
  registry.set(key, handle)
  // The task's span shows its key, whether it opened already (a spawn at once) or opens later.
  handle.keyText = String(key)
  handle.span?.attribute(keyAttribute, handle.keyText)
  // Called synchronously when the handle completes, before anybody awaiting it resumes.
  handle.onEnd(() => {
    if (registry.get(key) === handle) registry.delete(key)
  })
  return handle
}

/** `group.keys`: the keys of the group's live keyed tasks, in spawn order. */
export const liveKeys = (group: GroupImpl): ReadonlyArray<Key> => {
  const registry = registries.get(group)
  if (registry === undefined) return []
  const keys: Array<Key> = []
  for (const [key, handle] of registry) if (!handle.ready) keys.push(key)
  return keys
}

/** The key of a live task, for snapshots; `undefined` for a task spawned without one. */
export const keyOf = (group: GroupImpl, handle: TaskHandle<any, any>): Key | undefined => {
  const registry = registries.get(group)
  if (registry === undefined) return undefined
  for (const [key, live] of registry) if (live === handle) return key
  return undefined
}

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
