// What `gather` and `asCompleted` accept as tasks, as kernel task records: a function
// is started and owned (cancelled and waited for), a promise or a handle is only
// watched (it belongs to whoever started it).
import { SoonValue } from "../SoonValue.ts"
import { CallTask, HandleWatch, type Job, type Owner, PromiseWatch } from "./tasks.ts"
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

/**
 * An input ready to spawn: a function as it is, a promise already watched (so that its
 * rejection is handled even if its task waits for a `concurrency` slot or never
 * starts), a handle to watch.
 */
export type Prepared = ((signal: AbortSignal) => unknown) | PromiseWatch | SoonValue<unknown>

/** Readies `input` to be spawned later (see {@link Prepared}). */
export const prepare = (input: Input): Prepared =>
  typeof input === "function" || input instanceof SoonValue ? input : new PromiseWatch(input)

/**
 * The task of one prepared input, for a group whose context is `owner`: a function runs
 * as code of its owner, with its owner's signal (it is never cancelled alone).
 */
export const taskOf = (input: Prepared, owner: Owner): Job =>
  typeof input === "function"
    ? new CallTask(input, undefined, owner, "owner's context", undefined, undefined)
    : input instanceof PromiseWatch
      ? input
      : new HandleWatch(input)
