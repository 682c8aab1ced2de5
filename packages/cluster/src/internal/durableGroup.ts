// The caller side of a durable group: records members in the group's execution,
// waits for their results, seals the group when its body ends, cancels it.
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as DurableDeferred from "effect/workflow/DurableDeferred"
import type * as Workflow from "effect/workflow/Workflow"
import { Future, TaskGroup } from "@soonify/core"
import {
  type AnyWorkflow,
  cancelSlot,
  GroupWorkflow,
  type GroupOutcome,
  memberSlot,
  sealSlot
} from "./durableGroupWorkflow.ts"
import { describe, illegalArgument, optionsProblem } from "./validation.ts"

const isFailure = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)

const WorkflowTypeId = "~effect/workflow/Workflow"
const isWorkflow = (u: unknown): u is AnyWorkflow =>
  (typeof u === "function" || (typeof u === "object" && u !== null)) && WorkflowTypeId in u

/** How a caller polls an execution it waits for: soon at first, then every quarter second. */
const pollSchedule = Schedule.min([Schedule.exponential("10 millis", 1.5), Schedule.spaced("250 millis")])

/** Waits until `workflow`'s execution `executionId` has ended, and gives its exit. */
export const ended = (
  workflow: {
    readonly poll: (executionId: string) => Effect.Effect<Option.Option<Workflow.Result<any, any>>, never, any>
  },
  executionId: string
): Effect.Effect<Exit.Exit<any, any>, never, any> =>
  Effect.gen(function* () {
    const step = yield* Schedule.toStepWithSleep(pollSchedule)
    while (true) {
      const result = yield* workflow.poll(executionId)
      if (Option.isSome(result) && result.value._tag === "Complete") return result.value.exit
      yield* Effect.orDie(step(void 0))
    }
  })

/**
 * Waits until member `index` of the group `groupId` has ended, and gives its exit: an
 * interruption when the group ended without it (spawned after the group stopped).
 */
const memberEnded = (workflow: AnyWorkflow, executionId: string, index: number, groupId: string) =>
  Effect.gen(function* () {
    const step = yield* Schedule.toStepWithSleep(pollSchedule)
    while (true) {
      const result = yield* workflow.poll(executionId)
      if (Option.isSome(result) && result.value._tag === "Complete")
        return result.value.exit as Exit.Exit<unknown, unknown>
      const group = yield* GroupWorkflow.poll(groupId)
      if (Option.isSome(group) && group.value._tag === "Complete") {
        const outcome = group.value.exit
        if (Exit.isFailure(outcome) || outcome.value.members <= index)
          return Exit.interrupt() as Exit.Exit<unknown, unknown>
      }
      yield* Effect.orDie(step(void 0))
    }
  })

/**
 * Where a member shows that it runs, in its snapshot (its key): the workflow engine.
 * effect/cluster does not tell cheaply which runner holds an execution (`Sharding` says
 * only whether a shard is this runner's; the assignments are the shard manager's), and
 * snapshots are taken synchronously, reading state the process already has.
 */
export const memberPlace = "engine"

/**
 * A member's key in snapshots: its index in the group, its payload's idempotency key
 * (what names its execution) and where it runs, as `#1 invoice-42 @ engine`.
 */
export const memberKey = (index: number, payloadKey: string): string => `#${index} ${payloadKey} @ ${memberPlace}`

/** The name of the core group that shows a durable group in snapshots. */
export const snapshotName = (key: string): string => `DurableGroup ${key}`

export interface MemberImpl {
  readonly index: number
  readonly name: string
  readonly executionId: string
  readonly future: Future.Future<unknown, unknown>
}

export type Mode = "failFast" | "settle"
export type OnInterrupt = "cancel" | "detach"
export interface RunOptions {
  readonly mode?: Mode | undefined
  readonly onInterrupt?: OnInterrupt | undefined
}

const groupId = (key: string) => GroupWorkflow.executionId({ key, failFast: true })

