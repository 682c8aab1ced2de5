import * as Cause from "effect/Cause"
import { Abandon } from "effect/cluster/ClusterSchema"
import { Sharding } from "effect/cluster/Sharding"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Schema from "effect/Schema"
import type * as Workflow from "effect/workflow/Workflow"
import { WorkflowInstance } from "effect/workflow/WorkflowEngine"
import { describe, illegalArgument, optionsProblem } from "./validation.ts"

/** Effect's `Workflow` carries this id (not exported as a guard by `effect/workflow`). */
const WorkflowTypeId = "~effect/workflow/Workflow"

type AnyWorkflow = Workflow.Workflow<string, Workflow.AnyStructSchema, Schema.Top, Schema.Top>

const isWorkflow = (u: unknown): u is AnyWorkflow =>
  (typeof u === "function" || (typeof u === "object" && u !== null)) && WorkflowTypeId in u

/**
 * Whether the cluster abandoned the call: its runner is shutting down and the
 * execution goes on under the shard's next owner (`ClusterSchema.Abandon`).
 */
const isAbandoned = (cause: Cause.Cause<unknown>): boolean =>
  cause.reasons.some((reason) => Cause.isInterruptReason(reason) && reason.annotations.has(Abandon.key))

/** Interrupted, by its group or by someone else, but not abandoned by a runner that shuts down. */
const isCancelled = (cause: Cause.Cause<unknown>): boolean => Cause.hasInterrupts(cause) && !isAbandoned(cause)

/**
 * Whether this process's cluster runner is shutting down: then the call was stopped
 * by the runner's end, and the execution goes on under the shard's next owner.
 */
const runnerStopping: Effect.Effect<boolean> = Effect.flatMap(Effect.serviceOption(Sharding), (sharding) =>
  sharding._tag === "Some" ? sharding.value.isShutdown : Effect.succeed(false)
)

/**
 * After the call was interrupted with `cause`: asks the engine to interrupt the
 * execution, waits until it has ended (the engine stops it at its next suspension
 * point), then fails with `cause` plus whatever the execution failed with meanwhile,
 * so that nothing is lost.
 */
const interruptExecution = (workflow: AnyWorkflow, payload: unknown, cause: Cause.Cause<unknown>) =>
  Effect.gen(function* () {
    yield* workflow.interrupt(yield* workflow.executionId(payload))
    const exit = yield* Effect.exit(workflow.execute(payload))
    if (Exit.isSuccess(exit) || Cause.hasInterruptsOnly(exit.cause)) return yield* Effect.failCause(cause)
    const failures = exit.cause.reasons.filter((reason) => !Cause.isInterruptReason(reason))
    return yield* Effect.failCause(Cause.combine(cause, Cause.fromReasons(failures)))
  })

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
  const onInterrupt = options?.onInterrupt
  const problem =
    optionsProblem(where, options) ??
    (onInterrupt === undefined || onInterrupt === "interruptExecution" || onInterrupt === "keepExecution"
      ? undefined
      : `${where}: option "onInterrupt" must be "interruptExecution" or "keepExecution", received ${describe(onInterrupt)}`)
  if (problem !== undefined) throw illegalArgument(problem)
  const name = workflow._tag
  const run = (payload: unknown) =>
    Effect.flatMap(Effect.serviceOption(WorkflowInstance), (parent) => {
      if (parent._tag === "Some") {
        return Effect.die(
          illegalArgument(
            `${where}: workflow "${name}" was called from inside the workflow "${parent.value.workflow._tag}". ` +
              "Inside a workflow, run child workflows with their own execute (Effect links them to the parent); " +
              "DurableTask.call is for task groups outside workflows."
          )
        )
      }
      if (onInterrupt === "keepExecution") return workflow.execute(payload)
      // Stopped by its group (fail fast, cancel, its interruption), or ended interrupted
      // by someone else: interrupt the execution and wait for it, so that the group ends
      // after it. Stopped because this process's runner shuts down: leave it to the next.
      return Effect.uninterruptibleMask((restore) =>
        Effect.catchCauseIf(restore(workflow.execute(payload)), isCancelled, (cause) =>
          Effect.flatMap(runnerStopping, (stopping) =>
            stopping ? Effect.failCause(cause) : interruptExecution(workflow, payload, cause)
          )
        )
      )
    })
  // `group.soonify(DurableTask.call(workflow))` names its tasks after the workflow.
  Object.defineProperty(run, "name", { value: name })
  return run
}
