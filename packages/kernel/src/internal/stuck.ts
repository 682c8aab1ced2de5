import type { Group } from "../Group.ts"
import type { StuckTask } from "../Runtime.ts"
import type { Task } from "../Task.ts"

// Stuck cancellations (DESIGN §4.7): a task asked to stop that has not ended
// `stuckAfter` later is reported once, through `Runtime.warn`. Nothing here exists for
// a group none of whose tasks was asked to stop: the group makes its watch when it first
// asks one, and the watch holds one runtime timer, only while such a task has not ended.

/**
 * The tasks of one group asked to stop and not ended: how many, and the one timer that
 * wakes when the earliest of them is due.
 *
 * @internal
 */
export class StuckWatch {
  readonly #group: Group<any>
  /** How many of the group's tasks were asked to stop and have not ended. */
  #cancelling = 0
  #timer: unknown

  constructor(group: Group<any>) {
    this.#group = group
  }

  /** `task` was asked to stop at `now`: it is cancelling until it ends (or its timed-out attempt does). */
  requested(task: Task<any>, now: number): void {
    task.cancelledAt = now
    this.#cancelling++
  }

  /** A task asked to stop has ended (or its timed-out attempt has). */
  stopped(task: Task<any>): void {
    task.cancelledAt = undefined
    task.stuckReported = false
    if (--this.#cancelling === 0 && this.#timer !== undefined) {
      this.#group.runtime.clearTimer(this.#timer)
      this.#timer = undefined
    }
  }

  /** After asking tasks to stop: sets the timer, unless one is set or no task is left to watch. */
  watch(): void {
    const stuckAfter = this.#group.stuckAfter
    if (this.#timer !== undefined || stuckAfter === Infinity) return
    this.#check(this.#group.runtime.now(), stuckAfter)
  }

  /** Reports the tasks due at `now`, then sets the timer for the next one, if any. */
  #check(now: number, stuckAfter: number): void {
    let next = Infinity
    const due: Array<StuckTask> = []
    for (const task of this.#group.tasks()) {
      const cancelledAt = task.cancelledAt
      if (cancelledAt === undefined || task.stuckReported) continue
      if (cancelledAt + stuckAfter <= now) {
        task.stuckReported = true
        due.push({ task: task.name, group: this.#group.name, cancelledAt, ignoredFor: now - cancelledAt })
      } else if (cancelledAt + stuckAfter < next) {
        next = cancelledAt + stuckAfter
      }
    }
    if (next !== Infinity) this.#timer = this.#group.runtime.setTimer(next - now, fire, this)
    for (const stuck of due) this.#group.runtime.warn(stuck)
  }

  /** The timer fired. */
  fired(): void {
    this.#timer = undefined
    this.#check(this.#group.runtime.now(), this.#group.stuckAfter)
  }
}

const fire = (watch: StuckWatch): void => watch.fired()
