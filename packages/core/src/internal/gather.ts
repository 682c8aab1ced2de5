import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { run } from "./owners.ts"
import { cancelLate, lateExit, timeoutFrom } from "./timeout.ts"
import { TaskGroupTimeout } from "../TaskGroupTimeout.ts"
import { concurrencyProblem, describe, illegalArgument, isIterable, optionsProblem } from "./validation.ts"

interface GatherSettings {
  readonly keys: Array<string> | undefined
  readonly effects: Array<Effect.Effect<unknown, unknown, unknown>>
}

/** Reads gather's input: an iterable of effects or a record of them. */
const gatherInput = (input: unknown, options: unknown): GatherSettings | string => {
  const where = "TaskGroup.gather"
  const returnExceptions = (options as { returnExceptions?: unknown } | undefined)?.returnExceptions
  const problem =
    optionsProblem(where, options) ??
    concurrencyProblem(where, (options as { concurrency?: unknown })?.concurrency) ??
    (returnExceptions === undefined || typeof returnExceptions === "boolean"
      ? undefined
      : `${where}: option "returnExceptions" must be a boolean, received ${describe(returnExceptions)}`)
  if (problem !== undefined) return problem
  let keys: Array<string> | undefined
  let effects: Array<unknown>
  if (isIterable(input) && typeof input !== "string") {
    effects = Array.from(input)
  } else if (typeof input === "object" && input !== null) {
    keys = Object.keys(input)
    effects = keys.map((key) => (input as Record<string, unknown>)[key])
  } else {
    return `${where}: expected an iterable or a record of Effects, received ${describe(input)}`
  }
  for (let i = 0; i < effects.length; i++) {
    if (!Effect.isEffect(effects[i])) {
      const at = keys === undefined ? `element ${i}` : `key "${keys[i]}"`
      return `${where}: ${at} is not an Effect, received ${describe(effects[i])}`
    }
  }
  return { keys, effects: effects as Array<Effect.Effect<unknown, unknown, unknown>> }
}

/** Spawns every effect at once, in input order, into `group`. */
const spawnAll = (
  group: GroupImpl,
  effects: Array<Effect.Effect<unknown, unknown, unknown>>
): Effect.Effect<Array<TaskHandle<unknown, unknown>>, never, unknown> =>
  Effect.withFiber((parent) => {
    // The body is running, so the group has not ended: spawn them all in one step.
    const handles: Array<TaskHandle<unknown, unknown>> = []
    for (const effect of effects) handles.push(group.spawnNow(parent, effect, undefined))
    return Effect.succeed(handles)
  })

/** Shapes the handles' outcomes like the input: a tuple/array or a record. */
const shape = (
  keys: Array<string> | undefined,
  handles: ReadonlyArray<{ readonly exit: Exit.Exit<unknown, unknown> | undefined }>,
  read: (exit: Exit.Exit<unknown, unknown>) => unknown
): unknown => {
  if (keys === undefined) {
    const out: Array<unknown> = []
    for (let i = 0; i < handles.length; i++) out.push(read(handles[i].exit!))
    return out
  }
  const out: Record<string, unknown> = {}
  for (let i = 0; i < keys.length; i++) out[keys[i]] = read(handles[i].exit!)
  return out
}

const identity = <A>(a: A): A => a
const successValue = (exit: Exit.Exit<unknown, unknown>): unknown => (exit as Exit.Success<unknown, unknown>).value

/** `TaskGroup.gather`: every effect a task of one group, the outcomes shaped like the input. */
export const gather = (
  input: unknown,
  options?: { readonly returnExceptions?: unknown; readonly concurrency?: unknown; readonly timeout?: unknown }
): Effect.Effect<unknown, unknown, unknown> => {
  const settings = gatherInput(input, options)
  if (typeof settings === "string") return Effect.die(illegalArgument(settings))
  const timeout = timeoutFrom("TaskGroup.gather", options)
  if (typeof timeout === "string") return Effect.die(illegalArgument(timeout))
  const { effects, keys } = settings
  const returnExceptions = options?.returnExceptions === true
  if (effects.length === 0) return Effect.succeed(keys === undefined ? [] : {})
  if (timeout !== undefined && returnExceptions) return gatherWithin(effects, keys, options?.concurrency, timeout)
  return Effect.flatMap(
    run((group) => spawnAll(group, effects), {
      mode: returnExceptions ? "settle" : "failFast",
      concurrency: options?.concurrency,
      timeout
    }),
    (handles) => {
      if (!returnExceptions) {
        // Fail fast leaves only interruptions in the handles of a group that succeeded:
        // an effect that interrupted itself has no value to give, so neither has gather.
        for (const handle of handles) if (handle.exit!._tag === "Failure") return handle.exit!
      }
      return Effect.succeed(shape(keys, handles, returnExceptions ? identity : successValue))
    }
  )
}

/**
 * `gather(…, { timeout, returnExceptions: true })`: asyncio's `wait(timeout)` with the
 * shape of `gather`. What ended in time keeps its Exit; what still ran at the deadline is
 * cancelled, and its slot fails with a `TaskGroupTimeout`.
 */
const gatherWithin = (
  effects: Array<Effect.Effect<unknown, unknown, unknown>>,
  keys: Array<string> | undefined,
  concurrency: unknown,
  timeout: Duration.Duration
): Effect.Effect<unknown, never, unknown> => {
  return Effect.map(
    run(
      (group) =>
        Effect.flatMap(spawnAll(group, effects), (handles) =>
          Effect.map(cancelLate(handles, timeout), (late) => ({
            handles,
            late,
            error: new TaskGroupTimeout({ group: group.name, timeout })
          }))
        ),
      { mode: "settle", concurrency }
    ),
    ({ error, handles, late }) =>
      shape(
        keys,
        handles.map((handle) => (late.has(handle) ? { exit: lateExit(handle.exit!, error) } : handle)),
        identity
      )
  )
}
