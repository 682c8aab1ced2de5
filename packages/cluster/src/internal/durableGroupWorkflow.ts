// The engine side of a durable group: a workflow execution, keyed by the group's key,
// whose record is the engine's own (deferreds for its members, its seal and its
// cancellation; its members are its child executions). Its fail fast runs here, in
// the engine, whether or not a caller is alive.
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Activity from "effect/workflow/Activity"
import * as DurableDeferred from "effect/workflow/DurableDeferred"
import * as Workflow from "effect/workflow/Workflow"
import { WorkflowEngine } from "effect/workflow/WorkflowEngine"

export type AnyWorkflow = Workflow.Workflow<string, Workflow.AnyStructSchema, Schema.Top, Schema.Top>

/** What a group's execution ends with. */
export const GroupOutcome = Schema.Struct({
  /** How many members it had. */
  members: Schema.Number,
  /** The members that failed (not interrupted), by index. */
  failed: Schema.Array(Schema.Number),
  /** Whether it was cancelled (`DurableGroup.cancel`, or its caller's interruption). */
  cancelled: Schema.Boolean
})
export type GroupOutcome = typeof GroupOutcome.Type

/** The group's execution: one per key, ever. */
export const GroupWorkflow = Workflow.make("soonify/DurableGroup", {
  payload: { key: Schema.String, failFast: Schema.Boolean },
  success: GroupOutcome,
  idempotencyKey: ({ key }) => key
})

/** The record of member `index`: its workflow's name and its payload, encoded with the workflow's schema, as JSON. */
export const MemberRecord = Schema.Struct({ workflow: Schema.String, payload: Schema.String })
export type MemberRecord = typeof MemberRecord.Type

/** Member `index`'s slot in the group's record. */
export const memberSlot = (index: number) => DurableDeferred.make(`member/${index}`, { success: MemberRecord })
/** The group's seal: its caller's body has ended, with this many members. */
export const sealSlot = DurableDeferred.make("sealed", { success: Schema.Number })
/** The group's cancellation. */
export const cancelSlot = DurableDeferred.make("cancel")

/** The workflows a runner's groups may have as members, by name. */
export class MemberWorkflows extends Context.Service<MemberWorkflows, ReadonlyMap<string, AnyWorkflow>>()(
  "@soonify/cluster/DurableGroup/MemberWorkflows"
) {}

interface Member {
  readonly index: number
  readonly workflow: AnyWorkflow
  readonly payload: unknown
  readonly executionId: string
}

const isFailure = (exit: Exit.Exit<unknown, unknown>): boolean =>
  Exit.isFailure(exit) && !Cause.hasInterruptsOnly(exit.cause)

/** Reads a slot without waiting. */
const read = <S extends Schema.Constraint>(
  engine: WorkflowEngine["Service"],
  slot: DurableDeferred.DurableDeferred<S>
) => engine.deferredResult(slot)

const decodeMember = (workflows: ReadonlyMap<string, AnyWorkflow>, index: number, record: MemberRecord) =>
  Effect.gen(function* () {
    const workflow = workflows.get(record.workflow)
    if (workflow === undefined) {
      return yield* Effect.die(
        new Error(
          `DurableGroup: member ${index} is a "${record.workflow}" execution, a workflow this runner's ` +
            `DurableGroup.layer was not given`
        )
      )
    }
    const payload = yield* Effect.orDie(
      Schema.decodeUnknownEffect(Schema.toCodecJson(workflow.payloadSchema))(JSON.parse(record.payload))
    )
    const executionId = yield* workflow.executionId(payload)
    return { index, workflow, payload, executionId } satisfies Member
  })

/** The group's body: run again from the start after every suspension (a replay), as any workflow's. */
const body = ({ failFast }: { readonly key: string; readonly failFast: boolean }) =>
  Effect.gen(function* () {
    const engine = yield* WorkflowEngine
    const workflows = yield* MemberWorkflows
    const members: Array<Member> = []
    for (let index = 0; ; index++) {
      const record = yield* read(engine, memberSlot(index))
      if (Option.isNone(record) || Exit.isFailure(record.value)) break
      members.push(yield* decodeMember(workflows, index, record.value.value))
    }
    const sealed = yield* read(engine, sealSlot)
    const cancelled = Option.isSome(yield* read(engine, cancelSlot))
    const exits = new Map<number, Exit.Exit<unknown, unknown>>()
    for (const member of members) {
      const result = yield* member.workflow.poll(member.executionId)
      if (Option.isSome(result) && result.value._tag === "Complete") exits.set(member.index, result.value.exit)
    }
    // Once stopping, the members are those the group held when it stopped (recorded by
    // an activity, so every replay agrees); a member recorded later never starts.
    const stopCount = Activity.make({
      name: "stopped",
      success: Schema.Number,
      execute: Effect.succeed(members.length)
    })
    let held = members
    const outcome = (): GroupOutcome => ({
      members: held.length,
      failed: held.filter((m) => isFailure(exits.get(m.index) ?? Exit.void)).map((m) => m.index),
      cancelled
    })
    let stopping = cancelled || (failFast && [...exits.values()].some(isFailure))
    // Interrupting stops a member at once, also inside a long activity (unsafe: the
    // engine interrupts its fiber), then runs its compensations and finalizers.
    const stopRunning = Effect.suspend(() =>
      Effect.forEach(
        held.filter((m) => !exits.has(m.index)),
        (m) => engine.interruptUnsafe(m.workflow, m.executionId),
        { discard: true, concurrency: "unbounded" }
      )
    )
    if (stopping) {
      const count = yield* stopCount
      held = members.slice(0, count)
      yield* stopRunning
    }
    const allEnded = held.every((m) => exits.has(m.index))
    const complete = Option.isSome(sealed) && Exit.isSuccess(sealed.value) && sealed.value.value === members.length
    if (allEnded && (stopping || complete)) return outcome()
    // Wait for the members (as child executions: each one's end wakes the group), and
    // for a new member, the seal or a cancellation (each one's record wakes it too).
    const waits = held
      .filter((m) => !exits.has(m.index))
      .map((m) =>
        Effect.flatMap(Effect.exit(m.workflow.execute(m.payload as never)), (exit) => {
          exits.set(m.index, exit)
          if (!stopping && failFast && isFailure(exit)) {
            stopping = true
            return Effect.flatMap(stopCount, (count) => {
              held = members.slice(0, count)
              return stopRunning
            })
          }
          return Effect.void
        })
      )
    const watchers = stopping
      ? []
      : [
          ...(complete ? [] : [DurableDeferred.await(memberSlot(members.length)), DurableDeferred.await(sealSlot)]),
          DurableDeferred.await(cancelSlot)
        ]
    yield* Effect.all([...waits, ...watchers.map(Effect.asVoid)], { concurrency: "unbounded", discard: true })
    return outcome()
  })

/** Serves durable groups whose members are executions of `workflows`. */
export const layer = (workflows: ReadonlyArray<AnyWorkflow>): Layer.Layer<never, never, WorkflowEngine> =>
  GroupWorkflow.toLayer(body).pipe(
    Layer.provide(Layer.succeed(MemberWorkflows, new Map(workflows.map((w) => [w._tag, w]))))
  ) as Layer.Layer<never, never, WorkflowEngine>
