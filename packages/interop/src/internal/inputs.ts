// What `gather` and `asCompleted` accept as tasks, spawned into a core group: a function
// is started and owned (cancelled and waited for), a promise or a handle is only
// watched (it belongs to whoever started it).
import { TaskGroup as CoreTaskGroup } from "@soonify/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { SoonValue } from "../SoonValue.ts"
import { type CoreHandle, coreOf } from "./handle.ts"
import { type Owner, PromiseTask, PromiseWatch } from "./promiseTask.ts"
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
  Effect.catchCause(coreOf(soon).await, (cause) => {
    // Read here: the gather or loop reports it (see internal/unread.ts).
    const error = soon.exception
    return Cause.hasInterruptsOnly(cause) ? Effect.fail(error) : Effect.failCause(cause)
  })

/**
 * An input ready to spawn: a function as it is, a promise already watched (so that its
 * rejection is handled even if its task waits for a `concurrency` slot or never
 * starts), a handle with the effect that watches it.
 */
export type Prepared = ((signal: AbortSignal) => unknown) | PromiseWatch<unknown> | HandleWatch

/** A SoonValue or Future given as a task, and the effect that watches it. */
class HandleWatch {
  readonly watch: Effect.Effect<unknown, unknown>
  constructor(soon: SoonValue<unknown>) {
    this.watch = watchHandle(soon)
  }
}

/** Readies `input` to be spawned later (see {@link Prepared}). */
export const prepare = (input: Input): Prepared =>
  typeof input === "function" ? input : input instanceof SoonValue ? new HandleWatch(input) : new PromiseWatch(input)

/**
 * Spawns one prepared input into a core group, a function owned by `owner` (it runs as
 * its owner's code, with its owner's signal); `onEnd` is called as soon as the task has
 * ended, in true completion order.
 */
export const spawnPrepared = (
  input: Prepared,
  group: CoreTaskGroup.TaskGroup,
  owner: Owner,
  onEnd?: () => void
): CoreHandle<unknown> => {
  if (typeof input === "function") {
    const task = new PromiseTask(input, undefined, false, owner, onEnd)
    return CoreTaskGroup.spawnExternalUnsafe(group, () => task.run())
  }
  if (input instanceof HandleWatch) {
    const handle = CoreTaskGroup.spawnUnsafe(group, input.watch)
    if (onEnd !== undefined) Effect.runFork(Effect.exit(handle.await)).addObserver(onEnd)
    return handle
  }
  if (onEnd !== undefined) input.onEnd(onEnd)
  return CoreTaskGroup.spawnExternalUnsafe(group, () => input)
}
