import type * as Cause from "effect/Cause"
import { withTaskFrame } from "./failureFrames.ts"
import type { TaskHandle } from "./handle.ts"

/**
 * A failure as the kernel keeps it (opaque to it): a task's `Cause` (the whole of it, as
 * its handle holds it) and the task, or the body's.
 *
 * @internal
 */
export class Failure {
  readonly cause: Cause.Cause<unknown>
  readonly task: TaskHandle<any, any> | undefined

  constructor(cause: Cause.Cause<unknown>, task: TaskHandle<any, any> | undefined) {
    this.cause = cause
    this.task = task
  }

  /** The non-interrupt reasons, as the group fails with them (named after the task). */
  reasons(group: string): ReadonlyArray<Cause.Reason<unknown>> {
    const task = this.task
    const cause = task === undefined ? this.cause : withTaskFrame(this.cause, task.name, group)
    return cause.reasons.filter((reason) => reason._tag !== "Interrupt")
  }
}
