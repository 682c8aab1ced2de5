import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { GroupImpl } from "./group.ts"
import { isHandle, type TaskHandle } from "./handle.ts"
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
    effects = Array.isArray(input) ? input.slice() : Array.from(input)
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

/**
 * A slot of gather's result while the group runs: the handle of an effect's task, or the
 * Exit of a task that ended as it was spawned, or, for an effect that is a successful
 * Exit already, that Exit (no task needed: it can neither fail nor be cancelled, and
 * nothing can see its handle).
 */
type Slot = TaskHandle<unknown, unknown> | Exit.Exit<unknown, unknown>

/** Spawns every effect at once, in input order, into `group`. */
const spawnAll = (
  group: GroupImpl,
  effects: Array<Effect.Effect<unknown, unknown, unknown>>
): Effect.Effect<Array<Slot>, never, unknown> =>
  Effect.withFiber((parent) => {
    // The body is running, so the group has not ended: spawn them all in one step.
    // Preallocated, as `Effect.forEach` does: pushing a million grows the array twenty times.
    // Stryker disable ArrayDeclaration: preallocation only; every slot is assigned below
    // oxlint-disable-next-line unicorn/no-new-array
    const slots: Array<Slot> = new Array(effects.length)
    // Stryker restore ArrayDeclaration
    for (let i = 0; i < effects.length; i++) {
      const effect = effects[i]
      if (Exit.isExit(effect) && effect._tag === "Success") slots[i] = effect
      else {
        // A task that ended in its first steps leaves its Exit, not its handle: a
        // million of them then keep a million small Exits alive, not handles too.
        const handle = group.launcher.spawnNow(parent, effect, undefined)
        slots[i] = handle.exit ?? handle
      }
    }
    return Effect.succeed(slots)
  })

/** The outcome in a slot of a group that has ended. */
const exitOf = (slot: Slot): Exit.Exit<unknown, unknown> => (isHandle(slot) ? slot.exit! : slot)

/** Shapes the slots' outcomes like the input: a tuple/array or a record. */
const shape = (
  keys: Array<string> | undefined,
  slots: ReadonlyArray<Slot>,
  read: (exit: Exit.Exit<unknown, unknown>) => unknown
): unknown => {
  if (keys === undefined) {
    // Stryker disable ArrayDeclaration: preallocation only; every element is assigned below
    // oxlint-disable-next-line unicorn/no-new-array
    const out: Array<unknown> = new Array(slots.length)
    // Stryker restore ArrayDeclaration
    for (let i = 0; i < slots.length; i++) out[i] = read(exitOf(slots[i]))
    return out
  }
  const out: Record<string, unknown> = {}
  for (let i = 0; i < keys.length; i++) out[keys[i]] = read(exitOf(slots[i]))
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
  // Stryker disable next-line ConditionalExpression: a shortcut: gathering nothing through a group gives `[]` / `{}` as well
  if (effects.length === 0) return Effect.succeed(keys === undefined ? [] : {})
  // Stryker disable next-line OptionalChaining: a timeout comes from `options`, so `options` is there
  if (timeout !== undefined && returnExceptions) return gatherWithin(effects, keys, options?.concurrency, timeout)
  return Effect.flatMap(
    run((group) => spawnAll(group, effects), {
      mode: returnExceptions ? "settle" : "failFast",
      concurrency: options?.concurrency,
      timeout
    }),
    (slots) => {
      if (!returnExceptions) {
        // Fail fast leaves only interruptions in the handles of a group that succeeded:
        // an effect that interrupted itself has no value to give, so neither has gather.
        for (let i = 0; i < slots.length; i++) {
          const exit = exitOf(slots[i])
          if (exit._tag === "Failure") return exit
        }
      }
      return Effect.succeed(shape(keys, slots, returnExceptions ? identity : successValue))
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
        Effect.flatMap(spawnAll(group, effects), (slots) =>
          Effect.map(cancelLate(slots, timeout), (late) => ({
            slots,
            late,
            error: new TaskGroupTimeout({ group: group.name, timeout })
          }))
        ),
      { mode: "settle", concurrency }
    ),
    ({ error, late, slots }) =>
      shape(
        keys,
        slots.map((slot) => (isHandle(slot) && late.has(slot) ? lateExit(slot.exit!, error) : slot)),
        identity
      )
  )
}
