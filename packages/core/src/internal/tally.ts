import * as Cause from "effect/Cause"
import type * as Exit from "effect/Exit"

/**
 * How a group's ended tasks ended, for snapshots: a few counters bumped once per task.
 * A task that ended interrupted and nothing else was cancelled (by its group, by
 * `soon.cancel`, or before it started); one that failed, even while being interrupted,
 * failed.
 *
 * @internal
 */
export class Tally {
  succeeded = 0
  failed = 0
  cancelled = 0

  count(exit: Exit.Exit<unknown, unknown>): void {
    if (exit._tag === "Success") this.succeeded++
    else if (Cause.hasInterruptsOnly(exit.cause)) this.cancelled++
    else this.failed++
  }
}
