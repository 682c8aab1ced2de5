// Groups and SoonValues are Inspectable and Pipeable (their interfaces say so): printed,
// logged or inspected, they show what a reader needs (name, mode, state, live tasks; a
// task's name and how it ended), and `pipe` applies functions to them as to any Effect
// data type.
import { assert, describe, it } from "@effect/vitest"
import { inspect } from "node:util"
import { Deferred, Effect, Fiber } from "effect"
import { Future, SoonValue, TaskGroup } from "@soonify/core"
import { settle } from "./support.ts"

describe("a TaskGroup, printed", () => {
  it.effect("shows its name, mode, state and running tasks as it goes from open to closed", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "printed", mode: "settle" })
      assert.deepStrictEqual(group.toJSON(), {
        _id: "TaskGroup",
        name: "printed",
        mode: "settle",
        state: "open",
        running: 0
      })
      const gate = yield* Deferred.make<void>()
      yield* group.spawn(Effect.onInterrupt(Deferred.await(gate), () => Effect.void))
      yield* settle
      assert.deepInclude(group.toJSON() as object, { state: "open", running: 1 })
      TaskGroup.cancelUnsafe(group)
      const joined = yield* Effect.forkChild(TaskGroup.join(group).pipe(Effect.exit))
      yield* Fiber.join(joined)
      assert.deepInclude(group.toJSON() as object, { state: "closed", running: 0 })
    })
  )

  it.effect("counts as running a task that is stopping, and not those waiting for a slot", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "stopping", concurrency: 1 })
      const gate = yield* Deferred.make<void>()
      const stopping = yield* group.spawn(Effect.uninterruptible(Deferred.await(gate)))
      yield* group.spawn(Effect.never)
      yield* group.spawn(Effect.never)
      yield* settle
      yield* Effect.forkChild(stopping.cancel)
      yield* settle
      assert.deepInclude(group.toJSON() as object, { state: "open", running: 1 })
      yield* Deferred.succeed(gate, undefined)
      TaskGroup.cancelUnsafe(group)
      yield* Effect.exit(TaskGroup.join(group))
    })
  )

  it.effect("reads as indented JSON in a string, and as its JSON in Node's inspect", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "text" })
      assert.strictEqual(
        String(group),
        '{\n  "_id": "TaskGroup",\n  "name": "text",\n  "mode": "failFast",\n  "state": "open",\n  "running": 0\n}'
      )
      assert.strictEqual(inspect(group), inspect(group.toJSON()))
    })
  )

  it.effect("is pipeable", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "piped" })
      assert.strictEqual(
        group.pipe(
          (g) => g.toJSON() as { readonly name: string },
          (json) => json.name
        ),
        "piped"
      )
    })
  )
})

describe("a SoonValue, printed", () => {
  it.effect("shows its name, and pending until it ends, then how it ended", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<number>()
      yield* TaskGroup.run((g) =>
        Effect.gen(function* () {
          const pending = yield* g.spawn(Deferred.await(gate), { name: "waits" })
          yield* settle
          assert.deepStrictEqual(pending.toJSON(), { _id: "SoonValue", name: "waits", state: "pending" })
          yield* Deferred.succeed(gate, 7)
          yield* pending.await
          assert.deepStrictEqual(pending.toJSON(), {
            _id: "SoonValue",
            name: "waits",
            state: { _id: "Exit", _tag: "Success", value: 7 }
          })
        })
      )
    })
  )

  it.effect("a task without a name is shown as task-N, N its place in spawn order", () =>
    TaskGroup.run((g) =>
      Effect.gen(function* () {
        yield* g.spawn(Effect.void)
        const second = yield* g.spawn(Effect.void)
        assert.strictEqual(second.name, "task-2")
        assert.deepInclude(second.toJSON() as object, { name: "task-2" })
      })
    )
  )

  it.effect("reads as indented JSON in a string, as its JSON in Node's inspect, and is pipeable", () =>
    TaskGroup.run((g) =>
      Effect.gen(function* () {
        const soon = yield* g.spawn(Effect.succeed(1), { name: "one" })
        yield* soon.await
        assert.strictEqual(
          String(soon),
          '{\n  "_id": "SoonValue",\n  "name": "one",\n  "state": {\n    "_id": "Exit",\n    "_tag": "Success",\n    "value": 1\n  }\n}'
        )
        assert.strictEqual(inspect(soon), inspect(soon.toJSON()))
        assert.strictEqual(
          soon.pipe((s) => s.name),
          "one"
        )
      })
    )
  )
})

describe("a Future, printed", () => {
  it("shows itself as a Future, with its name and state", () => {
    const future = Future.makeUnsafe<number>({ name: "answer" })
    assert.deepStrictEqual((future as any).toJSON(), { _id: "Future", name: "answer", state: "pending" })
  })
})

describe("type ids", () => {
  it.effect("a group, a handle and a Future carry their type id", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe()
      const soon = TaskGroup.spawnUnsafe(group, Effect.void)
      const future = Future.makeUnsafe<void>()
      assert.strictEqual((group as any)[TaskGroup.TypeId], TaskGroup.TypeId)
      assert.isDefined((soon as any)[SoonValue.TypeId])
      assert.isDefined((future as any)[Future.TypeId])
      yield* TaskGroup.join(group)
    })
  )
})
