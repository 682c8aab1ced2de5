// What `gather` and `asCompleted` accept as tasks, turned into core task effects:
// a function is started and owned (cancelled and waited for), a promise or a handle is
// only watched (it belongs to whoever started it).
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import { SoonValue } from "../SoonValue.ts"
import { coreOf } from "./handle.ts"
import { type Owner, promiseTask } from "./promiseTask.ts"
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
 * A watched promise, handled at once (so that its rejection is never unhandled, even
 * when its task waits for a `concurrency` slot or was cancelled), settling a task later.
 */
const watchPromise = (promise: PromiseLike<unknown>): Effect.Effect<unknown, unknown> => {
  let settled: Effect.Effect<unknown, unknown> | undefined
  let waiting: ((effect: Effect.Effect<unknown, unknown>) => void) | undefined
  const settle = (effect: Effect.Effect<unknown, unknown>) => {
    settled = effect
    waiting?.(effect)
  }
  try {
    promise.then(
      (value) => settle(Effect.succeed(value)),
      (error) => settle(Effect.fail(error))
    )
  } catch (error) {
    settled = Effect.fail(error)
  }
  return Effect.callback((resume) => {
    if (settled !== undefined) return resume(settled)
    waiting = resume
  })
}

/** A watched handle: its value, its error, or, if it was cancelled, its CancelledError. */
const watchHandle = (soon: SoonValue<unknown>): Effect.Effect<unknown, unknown> =>
  Effect.catchCause(coreOf(soon).await, (cause) =>
    Cause.hasInterruptsOnly(cause) ? Effect.fail(soon.exception) : Effect.failCause(cause)
  )

/** The core task effect for one input. */
export const taskEffect = (input: Input, owner: Owner): Effect.Effect<unknown, unknown> =>
  typeof input === "function"
    ? promiseTask(input, owner, input.length !== 0)
    : input instanceof SoonValue
      ? watchHandle(input)
      : watchPromise(input)
