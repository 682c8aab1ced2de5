import { stackDepth } from "@soonify/kernel"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Fiber from "effect/Fiber"

// How deeply group work is nested on the current JavaScript call stack.
//
// Effect resumes a fiber that waits on a Deferred inside the call that completes it,
// runs an interrupted fiber inside the call that interrupts it, and runs a fiber started
// at once inside the call that starts it. Ten thousand nested groups would therefore
// start (a body starting a group whose body starts a group…), end (each group's end
// waking its parent's task, whose end wakes its parent…) and shut down (each group
// interrupting a task that is a group…) in one call chain, and overflow the stack. Past
// `maxDepth` levels, group work goes on from a fresh stack, after a yield to the
// scheduler: one scheduler hop per `maxDepth` levels, and none for shallower groups.
// The count is the process's, in the kernel's registry (`stackDepth`): the stack is too.

const stack = stackDepth()
const maxDepth = 40

/** Runs `f` as one more level of group work on the stack. */
export const nested = <A>(f: () => A): A => {
  stack.depth++
  try {
    return f()
  } finally {
    stack.depth--
  }
}

/**
 * `nested(() => f(a))` without a closure, for the calls made once per task: `enter()`,
 * then `leave()` in a `finally`.
 */
export const enter = (): void => {
  stack.depth++
}

/** Ends the level of group work that `enter` began. */
export const leave = (): void => {
  stack.depth--
}

/** Whether the stack is already deep in group work. */
export const isDeep = (): boolean => stack.depth > maxDepth

/** `effect`, preceded by a yield to the scheduler when the stack is already deep. */
export const freshStackIfDeep = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  stack.depth > maxDepth ? Effect.andThen(Effect.yieldNow, effect) : effect

/**
 * Starts a fiber with `context` at once, running until its first asynchronous step (or,
 * on a deep stack, until a first yield), as one more level of group work.
 */
export const startNow = <A, E>(
  context: Context.Context<never>,
  effect: Effect.Effect<A, E, any>
): Fiber.Fiber<A, E> => {
  stack.depth++
  try {
    return Effect.runForkWith(context)(
      stack.depth > maxDepth
        ? Effect.andThen(Effect.yieldNow, effect as Effect.Effect<A, E>)
        : (effect as Effect.Effect<A, E>)
    )
  } finally {
    stack.depth--
  }
}

/** Runs `f` soon, from a fresh stack (scheduled with `context`'s scheduler). */
export const onFreshStack = (context: Context.Context<never>, f: () => void): void => {
  Effect.runForkWith(context)(
    Effect.andThen(
      Effect.yieldNow,
      Effect.sync(() => nested(f))
    )
  )
}
