import * as Cause from "effect/Cause"

/**
 * What a group ends with besides its body's value: every non-interrupt reason that
 * failed it, in the order they happened, and the interruption of a `cancel`. Owned by
 * one `GroupImpl`, which alone adds to it.
 *
 * @internal
 */
export class Failures {
  private readonly reasons: Array<Cause.Reason<unknown>> = []
  /** Set when the group was cancelled as a whole: its outcome is then an interruption. */
  private cancelCause: Cause.Cause<never> | undefined = undefined
  /** How many of `reasons` somebody was handed (`join`, or a spawn refused from outside). */
  private reported = 0

  /** Adds the non-interrupt reasons of `cause`; tells whether there were any. */
  add(cause: Cause.Cause<unknown>): boolean {
    let failed = false
    for (const reason of cause.reasons) {
      if (reason._tag !== "Interrupt") {
        this.reasons.push(reason)
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

  /** The failures nobody was handed, as defects (once), or `undefined`. */
  unreported(): Cause.Cause<never> | undefined {
    if (this.reported >= this.reasons.length) return undefined
    const unreported = this.reasons.slice(this.reported)
    // Stryker disable next-line AssignmentOperator: `unreported` is called once, by the scope's finalizer; the count guards a second call that never comes
    this.reported = this.reasons.length
    return Cause.fromReasons(unreported.map((r) => (r._tag === "Fail" ? Cause.makeDieReason(r.error) : r)))
  }
}
