import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type { SoonValue } from "../SoonValue.ts"
import type { SoonifyOptions, SpawnOptions } from "../TaskGroup.ts"
import type { GroupImpl, TaskOptions } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { type Key, keyForCall, keyProblem } from "./keys.ts"
import { type Policy, retryProblem, ScheduleRetry } from "./retry.ts"
import { callTask, illegalArgument } from "./validation.ts"
import { callName } from "./names.ts"
import { taskTimeoutFrom } from "./taskTimeout.ts"
import { partitionProblem, priorityProblem } from "./flow.ts"
import { describe } from "./validation.ts"

// `spawn` and `soonify` (and `spawnUnsafe`) with the options of DESIGN §6, `key` and
// `retry`, and a task's own `timeout` (DESIGN §3): checked here, and handed to the
// kernel with the task, which keeps the keys, the attempts and the timers. The spawning
// code sends a call here only when one of them is given.

/** Whether task options ask for a capability handled here. */
export const hasCapabilities = (options: SpawnOptions<any> | SoonifyOptions<any, any>): boolean =>
  options.key !== undefined ||
  options.retry !== undefined ||
  options.timeout !== undefined ||
  options.priority !== undefined ||
  options.partition !== undefined

/** The problem with `key` (when it must be a key), `retry` and `timeout`, or `undefined`. */
const problemOf = (where: string, options: SpawnOptions<any>): string | undefined =>
  (options.key === undefined ? undefined : keyProblem(where, options.key)) ??
  retryProblem(where, options.retry) ??
  timeoutProblem(where, options.timeout) ??
  priorityProblem(where, options.priority) ??
  partitionProblem(where, options.partition, false)

/** The problem with a task's `timeout`, or `undefined`. */
export const timeoutProblem = (where: string, timeout: unknown): string | undefined => {
  const checked = taskTimeoutFrom(where, timeout)
  return typeof checked === "string" ? checked : undefined
}

/** The kernel options of a task with a (checked) `timeout`, `retry`, `priority` and `partition`, spawned in `context`. */
export const taskOptions = (
  timeout: unknown,
  retry: Policy<any> | undefined,
  context: Context.Context<never>,
  priority?: number | undefined,
  partition?: string | undefined
): TaskOptions | undefined => {
  const duration = timeout === undefined ? undefined : (taskTimeoutFrom("", timeout) as Duration.Duration | undefined)
  if (duration === undefined && retry === undefined && priority === undefined && partition === undefined) {
    return undefined
  }
  return {
    timeout: duration === undefined ? undefined : Duration.toMillis(duration),
    duration,
    // Each task steps its own schedule.
    retry: retry === undefined ? undefined : new ScheduleRetry(retry, context),
    ...(priority === undefined ? {} : { priority }),
    ...(partition === undefined ? {} : { partition })
  }
}

/** The partition of one `soonify` call: the option, or what its function gives for `args` (a defect if no string). */
const partitionOfCall = <Args extends ReadonlyArray<unknown>>(
  partition: string | ((...args: Args) => string) | undefined,
  args: Args
): Effect.Effect<string | undefined> => {
  if (typeof partition !== "function") return Effect.succeed(partition)
  let given: unknown
  try {
    given = partition(...args)
  } catch (defect) {
    return Effect.die(defect)
  }
  return typeof given === "string"
    ? Effect.succeed(given)
    : Effect.die(
        illegalArgument(`TaskGroup.soonify: the "partition" function must return a string, returned ${describe(given)}`)
      )
}

/** `group.spawn(effect, options)` with `key`, `retry` or `timeout` (the rest checked already). */
export const spawn = <A, E, R>(
  group: GroupImpl,
  effect: Effect.Effect<A, E, R>,
  options: SpawnOptions<E>
): Effect.Effect<SoonValue<A, E>, never, R> => {
  const problem = problemOf("TaskGroup.spawn", options)
  if (problem !== undefined) return Effect.die(illegalArgument(problem))
  return Effect.withFiber((parent) =>
    group.spawnSoon<A, E>(
      parent,
      effect,
      options.name,
      taskOptions(
        options.timeout,
        options.retry,
        parent.context,
        options.priority,
        options.partition as string | undefined
      ),
      options.key as Key | undefined
    )
  )
}

/** `group.soonify(f, options)` with `key`, `retry` or `timeout`; throws at once for a bad option, as it returns no Effect. */
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
    timeoutProblem("TaskGroup.soonify", options.timeout) ??
    priorityProblem("TaskGroup.soonify", options.priority) ??
    partitionProblem("TaskGroup.soonify", options.partition, true)
  if (problem !== undefined) throw illegalArgument(problem)
  const partition = options.partition
  return (...args) => {
    // Called at once, by the caller, as without capabilities (spawn.ts).
    const called = callTask(f, args)
    const spawnNamed = (name: string | undefined, key: Key | undefined) =>
      Effect.flatMap(partitionOfCall(partition, args), (partition) =>
        Effect.withFiber((parent) =>
          group.spawnSoon<A, E>(
            parent,
            called,
            name,
            taskOptions(options.timeout, options.retry, parent.context, options.priority, partition),
            key
          )
        )
      )
    // A name made from the arguments is made when the spawn runs, as without capabilities.
    const spawnKeyed = (key: Key | undefined) =>
      typeof name === "function"
        ? Effect.flatMap(callName("TaskGroup.soonify", name, args), (named) => spawnNamed(named, key))
        : spawnNamed(name, key)
    if (key === undefined) return spawnKeyed(undefined)
    return Effect.flatMap(keyForCall("TaskGroup.soonify", key, args), spawnKeyed)
  }
}

/** `TaskGroup.spawnUnsafe` with `key`, `retry` or `timeout`; throws for a bad option. */
export const spawnUnsafe = <A, E>(
  where: string,
  group: GroupImpl,
  effect: Effect.Effect<A, E>,
  options: SpawnOptions<E>
): TaskHandle<A, E> => {
  const problem = problemOf(where, options)
  if (problem !== undefined) throw illegalArgument(problem)
  // Run with the group's context, as a plain `spawnUnsafe`.
  return group.spawnNow(
    undefined,
    effect,
    options.name,
    taskOptions(
      options.timeout,
      options.retry,
      group.context,
      options.priority,
      options.partition as string | undefined
    ),
    options.key as Key | undefined,
    Fiber.getCurrent()
  )
}
