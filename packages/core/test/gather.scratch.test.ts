import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import { Future, SoonValue, TaskGroup } from "@soonify/core"

describe("scratch", () => {
  it.effect("gather", () =>
    Effect.gen(function* () {
      const [a, b] = yield* TaskGroup.gather([Effect.succeed(1), Effect.succeed("x")])
      assert.strictEqual(a, 1)
      assert.strictEqual(b, "x")
      const r = yield* TaskGroup.gather({ q: Effect.succeed(true) })
      assert.strictEqual(r.q, true)
      const [e] = yield* TaskGroup.gather([Effect.fail("boom")], { returnExceptions: true })
      assert.isTrue(Exit.isFailure(e))
      const f = yield* Future.make<number>()
      yield* Future.succeed(f, 3)
      assert.strictEqual(yield* f.value, 3)
      const again = yield* Effect.flip(Future.succeed(f, 4))
      assert.strictEqual(again._tag, "FutureSetAgain")
      const out = yield* TaskGroup.run((g) =>
        Effect.gen(function* () {
          const s = yield* g.spawn(Effect.as(Effect.yieldNow, "s"))
          const t = yield* g.spawn(Effect.succeed("t"))
          const first = yield* SoonValue.waitAny([s, t])
          yield* SoonValue.waitAll([s, t])
          const order = yield* Stream.runCollect(SoonValue.asCompleted([s, t]))
          return [first.name, order.length]
        })
      )
      assert.deepStrictEqual(out, ["task-2", 2])
    }))
})

describe("unsafe", () => {
  it("spawnUnsafe / cancelUnsafe / join", async () => {
    const group = TaskGroup.makeUnsafe()
    const a = TaskGroup.spawnUnsafe(group, Effect.succeed(1))
    assert.isTrue(a.ready)
    const b = TaskGroup.spawnUnsafe(group, Effect.never)
    assert.isFalse(b.ready)
    TaskGroup.cancelUnsafe(group)
    const exit = await Effect.runPromiseExit(TaskGroup.join(group))
    assert.isTrue(Exit.isFailure(exit))
    assert.isTrue(b.ready)
  })
})
