import * as Cause from "effect/Cause"
import type { HandleBase } from "./handle.ts"

/**
 * What a group ends with besides its body's value: every non-interrupt reason that
 * failed it, in the order they happened, and the interruption of a `cancel`. Owned by
 * one `GroupImpl`, which alone adds to it.
 *
 * @internal
 */
export class Failures {
  private readonly reasons: Array<Cause.Reason<unknown>> = []
  /**
   * For each of `reasons`, the handle of the task that failed with it, if any: a failure
   * read from its handle (`value`, `await`, `poll`) was observed.
   */
  private readonly handles: Array<HandleBase<any, any> | undefined> = []
  /** Set when the group was cancelled as a whole: its outcome is then an interruption. */
  private cancelCause: Cause.Cause<never> | undefined = undefined
  /** How many of `reasons` somebody was handed (`join`, or a spawn refused from outside). */
  private reported = 0

  /** Adds the non-interrupt reasons of `cause` (of the task behind `handle`); tells whether there were any. */
  add(cause: Cause.Cause<unknown>, handle?: HandleBase<any, any>): boolean {
    let failed = false
    for (const reason of cause.reasons) {
      if (reason._tag !== "Interrupt") {
        this.reasons.push(reason)
        this.handles.push(handle)
        failed = true
      }
    }
    return failed
  }

  recordCancel(cause: Cause.Cause<never>): void {
    this.cancelCause = cause
  }

  /**
   * The ended group's cause: the cancel's interruption first, then every failure (a
   * finalizer that failed during the cancel adds to it, never replaces it), or
   * `undefined` when there is none.
   */
  cause(): Cause.Cause<unknown> | undefined {
    if (this.cancelCause !== undefined) return this.after(this.cancelCause)
    return this.reasons.length === 0 ? undefined : Cause.fromReasons(this.reasons)
  }

  /** An interruption from outside, with every failure added to it. */
  after(interruption: Cause.Cause<unknown>): Cause.Cause<unknown> {
    return Cause.fromReasons([...interruption.reasons, ...this.reasons])
  }

  /**
   * The failures so far were handed to somebody (`join` hands the outcome over; a spawn
   * refused from outside hands them in its `TaskGroupClosed`): the scope's close does not
   * raise them again.
   */
  report(): void {
    this.reported = this.reasons.length
  }

  /**
   * The failures nobody observed, as defects (once), or `undefined`: neither handed to
   * somebody (`report`) nor read from the failed task's handle (somebody awaited the
   * task and saw its failure).
   */
  unreported(): Cause.Cause<never> | undefined {
    const unreported: Array<Cause.Reason<never>> = []
    for (let i = this.reported; i < this.reasons.length; i++) {
      const reason = this.reasons[i]
      if (this.handles[i]?.unread === "read") continue
      unreported.push(reason._tag === "Fail" ? Cause.makeDieReason(reason.error) : (reason as Cause.Reason<never>))
    }
    this.reported = this.reasons.length
    return unreported.length === 0 ? undefined : Cause.fromReasons(unreported)
  }
}
