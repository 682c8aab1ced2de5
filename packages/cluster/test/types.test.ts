import { describe, expectTypeOf, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import type { Sharding } from "effect/cluster/Sharding"
import { Workflow, type WorkflowEngine } from "effect/workflow"
import { TaskGroup, type PendingValue, type SoonValue } from "@soonify/core"
import { DurableGroup, DurableTask, RemoteTask, type TransportError } from "@soonify/cluster"
import { type ImageTooLarge, Resize, WhereDefault } from "./support.ts"

describe("types", () => {
  it("a call takes the payload's type and fails with the task's error or a TransportError", () => {
    const resize = RemoteTask.call(Resize)
    expectTypeOf(resize).parameter(0).toEqualTypeOf<{
      readonly url: string
      readonly bytes: number
      readonly tags: ReadonlyArray<string>
    }>()
    expectTypeOf(resize).returns.toEqualTypeOf<Effect.Effect<string, ImageTooLarge | TransportError, Sharding>>()
    // a task without payload is called with no argument
    expectTypeOf(RemoteTask.call(WhereDefault)).toBeCallableWith()
  })

  it("a group that soonifies a remote call infers its errors and requirements", () => {
    const program = TaskGroup.run((group) => group.soonify(RemoteTask.call(Resize))({ url: "a", bytes: 1, tags: [] }))
    expectTypeOf(program).toEqualTypeOf<
      Effect.Effect<
        SoonValue.SoonValue<string, ImageTooLarge | TransportError>,
        ImageTooLarge | TransportError,
        Sharding
      >
    >()
    type Value = Effect.Success<typeof program> extends SoonValue.SoonValue<infer _A, infer E> ? E : never
    expectTypeOf<Value | PendingValue>().toEqualTypeOf<ImageTooLarge | TransportError | PendingValue>()
  })

  it("RemoteTask.Any takes a remote task of any name and schemas", () => {
    expectTypeOf(Resize).toExtend<RemoteTask.Any>()
    expectTypeOf(WhereDefault).toExtend<RemoteTask.Any>()
  })

  it("a handler must return the success and error types of the task's schemas", () => {
    // @ts-expect-error: the handler returns a number, the task a string
    RemoteTask.toLayer(Resize, () => ({}) as Effect.Effect<number>)
    // @ts-expect-error: the handler fails with an error the task's schema does not describe
    RemoteTask.toLayer(Resize, () => ({}) as Effect.Effect<string, Error>)
  })
})

class Rejected extends Schema.TaggedError<Rejected>()("Rejected", {}) {}
const Charge = Workflow.make("Charge", {
  payload: { id: Schema.String, cents: Schema.Number },
  success: Schema.Boolean,
  error: Rejected,
  idempotencyKey: ({ id }) => id
})

describe("types of durable tasks", () => {
  it("a durable call takes the workflow's payload and fails with its error, needing the engine", () => {
    const charge = DurableTask.call(Charge)
    expectTypeOf(charge).parameter(0).toEqualTypeOf<{ readonly id: string; readonly cents: number }>()
    expectTypeOf(charge).returns.toEqualTypeOf<Effect.Effect<boolean, Rejected, WorkflowEngine.WorkflowEngine>>()
    const program = TaskGroup.run((group) => group.soonify(DurableTask.call(Charge))({ id: "c", cents: 1 }))
    expectTypeOf<Effect.Error<typeof program>>().toEqualTypeOf<Rejected>()
  })
})

describe("types of durable groups", () => {
  it("a member's handle has the workflow's success and error; run's error channel has the members' errors", () => {
    const program = DurableGroup.run("k", (group) =>
      Effect.flatMap(group.spawn(Charge)({ id: "c", cents: 1 }), (member) => {
        expectTypeOf(member).toEqualTypeOf<DurableGroup.Member<boolean, Rejected>>()
        expectTypeOf(member.await).toEqualTypeOf<Effect.Effect<boolean, Rejected>>()
        return member.await
      })
    )
    expectTypeOf(program).toEqualTypeOf<Effect.Effect<boolean, Rejected, WorkflowEngine.WorkflowEngine>>()
    expectTypeOf(DurableGroup.cancel).returns.toEqualTypeOf<Effect.Effect<void, never, WorkflowEngine.WorkflowEngine>>()
  })

  it("spawn takes the workflow's payload", () => {
    DurableGroup.run("k", (group) =>
      // @ts-expect-error: cents must be a number
      group.spawn(Charge)({ id: "c", cents: "1" })
    )
  })
})
