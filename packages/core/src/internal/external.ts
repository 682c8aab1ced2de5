import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { taskOf } from "./tracking.ts"
import type { TaskHandle } from "./handle.ts"
import type { Launch, Runner } from "./runner.ts"

/** A task that has ended already, with `exit`: what a `start` that throws gives. */
const endedTask = <A, E>(exit: Exit.Exit<A, E>): Runner<A, E> => ({
  addObserver: (observer) => observer(exit),
  interruptUnsafe: () => undefined
})

/** Starts an external task, turning a throw of `start` into a defect. */
export const launch = <A, E>(start: Launch<A, E>, task: TaskHandle<any, any> | undefined): Runner<A, E> => {
  try {
    return start(task)
  } catch (defect) {
    return endedTask(Exit.die(defect))
  }
}

/** The failures in an interrupted task's cause (its own interruption left out), as an Exit. */
const failuresOf = <E>(exit: Exit.Exit<unknown, E>): Exit.Exit<void, E> => {
  if (exit._tag === "Success") return Exit.void
  // Stryker disable next-line MethodExpression,ConditionalExpression,StringLiteral: the finalizer then also carries the interruptions, and the fiber still ends interrupted with the same failures
  const reasons = exit.cause.reasons.filter((reason) => reason._tag !== "Interrupt")
  // Stryker disable next-line ConditionalExpression: failing with an empty cause ends the fiber interrupted only, as `Exit.void` does
  return reasons.length === 0 ? Exit.void : Exit.failCause(Cause.fromReasons(reasons))
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
    return Effect.callback<void, E>((done) => {
      ended = (exit) => done(failuresOf(exit))
      task.interruptUnsafe()
    }) as Effect.Effect<void>
  })
