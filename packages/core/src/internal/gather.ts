import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type { GroupImpl } from "./group.ts"
import { isHandle, type TaskHandle } from "./handle.ts"
import { run } from "./owners.ts"
import { cancelLate, lateExit, timeoutFrom } from "./timeout.ts"
import { TaskGroupTimeout } from "../TaskGroupTimeout.ts"
import { raisedAt } from "./timeoutMessage.ts"
import { Collected } from "./collected.ts"
import { isExit } from "./effectKind.ts"
import { concurrencyProblem, describe, illegalArgument, isIterable, optionsProblem } from "./validation.ts"

interface GatherSettings {
  readonly keys: Array<string> | undefined
  /**
   * The input's effects, copied at the call (so that a later change to the input does
   * not change what runs): the slots that `spawnAll` then fills in place.
   */
  readonly slots: Array<Slot>
}

/**
 * A slot of gather's result: an input effect before its spawn; then the handle of its
 * task, or the Exit of a task that ended as it was spawned, or, for an effect that is a
 * successful Exit already, that Exit (no task needed: it can neither fail nor be
 * cancelled, and nothing can see its handle).
 */
type Slot = Spawned | Effect.Effect<unknown, unknown, unknown>

/** A slot once its effect was spawned. */
type Spawned = TaskHandle<unknown, unknown> | Exit.Exit<unknown, unknown>

/** Reads gather's input, an iterable of effects or a record of them, in one pass. */
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
  let slots: Array<unknown>
  if (isIterable(input) && typeof input !== "string") {
    slots = Array.isArray(input) ? input.slice() : Array.from(input)
  } else if (typeof input === "object" && input !== null) {
    keys = Object.keys(input)
    slots = keys.map((key) => (input as Record<string, unknown>)[key])
  } else {
    return `${where}: expected an iterable or a record of Effects, received ${describe(input)}`
  }
  // `findIndex` runs its loop in V8's own code: a loop of ours, run once per gather,
  // would run unoptimized for most of its elements.
  const i = slots.findIndex(isNoEffect)
  if (i !== -1) {
    const at = keys === undefined ? `element ${i}` : `key "${keys[i]}"`
    return `${where}: ${at} is not an Effect, received ${describe(slots[i])}`
  }
  return { keys, slots: slots as Array<Slot> }
}

/** Effect's type id, read once (not from the module's namespace at each check). */
const EffectTypeId = Effect.TypeId

/**
 * Whether `u` is no effect (`isEffect`'s answer, negated), with an `in` check of its own:
 * the effects of one input share their kind, so V8 answers it from the one layout cached
 * at this place, where `isEffect`'s shared check has met every kind of value core checks.
 */
const isNoEffect = (u: unknown): boolean =>
  !((typeof u === "object" && u !== null) || typeof u === "function") || !(EffectTypeId in u)

/** Spawns every effect at once, in input order, into `group`: each slot's effect gives way to its task. */
const spawnAll = (
  group: GroupImpl,
  slots: Array<Slot>,
  collected: Collected | undefined
): Effect.Effect<Array<Spawned>, never, unknown> =>
  Effect.withFiber((parent) => {
    // Every outcome lands in the result (a slot, or the failure): none goes unread.
    group.reportsUnread = false
    // The body is running, so the group has not ended: spawn them all in one step. The
    // loop runs once per gather, so V8 runs it unoptimized for most of its elements: its
    // body is a function of its own, called once per element, which V8 optimizes early.
    for (let i = 0; i < slots.length; i++) spawnSlot(group, parent, slots, i, collected)
    return Effect.succeed(slots as Array<Spawned>)
  })

/** Spawns the effect of slot `i` (a successful Exit needs no task), collecting what it can. */
const spawnSlot = (
  group: GroupImpl,
  parent: Fiber.Fiber<unknown, unknown>,
  slots: Array<Slot>,
  i: number,
  collected: Collected | undefined
): void => {
  const effect = slots[i] as Effect.Effect<unknown, unknown, unknown>
  // An Exit carries its `_tag`, other effects none: read here, where the effects of
  // one input share their kind, it costs less than `isExit`'s lookup for each.
  if ((effect as { readonly _tag?: unknown })._tag === "Success" && isExit(effect) && effect._tag === "Success") {
    if (collected !== undefined) collected.values[i] = effect.value
    return
  }
  // A task that ended in its first steps leaves its Exit, not its handle: a
  // million of them then keep a million small Exits alive, not handles too.
  const handle = group.spawnNow(parent, effect, undefined)
  const exit = handle.exit
  slots[i] = exit ?? handle
  if (collected === undefined) return
  if (exit?._tag === "Success") collected.values[i] = exit.value
  else collected.later.push(i)
}

