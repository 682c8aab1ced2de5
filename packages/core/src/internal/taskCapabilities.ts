import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import { fromDriver } from "./currentTask.ts"
import type { SoonValue } from "../SoonValue.ts"
import type { SoonifyOptions, SpawnOptions } from "../TaskGroup.ts"
import { external } from "./external.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { type Key, keyForCall, keyProblem, spawnKeyed, spawnKeyedUnsafe } from "./keys.ts"
import { type Attempts, type Policy, retryProblem, track, withRetry } from "./retry.ts"
import type { Launch } from "./runner.ts"
import { callTask, illegalArgument } from "./validation.ts"
import { callName } from "./names.ts"
import { type TaskRef, taskTimeoutFrom, withTimeout } from "./taskTimeout.ts"
import type * as Duration from "effect/Duration"

// `spawn` and `soonify` (and their `…Unsafe` forms) with the options of DESIGN §6, `key`
// and `retry`, and a task's own `timeout` (DESIGN §3). The spawning code sends a call here only when one of them is given, so
// that a plain spawn takes the path it always took.

/** Whether task options ask for a capability handled here. */
export const hasCapabilities = (options: SpawnOptions<any> | SoonifyOptions<any, any>): boolean =>
  options.key !== undefined || options.retry !== undefined || options.timeout !== undefined

/** The problem with `key` (when it must be a key), `retry` and `timeout`, or `undefined`. */
const problemOf = (where: string, options: SpawnOptions<any>): string | undefined =>
  (options.key === undefined ? undefined : keyProblem(where, options.key)) ??
  retryProblem(where, options.retry) ??
  timeoutProblem(where, options.timeout)

/** The problem with a task's `timeout`, or `undefined`. */
export const timeoutProblem = (where: string, timeout: unknown): string | undefined => {
  const checked = taskTimeoutFrom(where, timeout)
  return typeof checked === "string" ? checked : undefined
}

/** A checked task `timeout` (see `timeoutProblem`): `undefined` for none. */
const timeoutOf = (timeout: unknown): Duration.Duration | undefined =>
  taskTimeoutFrom("", timeout) as Duration.Duration | undefined

/** `effect` with its `timeout` (each attempt's, under `retry`): `ref` then names its task. */
const timed = <A, E>(effect: Effect.Effect<A, E, any>, timeout: unknown, ref: TaskRef): Effect.Effect<A, E, any> => {
  const duration = timeoutOf(timeout)
  return duration === undefined ? effect : (withTimeout(effect, duration, ref) as Effect.Effect<A, E, any>)
}

/**
 * A task's effect with its retry policy, if any; `spawn` then spawns it, and its handle
 * is tied to its attempts.
 */
const retrying = <A, E>(
  effect: Effect.Effect<A, E, any>,
  policy: Policy<E> | undefined,
  timeout: unknown,
  spawn: (effect: Effect.Effect<A, E, any>) => TaskHandle<A, E>
): TaskHandle<A, E> => {
  const ref: TaskRef = { handle: undefined }
  const attempt = timed(effect, timeout, ref)
  if (policy === undefined) return (ref.handle = spawn(attempt))
  const attempts: Attempts = { attempt: 1 }
  const handle = spawn(withRetry(attempt, policy, attempts, () => ref.handle?.name ?? "?"))
  ref.handle = handle
  track(handle, attempts)
  return handle
}

/** The same, for a soon spawn (an Effect that gives the handle). */
const retryingSoon = <A, E>(
  effect: Effect.Effect<A, E, any>,
  policy: Policy<E> | undefined,
  timeout: unknown,
  spawn: (effect: Effect.Effect<A, E, any>) => Effect.Effect<TaskHandle<A, E>>
): Effect.Effect<TaskHandle<A, E>> => {
  const ref: TaskRef = { handle: undefined }
  const attempt = timed(effect, timeout, ref)
  if (policy === undefined) {
    return timeout === undefined ? spawn(effect) : Effect.map(spawn(attempt), (spawned) => (ref.handle = spawned))
  }
  const attempts: Attempts = { attempt: 1 }
  return Effect.map(spawn(withRetry(attempt, policy, attempts, () => ref.handle?.name ?? "?")), (spawned) => {
    ref.handle = spawned
    track(spawned, attempts)
    return spawned
  })
}

