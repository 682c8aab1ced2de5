import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Workflow from "effect/workflow/Workflow"
import { WorkflowInstance } from "effect/workflow/WorkflowEngine"
import { describe, illegalArgument, optionsProblem } from "./validation.ts"

/** Effect's `Workflow` carries this id (not exported as a guard by `effect/workflow`). */
const WorkflowTypeId = "~effect/workflow/Workflow"

const isWorkflow = (u: unknown): u is Workflow.AnyWithProps =>
  (typeof u === "function" || (typeof u === "object" && u !== null)) && WorkflowTypeId in u

/** What interrupting a durable task does to its execution. */
export type OnInterrupt = "interruptExecution" | "keepExecution"

export const call = (
  workflow: unknown,
  options: { readonly onInterrupt?: OnInterrupt | undefined } | undefined
): ((payload: unknown) => Effect.Effect<unknown, unknown, unknown>) => {
  const where = "DurableTask.call"
  if (!isWorkflow(workflow)) {
    throw illegalArgument(`${where}: expected a Workflow (from Workflow.make), received ${describe(workflow)}`)
  }
  const problem =
    optionsProblem(where, options) ??
    (options?.onInterrupt === undefined ||
    options.onInterrupt === "interruptExecution" ||
    options.onInterrupt === "keepExecution"
      ? undefined
      : `${where}: option "onInterrupt" must be "interruptExecution" or "keepExecution", received ${describe(options.onInterrupt)}`)
  if (problem !== undefined) throw illegalArgument(problem)
  const keep = options?.onInterrupt === "keepExecution"
  const name = workflow._tag
  const run = (payload: unknown) =>
    Effect.flatMap(Effect.serviceOption(WorkflowInstance), (parent) => {
      if (parent._tag === "Some") {
        return Effect.die(
          illegalArgument(
            `DurableTask.call: workflow "${name}" was called from inside the workflow "${parent.value.workflow._tag}". ` +
              "Inside a workflow, run child workflows with their own execute (Effect links them to the parent); " +
              "DurableTask.call is for task groups outside workflows."
          )
        )
      }
      if (keep) return workflow.execute(payload)
      return Effect.uninterruptibleMask((restore) =>
        Effect.catchCauseIf(
          restore(workflow.execute(payload)),
          Cause.hasInterrupts,
          // Stopped by its group (fail fast, cancel, interruption), or ended interrupted
          // by someone else: either way ask the engine to interrupt the execution, and
          // wait for it to end, so that the group ends after it. What it failed with
          // meanwhile is added to the interruption: nothing is lost.
          (cause) =>
            Effect.flatMap(workflow.executionId(payload), (executionId) =>
              Effect.andThen(
                (workflow as any).interrupt(executionId) as Effect.Effect<void>,
                Effect.flatMap(Effect.exit(workflow.execute(payload)), (exit) =>
                  Effect.failCause(
                    Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)
                      ? Cause.combine(
                          cause,
                          Cause.fromReasons(exit.cause.reasons.filter((r) => !Cause.isInterruptReason(r)))
                        )
                      : cause
                  )
                )
              )
            )
        )
      )
    })
  // `group.soonify(DurableTask.call(workflow))` names its tasks after the workflow.
  Object.defineProperty(run, "name", { value: name })
  return run
}