const tokenOf = (executionId: string, slot: DurableDeferred.Any) =>
  DurableDeferred.tokenFromExecutionId(slot as never, { workflow: GroupWorkflow, executionId })

const keyProblem = (where: string, key: unknown): string | undefined =>
  typeof key === "string" && key !== ""
    ? undefined
    : `${where}: key must be a non-empty string, received ${describe(key)}`

/** Records the cancellation of the group `key` and waits until the group and its members have ended. */
export const cancel = (key: string): Effect.Effect<void, never, any> =>
  Effect.suspend(() => {
    const problem = keyProblem("DurableGroup.cancel", key)
    if (problem !== undefined) return Effect.die(illegalArgument(problem))
    return Effect.gen(function* () {
      const executionId = yield* groupId(key)
      // a key with no group yet gets an empty one, cancelled: a cancellation that comes first wins
      yield* GroupWorkflow.execute({ key, failFast: true }, { discard: true })
      yield* DurableDeferred.done(cancelSlot, { token: tokenOf(executionId, cancelSlot), exit: Exit.void })
      yield* ended(GroupWorkflow, executionId)
    })
  })

export const run = (
  key: string,
  body: (group: unknown) => Effect.Effect<unknown, unknown, unknown>,
  options: RunOptions | undefined
): Effect.Effect<unknown, unknown, unknown> =>
  Effect.suspend(() => {
    const where = "DurableGroup.run"
    const problem =
      keyProblem(where, key) ??
      (typeof body === "function"
        ? undefined
        : `${where}: body must be a function of the group, received ${describe(body)}`) ??
      optionsProblem(where, options) ??
      (options?.mode === undefined || options.mode === "failFast" || options.mode === "settle"
        ? undefined
        : `${where}: option "mode" must be "failFast" or "settle", received ${describe(options.mode)}`) ??
      (options?.onInterrupt === undefined || options.onInterrupt === "cancel" || options.onInterrupt === "detach"
        ? undefined
        : `${where}: option "onInterrupt" must be "cancel" or "detach", received ${describe(options.onInterrupt)}`)
    if (problem !== undefined) return Effect.die(illegalArgument(problem))
    const failFast = options?.mode !== "settle"
    return Effect.uninterruptibleMask((restore) =>
      Effect.gen(function* () {
        // The caller's view of the group, for snapshots: a core group whose tasks wait for
        // each member's result, each ending as its member did (a failure is the durable
        // group's to report: it stays in the member's handle and in the run's outcome).
        const shown = yield* TaskGroup.make<unknown>({
          name: snapshotName(key),
          mode: "settle",
          onTaskError: () => Effect.void
        })
        // the waits end with the run (a detached group's members go on in the engine)
        yield* Effect.addFinalizer(() => TaskGroup.cancel(shown))
        const executionId = yield* groupId(key)
        yield* restore(GroupWorkflow.execute({ key, failFast }, { discard: true }))
        const members: Array<MemberImpl> = []
        /** The next member's index: taken at once, so that concurrent spawns keep their order. */
        let spawned = 0
        /** In fail fast mode, a member's failure interrupts the body (the engine has already stopped the others). */
        const failedFast = { happened: false, body: undefined as Fiber.Fiber<unknown, unknown> | undefined }
        const spawn = (workflow: unknown) => {
          if (!isWorkflow(workflow)) {
            throw illegalArgument(
              `DurableGroup spawn: expected a Workflow (from Workflow.make), received ${describe(workflow)}`
            )
          }
          return (payload: unknown) =>
            Effect.gen(function* () {
              const made = yield* Effect.orDie(workflow.payloadSchema.makeEffect(payload))
              const encoded = yield* Effect.orDie(Schema.encodeEffect(Schema.toCodecJson(workflow.payloadSchema))(made))
              // taken with no step in between before its record: concurrent spawns keep their order
              const index = spawned++
              const slot = memberSlot(index)
              yield* DurableDeferred.done(slot, {
                token: tokenOf(executionId, slot),
                exit: Exit.succeed({ workflow: workflow._tag, payload: JSON.stringify(encoded) })
              })
              const member: MemberImpl = {
                index,
                name: workflow._tag,
                executionId: yield* workflow.executionId(made),
                future: Future.makeUnsafe({ name: workflow._tag })
              }
              members[index] = member
              // its result, once the group's engine has ended it
              const waitForMember = Effect.flatMap(
                memberEnded(workflow, member.executionId, index, executionId),
                (exit) =>
                  Effect.andThen(Future.complete(member.future, exit as never), () => {
                    if (!failFast || failedFast.happened || !isFailure(exit)) return exit
                    failedFast.happened = true
                    return failedFast.body === undefined
                      ? exit
                      : Effect.andThen(Effect.forkDetach(Fiber.interrupt(failedFast.body)), exit)
                  })
              )
              yield* shown.spawn(waitForMember as Effect.Effect<unknown, unknown>, {
                name: workflow._tag,
                key: memberKey(index, workflow.idempotencyKey(made))
              })
              return memberHandle(member)
            })
        }
        const group = { key, executionId, spawn }
        const stop = Effect.gen(function* () {
          yield* DurableDeferred.done(cancelSlot, { token: tokenOf(executionId, cancelSlot), exit: Exit.void })
          return yield* ended(GroupWorkflow, executionId)
        })
        const bodyFiber = yield* Effect.forkChild(body(group))
        failedFast.body = bodyFiber
        const waitedBody = yield* Effect.exit(restore(Fiber.await(bodyFiber)))
        if (Exit.isFailure(waitedBody)) {
          // the caller's interruption cancels the group, unless it detaches
          yield* Fiber.interrupt(bodyFiber)
          if (options?.onInterrupt !== "detach") yield* stop
          return yield* Effect.failCause(waitedBody.cause)
        }
        const bodyExit = waitedBody.value
        if (Exit.isFailure(bodyExit) && !Cause.hasInterruptsOnly(bodyExit.cause)) {
          // the body's own failure cancels the group, as a local group's body does (an
          // interruption of the body comes from fail fast, or from awaiting an interrupted member)
          yield* stop
          return yield* bodyExit
        }
        yield* DurableDeferred.done(sealSlot, {
          token: tokenOf(executionId, sealSlot),
          exit: Exit.succeed(spawned)
        })
        const waited = yield* Effect.exit(restore(ended(GroupWorkflow, executionId)))
        if (Exit.isFailure(waited)) {
          if (options?.onInterrupt !== "detach") yield* stop
          return yield* waited
        }
        const outcome = yield* waited.value as Exit.Exit<GroupOutcome, unknown>
        // every member has ended: their handles complete at once
        for (const member of members) if (member !== undefined) yield* member.future.await.pipe(Effect.exit)
        if (failFast && outcome.failed.length > 0) {
          const causes = yield* Effect.forEach(outcome.failed, (index) =>
            members[index] === undefined
              ? Effect.succeed(
                  Cause.die(new Error(`DurableGroup "${key}": member ${index} failed`)) as Cause.Cause<unknown>
                )
              : Effect.map(members[index].future.poll, (exit) =>
                  Option.isSome(exit) && Exit.isFailure(exit.value) ? exit.value.cause : Cause.empty
                )
          )
          return yield* Effect.failCause(
            causes.reduce((a, b) => Cause.combine(a, b), Cause.empty as Cause.Cause<unknown>)
          )
        }
        return yield* bodyExit
      }).pipe(Effect.scoped)
    )
  })

/** A member's handle: its outcome, read as a task's. */
export const memberHandle = (member: MemberImpl) => ({
  index: member.index,
  name: member.name,
  executionId: member.executionId,
  get ready() {
    return member.future.ready
  },
  value: member.future.value,
  await: member.future.await,
  poll: member.future.poll
})
