// The data structures under the group, pinned one by one: what the suites of whole
// groups cannot tell apart (a shortcut that gives the same answers, a list whose ended
// entries a snapshot would skip anyway) is still specified here.
import { assert, describe, it } from "@effect/vitest"
import { Clock, Context, Data, Effect, Exit } from "effect"
import { isEffect, isExit } from "../src/internal/effectKind.ts"
import { TaskGroup } from "@soonify/core"
import { TaskHandle } from "../src/internal/handle.ts"
import { LiveTasks } from "../src/internal/liveTasks.ts"
import { startTime } from "../src/internal/startTime.ts"
import { vi } from "vitest"

describe("isEffect", () => {
  class Database extends Context.Service<Database, { readonly url: string }>()("Database") {}

  it("is true for effects, Exits and services (which are functions), false for anything else", () => {
    assert.deepStrictEqual([Effect.void, Effect.sync(() => 1), Exit.succeed(1), Database].map(isEffect), [
      true,
      true,
      true,
      true
    ])
    assert.deepStrictEqual([null, undefined, 0, "effect", {}, () => Effect.void, Symbol("effect")].map(isEffect), [
      false,
      false,
      false,
      false,
      false,
      false,
      false
    ])
  })
})

describe("isExit", () => {
  class Success extends Data.TaggedError("Success")<{}> {}
  /** An Exit made by another copy of Effect: not one of this copy's prototypes, yet an Exit. */
  const foreign = (exit: Exit.Exit<unknown, unknown>): Exit.Exit<unknown, unknown> =>
    Object.assign(Object.create({ ...Object.getPrototypeOf(exit) }), exit)

  it("is true for every Exit, this copy of Effect's or another's", () => {
    const exits = [Exit.succeed(1), Exit.fail("e"), Exit.die("d"), Exit.interrupt(1)]
    assert.deepStrictEqual(exits.map(isExit), [true, true, true, true])
    assert.deepStrictEqual(exits.map(foreign).map(isExit), [true, true, true, true])
  })

  it("is false for other effects, also one tagged like an Exit", () => {
    assert.deepStrictEqual([Effect.sync(() => 1), Effect.never, new Success()].map(isExit), [false, false, false])
  })
})

describe("LiveTasks", () => {
  const names = (tasks: LiveTasks) => tasks.toArray().map((task) => task.name)
  const handles = (...names: Array<string>) =>
    names.map((name) => new TaskHandle<unknown, unknown>(name, TaskGroup.makeUnsafe() as never))

  it("keeps tasks in the order they were added, and each leaves it once", () => {
    const tasks = new LiveTasks()
    const [a, b, c, d] = handles("a", "b", "c", "d")
    for (const task of [a, b, c, d]) tasks.add(task!)
    tasks.delete(b!)
    assert.deepStrictEqual(names(tasks), ["a", "c", "d"])
    tasks.delete(d!)
    assert.deepStrictEqual(names(tasks), ["a", "c"])
    tasks.delete(a!)
    assert.deepStrictEqual(names(tasks), ["c"])
    const [e] = handles("e")
    tasks.add(e!)
    assert.deepStrictEqual(names(tasks), ["c", "e"])
    tasks.delete(c!)
    tasks.delete(e!)
    assert.deepStrictEqual(names(tasks), [])
    tasks.add(a!)
    assert.deepStrictEqual(names(tasks), ["a"])
  })

  it("leaves no link in a task that left, and ignores one that is not in it (any more)", () => {
    const tasks = new LiveTasks()
    const [a, b, c, stranger] = handles("a", "b", "c", "stranger")
    for (const task of [a, b, c]) tasks.add(task!)
    tasks.delete(b!)
    assert.deepStrictEqual([b!.previousLive, b!.nextLive], [undefined, undefined])
    // A second removal, or a task never added, changes nothing.
    tasks.delete(b!)
    tasks.delete(stranger!)
    assert.deepStrictEqual(names(tasks), ["a", "c"])
  })

  it("tells whether some task satisfies a predicate", () => {
    const tasks = new LiveTasks()
    const [a, b] = handles("a", "b")
    assert.isFalse(tasks.some(() => true))
    tasks.add(a!)
    tasks.add(b!)
    assert.isTrue(tasks.some((task) => task === b))
    assert.isFalse(tasks.some((task) => task.name === "c"))
  })
})

describe("startTime", () => {
  const systemClock = Context.get(Context.empty(), Clock.Clock)
  const nextMicrotask = () => new Promise<void>((resolve) => queueMicrotask(resolve))

  it("asks a Clock of the program's own for every task", () => {
    let now = 0
    const clock = { ...systemClock, currentTimeMillisUnsafe: () => (now += 10) } as Clock.Clock
    assert.deepStrictEqual([startTime(clock), startTime(clock), startTime(clock)], [10, 20, 30])
  })

  it("reads the system clock once for the tasks of one synchronous run, up to 1 + 256 of them", async () => {
    let now = 1_000
    const spy = vi.spyOn(Date, "now").mockImplementation(() => now++)
    try {
      await nextMicrotask()
      const first = startTime(systemClock)
      const shared = Array.from({ length: 256 }, () => startTime(systemClock))
      assert.isTrue(shared.every((at) => at === first))
      const next = startTime(systemClock)
      assert.isTrue(next > first)
      assert.strictEqual(startTime(systemClock), next)
      // After a microtask: a new reading.
      await nextMicrotask()
      const after = startTime(systemClock)
      assert.isTrue(after > next)
      assert.strictEqual(startTime(systemClock), after)
    } finally {
      spy.mockRestore()
    }
  })
})
