/**
 * What an adapter implements so that the kernel can drive its tasks: start one, ask one
 * to stop, tell the time, set and clear timers, report a warning, and hear when a task
 * or a group has ended. The kernel decides every rule; the runtime decides nothing.
 *
 * @since 0.1.0
 */
import type { Group } from "./Group.ts"
import type { Task } from "./Task.ts"

/**
 * Where a task's outcome goes, as the kernel decided it, told to `Runtime.taskEnded`:
 *
 * - `none`: nowhere but the task's handle: a success, or a plain cancellation;
 * - `group`: it was added to the group's failures (fail fast, a failure while the group
 *   stopped the task, an orphan's failure);
 * - `handle`: a failure kept in the handle (settle mode): the adapter calls its
 *   `onTaskError`, or watches that somebody reads it (DESIGN §3, unread failures);
 * - `starter`: the task ended before calling `started`: its outcome (a success too) is
 *   what the caller of `start` gets, not the group's.
 *
 * @since 0.1.0
 * @category models
 */
export type Route = "none" | "group" | "handle" | "starter"

/**
 * A task asked to stop that has not ended `stuckAfter` later (DESIGN §4.7), reported once
 * through `Runtime.warn`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StuckTask {
  readonly task: string
  readonly group: string
  /** When it was asked to stop (ms since epoch, `Runtime.now`). */
  readonly cancelledAt: number
  /** For how long it has not ended since, in milliseconds. */
  readonly ignoredFor: number
}

/**
 * The runtime an adapter gives each of its groups (one object can serve them all: each
 * call names its task or group).
 *
 * **Details**
 *
 * - `startAttempt(task)` runs the current attempt of `task` (`task.run`, `task.attempt`). It may
 *   end the task before it returns (`group.end` inside), which is how a task that returns
 *   at once costs no more. It is called again for each retry attempt.
 * - `interrupt(task)` asks a started task to stop, once per attempt: `task.timedOut`
 *   says its own timeout asked, `task.cancelledBy` who cancelled it alone, else its group
 *   is shutting down. The task still ends only when the adapter calls `group.end`. It
 *   must not throw: a stop function that fails is a failure the adapter gives `group.fail`.
 * - `setTimer(ms, fire, target)` calls `fire(target)` after `ms` milliseconds, unless
 *   `clearTimer` is called with what it returned first. The kernel sets a timer for a
 *   group's deadline, a task's timeout, a wait between retry attempts, and one per group
 *   watching stuck cancellations; none for what is not used.
 * - `scheduleFlush(group)` asks for `group.flush()` soon (once the spawner yields): the
 *   kernel calls it once per batch of `"soon"` spawns.
 * - `taskEnded(task, route)` comes once per task, after its group has recorded the end
 *   (and, when the task held a permit, started the next waiting task): the adapter
 *   completes its handle from `task.ending` and `task.outcome` (for a task that never ran,
 *   `outcome` is `undefined`: the adapter makes its cancellation).
 * - `shuttingDown(group)` comes once, when the group starts shutting down, before any of
 *   its tasks is asked to stop (the adapter stops the body, aborts the group's signal).
 * - `groupEnded(group)` comes once, when the group has ended: its outcome is
 *   `group.cause()` (failures, timeout, cancellation), or none.
 *
 * **Example**
 *
 * ```ts
 * import { Group, Task, type Runtime } from "@soonify/kernel"
 *
 * // A runtime whose tasks are functions that return at once.
 * const ended: Array<string> = []
 * const runtime: Runtime = {
 *   startAttempt: (task) => {
 *     try {
 *       task.group!.end(task, "succeeded", (task.run as () => unknown)())
 *     } catch (error) {
 *       task.group!.end(task, "failed", error)
 *     }
 *   },
 *   interrupt: () => {},
 *   now: () => Date.now(),
 *   setTimer: (ms, fire, target) => setTimeout(fire, ms, target),
 *   clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
 *   warn: (stuck) => console.warn(stuck),
 *   scheduleFlush: (group) => queueMicrotask(() => group.flush()),
 *   taskEnded: (task, route) => ended.push(`${task.name} ${task.ending} ${route}`),
 *   groupEnded: (group) => ended.push(`${group.name} ended`)
 * }
 * const group = new Group(runtime, { name: "g" })
 * group.spawn(new Task(() => 1, "one"))
 * group.spawn(new Task(() => { throw new Error("boom") }, "two"))
 * group.endOwner()
 * ended // => ["one succeeded none", "two failed group", "g ended"]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Runtime<T extends Task<any> = Task<any>> {
  /** Runs the current attempt of `task` (see Details); may end it before returning. */
  startAttempt(task: T): void
  /** Asks a started task to stop (its timeout, a cancel of it alone, or its group's shutdown); must not throw. */
  interrupt(task: T): void
  /** The time now, in milliseconds since the epoch (core: its `Clock`). */
  now(): number
  /** Calls `fire(target)` after `ms` milliseconds; gives what `clearTimer` takes. */
  setTimer<A>(ms: number, fire: (target: A) => void, target: A): unknown
  /** Cancels a timer `setTimer` gave: its `fire` is never called. */
  clearTimer(timer: unknown): void
  /** Reports a stuck cancellation (core: a Warning log; interop: `process.emitWarning`). */
  warn(stuck: StuckTask): void
  /** Calls `group.flush()` soon, once the spawner yields (for `"soon"` spawns). */
  scheduleFlush(group: Group<T>): void
  /** `task` has ended (`task.ending`, `task.outcome`); `route` says where its outcome went. */
  taskEnded(task: T, route: Route): void
  /** `group` starts shutting down, before any of its tasks is asked to stop. */
  shuttingDown?(group: Group<T>): void
  /** `group` has ended: its outcome besides its body's value is `group.cause()`. */
  groupEnded(group: Group<T>): void
}
