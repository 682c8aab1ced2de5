// `gather(tasks, { timeout, returnExceptions: true })` (DESIGN §6): at the deadline the
// tasks still running are cancelled, and their slots hold the `TimeoutError` instead of
// the gather rejecting with it. Core's `TaskGroup.gather` does the same for Effects; the
// gather here runs its own core group (for promises, handles and thunks), so the
// deadline is this small piece beside it. A gather without both options never makes one.
import type * as Exit from "effect/Exit"
import * as Cause from "effect/Cause"
import { TimeoutError } from "../Errors.ts"
import type { GroupView } from "./group.ts"
import { slotOf } from "./outcome.ts"

export class PartialDeadline {
  /** What the late slots hold, and the reason the late tasks' signals are aborted with. */
  readonly error: TimeoutError
  readonly #group: GroupView
  readonly #timer: ReturnType<typeof setTimeout>

  constructor(group: GroupView, timeout: number) {
    // The error each late slot holds, and the reason its task's signal is aborted with.
    this.error = new TimeoutError("gather(…)", timeout, "this task had not settled and was cancelled at the deadline")
    this.#group = group
    this.#timer = setTimeout(() => group.cancel(this.error), timeout)
  }

  /**
   * Stops the timer once the gather's group has ended; tells whether the deadline is what
   * cancelled the group (not its signal, nor the enclosing task, which came first).
   */
  ranOut(): boolean {
    clearTimeout(this.#timer)
    return this.#group.reason === this.error
  }

  /**
   * A slot once the deadline ran out: a task that was cancelled by it holds the
   * `TimeoutError`; the others (ended in time, or failed while stopping) keep their
   * value or error.
   */
  slot(exit: Exit.Exit<unknown, unknown>): unknown {
    return exit._tag === "Failure" && Cause.hasInterruptsOnly(exit.cause) ? this.error : slotOf(exit)
  }
}
