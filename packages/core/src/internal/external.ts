import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { taskOf } from "./tracking.ts"
import type { TaskHandle } from "./handle.ts"
import type { Launch, Runner } from "./runner.ts"
import { describe, illegalArgument } from "./validation.ts"

/** A task that has ended already, with `exit`: what a `start` that throws gives. */
const endedTask = <A, E>(exit: Exit.Exit<A, E>): Runner<A, E> => ({
  addObserver: (observer) => observer(exit),
  interruptUnsafe: () => undefined
})

/**
 * Starts an external task, turning a throw of `start` into a defect, and so a value that
 * is not an `ExternalTask` (an `IllegalArgumentError` naming `start`): either way the
 * task ends at once, failed, rather than standing "running" for ever.
 */
export const launch = <A, E>(start: Launch<A, E>, task: TaskHandle<any, any> | undefined): Runner<A, E> => {
  let runner: Runner<A, E>
  try {
    runner = start(task)
  } catch (defect) {
    return endedTask(Exit.die(defect))
  }
  return isRunner(runner) ? runner : endedTask(Exit.die(notATask(runner)))
}

const isRunner = (u: unknown): u is Runner<unknown, unknown> =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as Runner<unknown, unknown>).addObserver === "function" &&
  typeof (u as Runner<unknown, unknown>).interruptUnsafe === "function"

const notATask = (received: unknown): Cause.IllegalArgumentError =>
  illegalArgument(
    "TaskGroup: the start function (`start`) of a task run outside Effect (spawnExternalUnsafe, " +
      "startExternalUnsafe, external) must return an ExternalTask, an object with `addObserver` and " +
      `\`interruptUnsafe\` functions; received ${describe(received)}`
  )

/**
 * Asks an external task to stop. A stop function that throws does not stop whoever asks
 * (a group's shutdown goes on to its other tasks): the throw is given back, for the
 * caller to add to the failures; `undefined` when it did not throw.
 */
export const interruptExternal = (task: Runner<unknown, unknown>, fiberId?: number): { error: unknown } | undefined => {
  try {
    task.interruptUnsafe(fiberId)
    return undefined
  } catch (error) {
    return { error }
  }
}

/** The failures in an interrupted task's cause (its own interruption left out), as an Exit. */
const failuresOf = <E>(exit: Exit.Exit<unknown, E>): Exit.Exit<void, E> => {
  if (exit._tag === "Success") return Exit.void
  const reasons = exit.cause.reasons.filter((reason) => reason._tag !== "Interrupt")
  return reasons.length === 0 ? Exit.void : Exit.failCause(Cause.fromReasons(reasons))
}

/** `exit`, with the throw of a stop function (if any) added to it as a defect. */
const withThrow = <E>(exit: Exit.Exit<void, E>, thrown: { error: unknown } | undefined): Exit.Exit<void, E> => {
  if (thrown === undefined) return exit
  const died = Cause.die(thrown.error)
  return Exit.failCause(exit._tag === "Success" ? died : Cause.combine(exit.cause, died))
}

/**
 * An external task as an Effect: starts it, waits for its Exit; when interrupted,
 * interrupts the task and waits until it has ended, adding the failures it met while
 * stopping to the interruption (they are failures of their own, never lost).
 *
 * @internal
 */
export const external = <A, E>(start: Launch<A, E>): Effect.Effect<A, E> =>
  Effect.withFiber((fiber) => launched(start, taskOf(fiber)))

const launched = <A, E>(start: Launch<A, E>, current: TaskHandle<any, any> | undefined): Effect.Effect<A, E> =>
  Effect.callback<A, E>((resume) => {
    const task = launch(start, current)
    let ended: (exit: Exit.Exit<A, E>) => void = resume
    task.addObserver((exit) => ended(exit))
    // Effect types the interruption handler as infallible, yet runs it as a finalizer
    // whose failure is added to the interruption's cause: how the failures the task met
    // while stopping get reported. TaskGroup.external.test.ts pins this behaviour down.
    // A stop function that throws: its throw is added to what the task met while stopping,
    // and the task is still waited for (it may yet end; until then the group waits).
    return Effect.callback<void, E>((done) => {
      let thrown: { error: unknown } | undefined
      // An end reported while the stop function runs is held until we know whether it threw.
      let stopping = true
      let endedWhileStopping: Exit.Exit<A, E> | undefined
      ended = (exit) => {
        if (stopping) endedWhileStopping = exit
        else done(withThrow(failuresOf(exit), thrown))
      }
      thrown = interruptExternal(task)
      stopping = false
      if (endedWhileStopping !== undefined) done(withThrow(failuresOf(endedWhileStopping), thrown))
    }) as Effect.Effect<void>
  })
