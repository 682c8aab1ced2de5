import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Future, SoonValue, TaskGroup } from "@soonify/core"

describe("SoonValue.pollUnsafe", () => {
  it("gives undefined while the task runs, then its Exit", async () => {
    const group = TaskGroup.makeUnsafe({ mode: "settle" })
    const later = TaskGroup.spawnUnsafe(group, Effect.as(Effect.sleep("5 millis"), "later"))
    const failed = TaskGroup.spawnUnsafe(group, Effect.fail("boom"))
    assert.isUndefined(SoonValue.pollUnsafe(later))
    assert.deepStrictEqual(SoonValue.pollUnsafe(failed), Exit.fail("boom"))
    await Effect.runPromise(TaskGroup.join(group))
    assert.deepStrictEqual(SoonValue.pollUnsafe(later), Exit.succeed("later"))
  })

  it("reads Futures too, and refuses what is not a handle", () => {
    const future = Future.makeUnsafe<number>()
    assert.isUndefined(SoonValue.pollUnsafe(future))
    Effect.runSync(Future.succeed(future, 1))
    assert.deepStrictEqual(SoonValue.pollUnsafe(future), Exit.succeed(1))
    assert.throws(() => SoonValue.pollUnsafe({} as any), /expected a SoonValue/)
  })
})
