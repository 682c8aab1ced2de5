// What `gather` and `asCompleted` accept as tasks, spawned into a core group: a function
// is started and owned (cancelled and waited for), a promise or a handle is only
// watched (it belongs to whoever started it).
import { TaskGroup as CoreTaskGroup } from "@soonify/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { SoonValue } from "../SoonValue.ts"
import { type CoreHandle, coreOf } from "./handle.ts"
import { type Owner, promiseTask, PromiseWatch } from "./promiseTask.ts"
import { describe, isIterable, isThenable } from "./validation.ts"

/** A validated task input. */
export type Input = PromiseLike<unknown> | SoonValue<unknown> | ((signal: AbortSignal) => unknown)

/** Tells whether `u` is one task (as opposed to an iterable of them). */
export const isTask = (u: unknown): u is Input => typeof u === "function" || u instanceof SoonValue || isThenable(u)

/** Checks every element of `inputs`; throws a TypeError naming the first bad one. */
export const checkTasks = (where: string, inputs: ReadonlyArray<unknown>, what: string): Array<Input> => {
  for (let i = 0; i < inputs.length; i++) {
    if (!isTask(inputs[i])) {
      throw new TypeError(
        `${where}: ${what} ${i} must be a promise, a SoonValue or a function (signal) => promise, ` +
          `received ${describe(inputs[i])}`
      )
    }
  }
  return inputs as Array<Input>
}

/** Reads an iterable of tasks into an array, or throws a TypeError. */
export const tasksFrom = (where: string, tasks: unknown): Array<Input> => {
  if (!isIterable(tasks) || typeof tasks === "string") {
    throw new TypeError(
      `${where}: expected an iterable of tasks (promises, SoonValues or functions), received ${describe(tasks)}`
    )
  }
  return checkTasks(where, Array.from(tasks), "element")
}

/** A watched handle: its value, its error, or, if it was cancelled, its CancelledError. */
const watchHandle = (soon: SoonValue<unknown>): Effect.Effect<unknown, unknown> =>
  Effect.catchCause(coreOf(soon).await, (cause) =>
    Cause.hasInterruptsOnly(cause) ? Effect.fail(soon.exception) : Effect.failCause(cause)
  )

/**
 * Spawns one input into a core group, its functions owned by `owner`; `onEnd` is called
 * as soon as the task has ended, in true completion order.
 */
export type Spawner = (group: CoreTaskGroup.TaskGroup, owner: Owner, onEnd?: () => void) => CoreHandle<unknown>

/**
 * How to spawn `input` later. A promise is watched from now on, so that its rejection
 * is handled even if its task waits for a `concurrency` slot or never starts.
 */
export const spawnerOf = (input: Input): Spawner => {
  if (typeof input === "function") {
    return (group, owner, onEnd) =>
      CoreTaskGroup.spawnExternalUnsafe(group, promiseTask(input, undefined, false, owner, onEnd))
  }
  if (input instanceof SoonValue) {
    const watch = watchHandle(input)
    return (group, _owner, onEnd) => {
      const handle = CoreTaskGroup.spawnUnsafe(group, watch)
      if (onEnd !== undefined) Effect.runFork(Effect.exit(handle.await)).addObserver(onEnd)
      return handle
    }
  }
  const watch = new PromiseWatch(input)
  return (group, _owner, onEnd) => {
    if (onEnd !== undefined) watch.onEnd(onEnd)
    return CoreTaskGroup.spawnExternalUnsafe(group, () => watch)
  }
}