const exitOf = (slot: Spawned): Exit.Exit<unknown, unknown> => (isHandle(slot) ? slot.exit! : slot)

/** Shapes the slots' outcomes like the input: a tuple/array or a record. */
const shape = (
  keys: Array<string> | undefined,
  slots: ReadonlyArray<Spawned>,
  read: (exit: Exit.Exit<unknown, unknown>) => unknown
): unknown => {
  if (keys === undefined) {
    // oxlint-disable-next-line unicorn/no-new-array
    const out: Array<unknown> = new Array(slots.length)
    for (let i = 0; i < slots.length; i++) out[i] = read(exitOf(slots[i]))
    return out
  }
  const out: Record<string, unknown> = {}
  for (let i = 0; i < keys.length; i++) out[keys[i]] = read(exitOf(slots[i]))
  return out
}

/**
 * The values of a fail-fast gather whose group succeeded, shaped like the input, or the
 * first slot's failure: fail fast leaves only interruptions in the handles of a group that
 * succeeded, and an effect that interrupted itself has no value to give, so neither has gather.
 */
const valuesOf = (
  keys: Array<string> | undefined,
  slots: ReadonlyArray<Spawned>,
  { later, values }: Collected
): Effect.Effect<unknown> => {
  // Only the slots not read while spawning: the others are successes.
  for (let at = 0; at < later.length; at++) {
    const i = later[at]
    const exit = exitOf(slots[i])
    if (exit._tag === "Failure") return exit as Exit.Exit<never, never>
    values[i] = exit.value
  }
  if (keys === undefined) return Effect.succeed(values)
  const out: Record<string, unknown> = {}
  for (let i = 0; i < keys.length; i++) out[keys[i]] = values[i]
  return Effect.succeed(out)
}

const identity = <A>(a: A): A => a

/** `TaskGroup.gather`: every effect a task of one group, the outcomes shaped like the input. */
export const gather = (
  input: unknown,
  options?: { readonly returnExceptions?: unknown; readonly concurrency?: unknown; readonly timeout?: unknown }
): Effect.Effect<unknown, unknown, unknown> => {
  const settings = gatherInput(input, options)
  if (typeof settings === "string") return Effect.die(illegalArgument(settings))
  const timeout = timeoutFrom("TaskGroup.gather", options)
  if (typeof timeout === "string") return Effect.die(illegalArgument(timeout))
  const { slots, keys } = settings
  const returnExceptions = options?.returnExceptions === true
  if (slots.length === 0) return Effect.succeed(keys === undefined ? [] : {})
  if (timeout !== undefined && returnExceptions) return gatherWithin(slots, keys, options?.concurrency, timeout)
  // oxlint-disable-next-line unicorn/no-new-array
  const collected = returnExceptions ? undefined : new Collected(slots.length)
  return Effect.flatMap(
    run(
      (group) => spawnAll(group, slots, collected),
      { mode: returnExceptions ? "settle" : "failFast", concurrency: options?.concurrency, timeout },
      "TaskGroup.gather"
    ),
    (slots) =>
      collected === undefined ? Effect.succeed(shape(keys, slots, identity)) : valuesOf(keys, slots, collected)
  )
}

/**
 * `gather(…, { timeout, returnExceptions: true })`: asyncio's `wait(timeout)` with the
 * shape of `gather`. What ended in time keeps its Exit; what still ran at the deadline is
 * cancelled, and its slot fails with a `TaskGroupTimeout`.
 */
const gatherWithin = (
  slots: Array<Slot>,
  keys: Array<string> | undefined,
  concurrency: unknown,
  timeout: Duration.Duration
): Effect.Effect<unknown, never, unknown> => {
  return Effect.map(
    run(
      (group) =>
        Effect.flatMap(spawnAll(group, slots, undefined), (slots) =>
          Effect.map(cancelLate(slots, timeout), (late) => ({
            slots,
            late,
            error: raisedAt(new TaskGroupTimeout({ group: group.name, timeout }), {
              where: "TaskGroup.gather",
              lateSlot: true
            })
          }))
        ),
      { mode: "settle", concurrency },
      "TaskGroup.gather"
    ),
    ({ error, late, slots }) =>
      shape(
        keys,
        slots.map((slot) => (isHandle(slot) && late.has(slot) ? lateExit(slot.exit!, error) : slot)),
        identity
      )
  )
}
