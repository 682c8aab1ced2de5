/**
 * What is still running, where, and how far along: snapshots of task groups (the same
 * plain tree as `@soonify/core`'s), a text rendering for logs, and progress reports.
 *
 * @since 0.1.0
 */
import * as Kernel from "@soonify/kernel"
import * as observability from "./internal/observability.ts"

/**
 * How far along a task is: `done` units of work, out of `total` when the task knows it.
 * The same plain object as `@soonify/core`'s.
 *
 * @since 0.1.0
 * @category models
 */
export type Progress = Kernel.Progress

/**
 * One task not yet ended, in a {@link GroupSnapshot}: its name, `"queued"` (waiting for a
 * `concurrency` slot) or `"running"` since `startedAt` (ms since epoch) or, once it was
 * cancelled and until it has settled, `"cancelling"` since `cancelledAt` (see the group
 * option `stuckAfter`), its key and
 * attempt when it has them, its last {@link reportProgress}, and the groups opened inside
 * it that are still open. The same plain object as `@soonify/core`'s.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskSnapshot = Kernel.TaskSnapshot

/**
 * A group at one moment, as `tg.snapshot()` gives it: a plain, JSON-serialisable object
 * (the same tree as `@soonify/core`'s: the kernel's). `counts.queued` and `counts.running` count the
 * tasks in `tasks` (those not yet ended, in spawn order); `succeeded`, `failed` and
 * `cancelled` the tasks that have ended. `concurrency` is `"unbounded"` for no limit.
 *
 * @since 0.1.0
 * @category models
 */
export type GroupSnapshot = Kernel.GroupSnapshot

/**
 * Snapshots of every open root group of the process (groups opened outside any task),
 * oldest first; a group opened inside a task (`tg.spawn`, `tg.start`) appears under that
 * task. Groups of `@soonify/core` are in the same tree. Groups that have ended are
 * never kept.
 *
 * **Example**
 *
 * ```ts
 * import { createTaskGroup, snapshotAll } from "@soonify/interop"
 *
 * {
 *   await using tg = createTaskGroup({ name: "server" })
 *   tg.spawn(() => new Promise((resolve) => setTimeout(resolve, 10)), { name: "listen" })
 *   snapshotAll().find((g) => g.name === "server")?.tasks.map((t) => t.name) // => ["listen"]
 * } // waits for the task
 * snapshotAll().some((g) => g.name === "server") // => false
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const snapshotAll = (): Array<GroupSnapshot> => Kernel.snapshotAll()

/**
 * Options of {@link renderSnapshot}.
 *
 * @since 0.1.0
 * @category snapshots
 */
export interface RenderOptions {
  /** The time (ms since epoch, e.g. `Date.now()`) to show how long each task has run; default: when it started. */
  readonly now?: number | undefined
}

/**
 * Renders one snapshot or several as an indented text tree (`pstree`-like), one line per
 * group and per task, for logs and "what is still running?" dumps.
 *
 * **Example**
 *
 * ```ts
 * import { renderSnapshot, snapshotAll } from "@soonify/interop"
 *
 * // What `dumpOnSignal()` prints on SIGUSR2:
 * console.error(renderSnapshot(snapshotAll(), { now: Date.now() }))
 * renderSnapshot([]) // => "(no open task groups)"
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const renderSnapshot = (
  snapshot: GroupSnapshot | ReadonlyArray<GroupSnapshot>,
  options?: RenderOptions
): string => Kernel.renderSnapshot(snapshot, options)

/**
 * Prints every open group and task of the process to stderr (as {@link renderSnapshot}
 * draws them, with how long each task has run) each time the process receives `signal`
 * (default `"SIGUSR2"`: `kill -USR2 <pid>`). Gives the function that uninstalls it
 * (calling it again does nothing).
 *
 * **When to use**
 *
 * Where `soonify pstree <pid>` (@soonify/inspect) may not attach: a process whose
 * inspector must stay shut (`--disable-sigusr1`, a policy, a container without the
 * loopback port). The dump needs nothing but the signal.
 *
 * **Gotchas**
 *
 * `"SIGUSR1"` is refused (a `RangeError`): it opens Node's inspector, which is how
 * `soonify` attaches. A name that is no signal is a `RangeError` too, a non-string a
 * `TypeError`. Node, Deno and Bun only: in a browser it throws a `TypeError`.
 *
 * **Example**
 *
 * ```ts
 * import { dumpOnSignal } from "@soonify/interop"
 *
 * // `kill -USR2 <pid>` prints what is still running.
 * const uninstall = dumpOnSignal()
 * process.listenerCount("SIGUSR2") // => 1
 * uninstall()
 * process.listenerCount("SIGUSR2") // => 0
 * ```
 *
 * @since 0.2.0
 * @category snapshots
 */
export const dumpOnSignal = (signal: string = "SIGUSR2"): (() => void) => {
  const problem = Kernel.signalProblem("dumpOnSignal", signal)
  if (problem !== undefined) throw typeof signal === "string" ? new RangeError(problem) : new TypeError(problem)
  return Kernel.installDump("dumpOnSignal", signal)
}

/**
 * Reports how far along the running task is: `done` units of work, out of `total` if
 * known. The task's handle shows it (`soon.progress`), and so do snapshots. Returns
 * `true` when it was recorded for a task, `false` where there is no task.
 *
 * **Details**
 *
 * The task is found through the ambient task context (Node, Deno, Bun), after `await`s
 * too: in a task (`tg.soonify`, `tg.spawn`, `tg.start`) it reports for that task; in a
 * group body, or a function given to `gather` or `asCompleted`, for the task that opened
 * the group or called `gather` (if any). Outside any task (or where the platform has no
 * `AsyncLocalStorage`) it does nothing and returns `false`, so a helper shared by tasks
 * and other code can always call it. A `done` or `total` that is not a finite number ≥ 0
 * is a bug of the caller: it throws (a `TypeError`, or a `RangeError`), as bad input does
 * everywhere in soonify.
 *
 * **Example**
 *
 * ```ts
 * import { reportProgress, taskGroup } from "@soonify/interop"
 *
 * const soon = await taskGroup(async (tg) =>
 *   tg.spawn(async () => {
 *     for (let done = 1; done <= 3; done++) {
 *       await new Promise((resolve) => setTimeout(resolve, 1))
 *       reportProgress(done, 3)
 *     }
 *   })
 * )
 * soon.progress // => { done: 3, total: 3 }
 * reportProgress(1) // => false: no task here
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const reportProgress: (done: number, total?: number) => boolean = observability.reportProgress
