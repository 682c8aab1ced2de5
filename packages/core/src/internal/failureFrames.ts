import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import type { StackFrame } from "effect/References"

// A task's failure says which task and group it came from, where Effect says where a
// failure came from: its `Cause.StackTrace` annotation, which `Cause.pretty` prints as
// `at …` lines. The task's frame goes first, above the frames the failure already had
// (an `Effect.fn`'s name and call site, a `withSpan`'s), so nothing is lost. Only a
// failure pays for it: a task that succeeds, or is only interrupted, is left as it is.

const unknownStack = (): string | undefined => undefined

/** The frame of task `task` of group `group`, above `parent`. */
const taskFrame = (task: string, group: string, parent: StackFrame | undefined): StackFrame => ({
  name: `task "${task}" (TaskGroup "${group}")`,
  stack: unknownStack,
  parent
})

/**
 * `cause`, its reasons annotated with the task and the group they come from (its
 * interruptions too: the group's cause leaves them out, see `Failure.reasons`).
 */
export const withTaskFrame = <E>(cause: Cause.Cause<E>, task: string, group: string): Cause.Cause<E> =>
  Cause.fromReasons(
    cause.reasons.map((reason) =>
      reason.annotate(
        Context.make(
          Cause.StackTrace,
          taskFrame(task, group, reason.annotations.get(Cause.StackTrace.key) as StackFrame | undefined)
        ),
        { overwrite: true }
      )
    )
  )
