import * as Effect from "effect/Effect"
import type { SoonValue } from "../SoonValue.ts"
import type { SoonifyOptions, SpawnOptions } from "../TaskGroup.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { type Key, keyForCall, keyProblem, spawnKeyed, spawnKeyedUnsafe } from "./keys.ts"
import { callTask, illegalArgument } from "./validation.ts"

// `spawn` and `soonify` with the options of DESIGN §6 (`key`, `retry`). spawn.ts sends a
// call here only when one of them is given, so that a plain spawn takes the path it
// always took.

/** Whether task options ask for a capability handled here. */
export const hasCapabilities = (options: SpawnOptions | SoonifyOptions<any>): boolean => options.key !== undefined

/** `group.spawn(effect, options)` with `key`: checked already for the rest. */
export const spawn = <A, E, R>(
  group: GroupImpl,
  effect: Effect.Effect<A, E, R>,
  options: SpawnOptions
): Effect.Effect<SoonValue<A, E>, E, R> => {
  const key = options.key
  const problem = key === undefined ? undefined : keyProblem("TaskGroup.spawn", key)
  if (problem !== undefined) return Effect.die(illegalArgument(problem))
  const spawnSoon = () => Effect.withFiber((parent) => group.spawnSoon<A, E>(parent, effect, options.name))
  return key === undefined ? spawnSoon() : spawnKeyed(group, key as Key, spawnSoon)
}

/** `group.soonify(f, options)` with `key`; throws at once for a bad option, as it returns no Effect. */
export const soonify = <Args extends ReadonlyArray<unknown>, A, E, R>(
  group: GroupImpl,
  f: (...args: Args) => Effect.Effect<A, E, R>,
  options: SoonifyOptions<Args>,
  name: string | undefined
): ((...args: Args) => Effect.Effect<SoonValue<A, E>, E, R>) => {
  const key = options.key
  if (key !== undefined && typeof key !== "function") {
    const problem = keyProblem(
      "TaskGroup.soonify",
      key,
      'option "key" (a key, or a function of the arguments that gives one)'
    )
    if (problem !== undefined) throw illegalArgument(problem)
  }
  return (...args) => {
    const spawnSoon = () =>
      Effect.withFiber((parent) =>
        group.isClosed ? Effect.die(group.closedError(name)) : group.spawnSoon<A, E>(parent, callTask(f, args), name)
      )
    if (key === undefined) return spawnSoon()
    return Effect.flatMap(keyForCall("TaskGroup.soonify", key, args), (k) => spawnKeyed(group, k, spawnSoon))
  }
}

/** `TaskGroup.spawnUnsafe` / `spawnExternalUnsafe` with `key`; throws for a bad option. */
export const spawnUnsafe = <A, E>(
  where: string,
  group: GroupImpl,
  options: SpawnOptions,
  spawnNow: () => TaskHandle<A, E>
): TaskHandle<A, E> => {
  const key = options.key
  const problem = key === undefined ? undefined : keyProblem(where, key)
  if (problem !== undefined) throw illegalArgument(problem)
  return key === undefined ? spawnNow() : spawnKeyedUnsafe(group, key as Key, spawnNow)
}
