import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type { SoonValue } from "../SoonValue.ts"
import type { SoonifyOptions, SpawnOptions } from "../TaskGroup.ts"
import type { GroupImpl } from "./group.ts"
import { callName, fixedName, soonifyOptionsProblem } from "./names.ts"
import * as capabilities from "./taskCapabilities.ts"
import { callTask, describe, effectProblem, illegalArgument, taskOptionsProblem } from "./validation.ts"

// `group.spawn` and `group.soonify`: their arguments checked, a soon spawn from the
// calling fiber. The spawn effects fail with nothing: a task's error type rides as the
// type-only requirement `TaskGroup.TaskErrors<E>` (TaskGroup.ts), which `TaskGroup.run`
// turns into its error type.

/** `group.spawn(effect, options)`. */
export const spawn = <A, E, R>(
  group: GroupImpl,
  effect: Effect.Effect<A, E, R>,
  options: SpawnOptions<E> | undefined
): Effect.Effect<SoonValue<A, E>, never, R> => {
  const problem = effectProblem("TaskGroup.spawn", "the task", effect) ?? taskOptionsProblem("TaskGroup.spawn", options)
  if (problem !== undefined) return Effect.die(illegalArgument(problem))
  if (options !== undefined && capabilities.hasCapabilities(options)) return capabilities.spawn(group, effect, options)
  return Effect.sync(() => group.spawnSoonHere(Fiber.getCurrent()!, effect, options?.name))
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
  // `f(...args)` is called at once, by the caller (DESIGN §2): an `Effect.fn` keeps its
  // call site and its span's parent; only the running of the effect it builds is soon.
  if (typeof nameOf === "function") {
    return (...args) => {
      const task = callTask(f, args)
      return Effect.flatMap(callName("TaskGroup.soonify", nameOf, args), (name) =>
        Effect.sync(() => group.spawnSoonHere(Fiber.getCurrent()!, task, name))
      )
    }
  }
  const name = fixedName(f, nameOf)
  return (...args) => {
    const task = callTask(f, args)
    return Effect.sync(() => group.spawnSoonHere(Fiber.getCurrent()!, task, name))
  }
}
