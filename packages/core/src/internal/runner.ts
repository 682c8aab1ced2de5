import type * as Exit from "effect/Exit"
import type { TaskHandle } from "./handle.ts"

/**
 * What a group can stop: whatever stands for a task in its handle until the task ends
 * (its runner, or a placeholder before the runner exists).
 *
 * @internal
 */
export interface Interruptible {
  interruptUnsafe(fiberId?: number | undefined): void
}

/**
 * What runs a task, as its group sees it: the task's `Fiber`, or a task that runs
 * outside Effect (the public `TaskGroup.ExternalTask` is this shape). The group only
 * watches its end and asks it to stop, which is why both can stand in the same place.
 *
 * @internal
 */
export interface Runner<A, E> extends Interruptible {
  /** Calls `observer` once with the task's Exit when it has ended, at once if it has. */
  addObserver(observer: (exit: Exit.Exit<A, E>) => void): void
}

/**
 * What starts a task that runs outside Effect: called with the handle of the task it
 * starts (so that the task can report its progress and place the groups it opens), or
 * `undefined` when it runs as an Effect outside any task (`TaskGroup.external`).
 *
 * @internal
 */
export type Launch<A, E> = (task: TaskHandle<any, any> | undefined) => Runner<A, E>
