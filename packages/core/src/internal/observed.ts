import type * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import { ambientTask } from "./ambientTask.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { move, type Place, place, unplace } from "./registry.ts"
import { retried } from "./retry.ts"
import { attemptAttribute, type GroupSpans, groupSpans, keyAttribute } from "./spans.ts"
import { startTime } from "./startTime.ts"
import { type GroupMetrics, groupMetrics } from "./metricsSwitch.ts"
import { installSnapshotHook } from "./snapshotHook.ts"
import { Tally } from "./tally.ts"
import { taskOfEnclosing } from "./tracking.ts"

// Groups are observable from outside the process as soon as the package is loaded.
installSnapshotHook()

/**
 * What one group shows of itself while it runs, and the hooks that keep it: how the ended
 * tasks ended (the tally), where the group is shown (its place in the registry, see
 * registry.ts), and its spans when a tracer is installed (see spans.ts). The group calls
 * a hook at each step of a task's life; none of this decides anything about the group.
 * (The tasks not yet ended, which snapshots list, are the group's own: liveTasks.ts.)
 *
 * @internal
 */
export class Observed {
  readonly tally = new Tally()
  readonly spans: GroupSpans | undefined
  /** The group's task metrics, when `TaskGroup.metricsLayer` is provided where it was made (metrics.ts). */
  readonly metrics: GroupMetrics | undefined
  place: Place
  private readonly group: GroupImpl
  private readonly clock: Clock.Clock

  constructor(group: GroupImpl, opener: Fiber.Fiber<unknown, unknown> | undefined) {
    this.group = group
    this.clock = Context.get(group.context, Clock.Clock)
    this.spans = groupSpans(opener, this.clock, group.name, group.ownership)
    this.metrics = groupMetrics(group.name, group.context)
    this.place = place(group, taskOfEnclosing(group.enclosing) ?? ambientTask())
  }

  /** A task spawned with `context` is about to take its permit (or wait for it): its span opens. */
  launched(handle: TaskHandle<any, any>, context: Context.Context<never>): void {
    if (this.spans === undefined) return
    const span = (handle.span = this.spans.task(handle.name, context))
    if (handle.keyText !== undefined) span.attribute(keyAttribute, handle.keyText)
  }

  /** A task starts running: it is no longer queued. */
  started(handle: TaskHandle<any, any>): void {
    handle.startedAt = startTime(this.clock)
    this.metrics?.taskStarted()
  }

  /** The time now (ms since epoch), on the group's Clock. */
  now(): number {
    return this.clock.currentTimeMillisUnsafe()
  }

  /** A task has ended (`exit`); `handle` is undefined for one that ended as it was spawned. */
  taskEnded(handle: TaskHandle<any, any> | undefined, exit: Exit.Exit<unknown, unknown>): void {
    this.tally.count(exit)
    if (this.metrics !== undefined) this.metrics.taskEnded(handle, exit, this.now())
    if (this.spans !== undefined && handle?.span !== undefined) {
      if (retried(handle)) handle.span.attribute(attemptAttribute, handle.attempt)
      this.spans.end(handle.span, exit)
    }
  }

  /** The group has ended, with `cause` if it failed: it is shown no more. */
  groupEnded(cause: Cause.Cause<unknown> | undefined): void {
    unplace(this.group, this.place)
    this.spans?.endGroup(cause)
  }

  /** Shows the open group under `task` from now on (`TaskGroup.placeUnderUnsafe`). */
  moveUnder(task: TaskHandle<any, any>): void {
    this.place = move(this.group, this.place, task)
  }
}
