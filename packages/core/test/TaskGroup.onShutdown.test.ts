import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { TaskGroup } from "@soonify/core"

describe("TaskGroup.onShutdownUnsafe", () => {
  it("calls back once, before any task is interrupted, when a failure shuts the group down", async () => {
    const group = TaskGroup.makeUnsafe()
    const seen: Array<string> = []
    const forever = TaskGroup.spawnUnsafe(
      group,
      Effect.onInterrupt(Effect.never, () => Effect.sync(() => seen.push("interrupted")))
    )
    TaskGroup.onShutdownUnsafe(group, () => seen.push(`shutdown, forever ready: ${forever.ready}`))
    TaskGroup.spawnUnsafe(group, Effect.fail("boom"))
    TaskGroup.cancelUnsafe(group)
    await Effect.runPromiseExit(TaskGroup.join(group))
    assert.deepStrictEqual(seen, ["shutdown, forever ready: false", "interrupted"])
  })

  it("calls back on a cancel, and at once when the group is already shutting down", async () => {
    const group = TaskGroup.makeUnsafe()
    // Still shutting down after the cancel: its finalizer takes a while.
    TaskGroup.spawnUnsafe(
      group,
      Effect.onInterrupt(Effect.never, () => Effect.sleep("5 millis"))
    )
    let calls = 0
    TaskGroup.onShutdownUnsafe(group, () => calls++)
    TaskGroup.cancelUnsafe(group)
    assert.strictEqual(calls, 1)
    TaskGroup.onShutdownUnsafe(group, () => calls++)
    assert.strictEqual(calls, 2)
    await Effect.runPromiseExit(TaskGroup.join(group))
  })

  it("never calls back for a group that ends normally, or one that has ended", async () => {
    const group = TaskGroup.makeUnsafe()
    let calls = 0
    TaskGroup.onShutdownUnsafe(group, () => calls++)
    TaskGroup.spawnUnsafe(group, Effect.succeed(1))
    assert.deepStrictEqual(await Effect.runPromiseExit(TaskGroup.join(group)), Exit.void)
    TaskGroup.onShutdownUnsafe(group, () => calls++)
    TaskGroup.cancelUnsafe(group)
    assert.strictEqual(calls, 0)
  })

  it("calls back when the body of TaskGroup.run fails", async () => {
    let calls = 0
    const exit = await Effect.runPromiseExit(
      TaskGroup.run((group) =>
        Effect.gen(function* () {
          TaskGroup.onShutdownUnsafe(group, () => calls++)
          yield* group.spawn(Effect.never)
          return yield* Effect.fail("body")
        })
      )
    )
    assert.deepStrictEqual(exit, Exit.fail("body"))
    assert.strictEqual(calls, 1)
  })

  it("unregisters with the function it returns", async () => {
    const group = TaskGroup.makeUnsafe()
    let calls = 0
    const unregister = TaskGroup.onShutdownUnsafe(group, () => calls++)
    unregister()
    TaskGroup.cancelUnsafe(group)
    await Effect.runPromiseExit(TaskGroup.join(group))
    assert.strictEqual(calls, 0)
  })

  it("rejects what is not a group or a function", () => {
    assert.throws(() => TaskGroup.onShutdownUnsafe({} as any, () => undefined), /expected a TaskGroup/)
    assert.throws(() => TaskGroup.onShutdownUnsafe(TaskGroup.makeUnsafe(), 1 as any), /expected a function/)
  })
})
