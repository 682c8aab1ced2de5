import * as Context from "effect/Context"
import type * as Fiber from "effect/Fiber"
import { CurrentTask, currentTaskOf, taskContext } from "./currentTask.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { openRoots, type Place } from "./registry.ts"

// Task tracking: which task a fiber runs on behalf of (for `reportProgress`, and to
// place a group opened inside a task under it). A task's fiber carries its handle in
// its context (`CurrentTask`), which costs a context entry per task: so it is switched
// on only by the first snapshot or progress report of the process, and a program that
// never takes one never pays for it.
//
// What started before the switch is found another way, once: when tracking switches
// on, the tasks running then are indexed by their runner (fiber), and each root group
// opened by one of them (or by the body of a group under one) is moved under it. A task
// whose fiber runs its first steps while tracking is off is `startingTask`.

let tracking = false

/** The task whose fiber runs its first, synchronous steps now, started while tracking was off. */
let startingTask: TaskHandle<any, any> | undefined = undefined

/** The tasks that were running when tracking switched on, by their runner. */
const startedBefore = new WeakMap<object, TaskHandle<any, any>>()

/** Whether tasks carry their handle in their fiber's context. */
export const isTracking = (): boolean => tracking

/** Marks `task` as running its first steps (while tracking is off); gives what to restore after. */
export const enterFirstSteps = (task: TaskHandle<any, any> | undefined): TaskHandle<any, any> | undefined => {
  const prior = startingTask
  if (!tracking) startingTask = task
  return prior
}

export const leaveFirstSteps = (prior: TaskHandle<any, any> | undefined): void => {
  startingTask = prior
}

/** Indexes a task whose first steps switched tracking on: its fiber carries no handle. */
export const trackedLate = (fiber: Fiber.Fiber<unknown, unknown>, task: TaskHandle<any, any>): void => {
  startedBefore.set(fiber, task)
}

/**
 * The context of the body of a group placed at `place`: the opener's, which carries the
 * task it runs in, unless that task was started before tracking (then it is added).
 */
export const bodyContext = (context: Context.Context<never>, place: Place): Context.Context<never> =>
  !tracking || place instanceof WeakRef || Context.get(context, CurrentTask) === place
    ? context
    : taskContext(context, place)

/** The task `fiber` runs on behalf of, if any. */
export const taskOf = (fiber: Fiber.Fiber<unknown, unknown>): TaskHandle<any, any> | undefined =>
  currentTaskOf(fiber) ?? startedBefore.get(fiber) ?? startingTask

/** Switches tracking on for the rest of the process (once), placing what opened before. */
export const startTracking = (): void => {
  if (tracking) return
  tracking = true
  const bodies = new Map<object, GroupImpl>()
  const roots = openRoots()
  // Every open group, however deep, without recursion (groups nest deeper than the stack).
  const toIndex = [...roots]
  for (let group = toIndex.pop(); group !== undefined; group = toIndex.pop()) {
    if (group.body !== undefined) bodies.set(group.body, group)
    for (const task of group.live.toArray()) {
      if (typeof task.runner === "object") startedBefore.set(task.runner, task)
      if (task.groups !== undefined) for (const inner of task.groups) toIndex.push(inner)
    }
  }
  // Oldest first: a group opened in the body of another is placed after that one was.
  for (const group of roots) {
    const opener = group.observed.opener
    if (opener === undefined) continue
    group.observed.opener = undefined
    const body = bodies.get(opener)
    const task =
      startedBefore.get(opener) ??
      (body !== undefined && !(body.observed.place instanceof WeakRef) ? body.observed.place : undefined)
    if (task !== undefined && !group.isClosed) group.observed.moveUnder(task)
  }
}
