import { describe, expectTypeOf, it } from "@effect/vitest"
import type { Effect } from "effect"
import type { Sharding } from "effect/cluster/Sharding"
import { TaskGroup, type PendingValue, type SoonValue } from "@soonify/core"
import { RemoteTask, type TransportError } from "@soonify/cluster"
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

  it("a handler must return the success and error types of the task's schemas", () => {
    // @ts-expect-error: the handler returns a number, the task a string
    RemoteTask.toLayer(Resize, () => ({}) as Effect.Effect<number>)
    // @ts-expect-error: the handler fails with an error the task's schema does not describe
    RemoteTask.toLayer(Resize, () => ({}) as Effect.Effect<string, Error>)
  })
})
