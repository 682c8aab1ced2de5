import * as Effect from "effect/Effect"
import type { SoonValue } from "../SoonValue.ts"
import type { SoonifyOptions, SpawnOptions } from "../TaskGroup.ts"
import type { GroupImpl } from "./group.ts"
import { callName, fixedName, soonifyOptionsProblem } from "./names.ts"
import * as capabilities from "./taskCapabilities.ts"
import { callTask, describe, effectProblem, illegalArgument, taskOptionsProblem } from "./validation.ts"

// `group.spawn` and `group.soonify`: their arguments checked, a soon spawn from the
// calling fiber. A task's error type rides in the error channel of the effect that
// spawned it, so that `TaskGroup.run` infers the union of every task's errors.

/** `group.spawn(effect, options)`. */
export const spawn = <A, E, R>(
  group: GroupImpl,
  effect: Effect.Effect<A, E, R>,
  options: SpawnOptions<E> | undefined
): Effect.Effect<SoonValue<A, E>, never, R> => {
  const problem = effectProblem("TaskGroup.spawn", "the task", effect) ?? taskOptionsProblem("TaskGroup.spawn", options)
  if (problem !== undefined) return Effect.die(illegalArgument(problem))
  if (options !== undefined && capabilities.hasCapabilities(options)) return capabilities.spawn(group, effect, options)
  return Effect.withFiber((parent) => group.launcher.spawnSoon(parent, effect, options?.name))
}

/** `group.soonify(f, options)`: throws at once for a bad argument, as it returns no Effect. */
export const soonify = <Args extends ReadonlyArray<unknown>, A, E, R>(
  group: GroupImpl,
  f: (...args: Args) => Effect.Effect<A, E, R>,
  options: SoonifyOptions<Args, E> | undefined
): ((...args: Args) => Effect.Effect<SoonValue<A, E>, never, R>) => {
  const problem =
    typeof f === "function"
      ? soonifyOptionsProblem("TaskGroup.soonify", options)
      : `TaskGroup.soonify: expected a function that returns an Effect, received ${describe(f)}`
  if (problem !== undefined) throw illegalArgument(problem)
  const nameOf = options?.name
  if (options !== undefined && capabilities.hasCapabilities(options)) {
    return capabilities.soonify(group, f, options, typeof nameOf === "function" ? nameOf : fixedName(f, nameOf))
  }
  if (typeof nameOf === "function") {
    return (...args) =>
      Effect.flatMap(callName("TaskGroup.soonify", nameOf, args), (name) =>
        Effect.withFiber((parent) =>
          group.refuses(parent)
            ? Effect.die(group.closedError(name))
            : group.launcher.spawnSoon(parent, callTask(f, args), name)
        )
      )
  }
  const name = fixedName(f, nameOf)
  // `f(...args)` only builds the task's effect: it is called when the spawn runs (an
  // effect already ended, such as `Effect.succeed(x)`, then needs no fiber at all), and
  // not at all into a closed group.
  return (...args) =>
    Effect.withFiber((parent) =>
      group.refuses(parent)
        ? Effect.die(group.closedError(name))
        : group.launcher.spawnSoon(parent, callTask(f, args), name)
    )
}
