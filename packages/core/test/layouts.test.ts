// V8 keeps an object layout (a hidden class) only while some object has it, and drops
// the optimized code that checks a layout it drops. Once the first group has ended, core
// keeps one small ended group of its own (internal/group.ts, `keepCoreLayouts`, run by the
// kernel's `keepLayouts` and kept in its registry), so that a
// full collection after every group of a program has ended leaves the task path's
// optimized code in place. This file runs in a process of its own (one per file).
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Option } from "effect"
import * as v8 from "node:v8"
import { TaskGroup } from "../src/index.ts"
import { GroupImpl, keptLayouts } from "../src/internal/group.ts"
import { TaskHandle } from "../src/internal/handle.ts"

class Database extends Context.Service<Database, { readonly url: string }>()("Database") {}

v8.setFlagsFromString("--allow-natives-syntax")
const sameLayout = new Function("a", "b", "return %HaveSameMap(a, b)") as (a: unknown, b: unknown) => boolean

/** Waits until the microtasks queued so far have run. */
const afterMicrotasks = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** A group run to its end, with its group, the handle of a task that ended in its first steps, and one of a task that waited. */
const oneGroup = Effect.gen(function* () {
  let opened: unknown
  const [handle, waited] = yield* TaskGroup.run((group) => {
    opened = group
    return Effect.all([
      group.spawn(
        Effect.gen(function* () {
          const database = yield* Database
          return database.url
        })
      ),
      group.spawn(Effect.as(Effect.yieldNow, "waited"))
    ])
  })
  assert.strictEqual(yield* handle.value, "postgres://")
  assert.strictEqual(yield* waited.value, "waited")
  return { group: opened, handle, waited }
}).pipe(Effect.provideService(Database, { url: "postgres://" }))

describe("the layouts core keeps", () => {
  it.effect(
    "are made once the first group has ended: an ended group of core's own, two ended tasks and an ended fiber",
    () =>
      Effect.gen(function* () {
        assert.strictEqual(keptLayouts(), undefined)
        const { group, handle, waited } = yield* oneGroup
        yield* afterMicrotasks
        const kept = keptLayouts()
        assert.isDefined(kept)
        const [keptGroup, keptTask, keptWaited, keptFiber] = kept!
        assert.instanceOf(keptGroup, GroupImpl)
        assert.isTrue((keptGroup as GroupImpl).isClosed)
        assert.instanceOf(keptTask, TaskHandle)
        assert.strictEqual((keptTask as TaskHandle<unknown, unknown>).exit?._tag, "Success")
        assert.strictEqual((keptWaited as TaskHandle<unknown, unknown>).exit?._tag, "Success")
        assert.isDefined((keptFiber as { pollUnsafe(): unknown }).pollUnsafe())
        // No user state: not the program's context, never in a snapshot.
        assert.isTrue(Option.isNone(Context.getOption((keptGroup as GroupImpl).context, Database)))
        assert.deepStrictEqual(TaskGroup.snapshotAllUnsafe(), [])
        // The point: they share the layouts of the program's own group and handle.
        assert.isTrue(sameLayout(keptGroup, group))
        assert.isTrue(sameLayout(keptTask, handle))
        assert.isTrue(sameLayout(keptWaited, waited))
      })
  )

  it.effect("are made once, not again for each group", () =>
    Effect.gen(function* () {
      yield* oneGroup
      yield* afterMicrotasks
      const kept = keptLayouts()
      const { group } = yield* oneGroup
      yield* afterMicrotasks
      assert.strictEqual(keptLayouts(), kept)
      assert.isTrue(sameLayout(kept![0], group))
    })
  )
})