/** `group.spawn(effect, options)` with `key` or `retry` (the rest checked already). */
export const spawn = <A, E, R>(
  group: GroupImpl,
  effect: Effect.Effect<A, E, R>,
  options: SpawnOptions<E>
): Effect.Effect<SoonValue<A, E>, never, R> => {
  const problem = problemOf("TaskGroup.spawn", options)
  if (problem !== undefined) return Effect.die(illegalArgument(problem))
  const spawnSoon = () =>
    retryingSoon(effect, options.retry, options.timeout, (task) =>
      Effect.withFiber((parent) => group.launcher.spawnSoon<A, E>(parent, task, options.name))
    )
  return options.key === undefined ? spawnSoon() : spawnKeyed(group, options.key, spawnSoon)
}

/** `group.soonify(f, options)` with `key` or `retry`; throws at once for a bad option, as it returns no Effect. */
export const soonify = <Args extends ReadonlyArray<unknown>, A, E, R>(
  group: GroupImpl,
  f: (...args: Args) => Effect.Effect<A, E, R>,
  options: SoonifyOptions<Args, E>,
  name: string | ((...args: Args) => string) | undefined
): ((...args: Args) => Effect.Effect<SoonValue<A, E>, never, R>) => {
  const key = options.key
  const problem =
    (key === undefined || typeof key === "function"
      ? undefined
      : keyProblem("TaskGroup.soonify", key, 'option "key" (a key, or a function of the arguments that gives one)')) ??
    retryProblem("TaskGroup.soonify", options.retry) ??
    timeoutProblem("TaskGroup.soonify", options.timeout)
  if (problem !== undefined) throw illegalArgument(problem)
  return (...args) => {
    // Called at once, by the caller, as without capabilities (spawn.ts).
    const called = callTask(f, args)
    const spawnNamed = (name: string | undefined) =>
      Effect.withFiber((parent) =>
        group.refuses(parent)
          ? Effect.die(group.closedError(name))
          : retryingSoon(called, options.retry, options.timeout, (task) =>
              group.launcher.spawnSoon<A, E>(parent, task, name)
            )
      )
    // A name made from the arguments is made when the spawn runs, as without capabilities.
    const spawnSoon = () =>
      typeof name === "function"
        ? Effect.flatMap(callName("TaskGroup.soonify", name, args), spawnNamed)
        : spawnNamed(name)
    if (key === undefined) return spawnSoon()
    return Effect.flatMap(keyForCall("TaskGroup.soonify", key, args), (k) => spawnKeyed(group, k, spawnSoon))
  }
}

/** `TaskGroup.spawnUnsafe` with `key` or `retry`; throws for a bad option. */
export const spawnUnsafe = <A, E>(
  where: string,
  group: GroupImpl,
  effect: Effect.Effect<A, E>,
  options: SpawnOptions<E>
): TaskHandle<A, E> => {
  const problem = problemOf(where, options)
  if (problem !== undefined) throw illegalArgument(problem)
  const spawnNow = () =>
    retrying(effect, options.retry, options.timeout, (task) =>
      group.launcher.spawnNow(undefined, task, options.name, undefined, Fiber.getCurrent())
    )
  return options.key === undefined ? spawnNow() : spawnKeyedUnsafe(group, options.key as Key, spawnNow)
}

/**
 * `TaskGroup.spawnExternalUnsafe` with `key` or `retry`; throws for a bad option. With
 * `retry`, the task runs in a fiber that calls `start` again for each attempt.
 */
export const spawnExternalUnsafe = <A, E>(
  where: string,
  group: GroupImpl,
  start: Launch<A, E>,
  options: SpawnOptions<E>
): TaskHandle<A, E> => {
  const problem = problemOf(where, options)
  if (problem !== undefined) throw illegalArgument(problem)
  const spawnNow = () =>
    options.retry === undefined && options.timeout === undefined
      ? group.launcher.spawnExternal(start, options.name)
      : retrying(external(start), options.retry, options.timeout, (task) =>
          group.launcher.spawnNow(undefined, task, options.name, undefined, fromDriver)
        )
  return options.key === undefined ? spawnNow() : spawnKeyedUnsafe(group, options.key as Key, spawnNow)
}
