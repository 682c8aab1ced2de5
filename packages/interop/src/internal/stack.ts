// How deeply interop's synchronous group work is nested on the JavaScript call stack.
//
// A task starts inside the call that spawns it, a group's body inside the call that
// opens the group, and an aborted signal cancels the groups listening to it inside the
// call that aborts it. Ten thousand nested groups would therefore start (a task opening
// a group whose body spawns a task…) and shut down (a signal aborting a group whose
// tasks' signals abort groups…) in one call chain, and overflow the stack. Past
// `maxDepth` levels, the work goes on from a fresh stack (a microtask): one hop per
// `maxDepth` levels, and none for shallower groups. The JavaScript stack is the
// process's, and so is the count of how much of it group work holds: the kernel's
// registry keeps it (`stackDepth`), shared with core, whose fibers nest with these.
import { stackDepth } from "@soonify/kernel"

const stack = stackDepth()
const maxDepth = 40

/** Runs `f(x)` as one more level of group work, or, when the stack is already deep, from a fresh stack. */
export const onStack = <X>(f: (x: X) => void, x: X): void => {
  if (stack.depth >= maxDepth) return queueMicrotask(() => f(x))
  stack.depth++
  try {
    f(x)
  } finally {
    stack.depth--
  }
}

/**
 * `onStack` for the call made once per task, without its indirection: `true` when the
 * caller may go on now, between `enter()` and a `leave()` in a `finally`; `false` when
 * the stack is deep (the caller goes on from a fresh stack instead).
 */
export const enter = (): boolean => {
  if (stack.depth >= maxDepth) return false
  stack.depth++
  return true
}

/** Ends the level of group work that `enter` began. */
export const leave = (): void => {
  stack.depth--
}

/**
 * The time read once for every task started in one synchronous run (see `clock`): a cache
 * of one clock reading, forgotten at the next microtask, not state. A copy of its own per
 * copy of interop costs one more `Date.now()` per synchronous run, no more.
 */
let stamp: number | undefined

const forget = (): void => {
  stamp = undefined
}

/**
 * Schedules `forget` at the next microtask: a settled promise's `then` costs less than
 * Node's `queueMicrotask` (which wraps every callback for async_hooks), and a group whose
 * permits free up one at a time reads the clock once per task.
 */
const settled = Promise.resolve()

/**
 * The time now, in milliseconds since the epoch, read once per synchronous run: the
 * tasks a loop spawns start at the same moment (as they do), and 10,000 of them cost one
 * clock reading, not 10,000. The reading is forgotten at the next microtask.
 */
export const clock = (): number => {
  if (stamp === undefined) {
    stamp = Date.now()
    settled.then(forget)
  }
  return stamp
}
