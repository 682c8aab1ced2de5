// The process's first snapshot and progress report find tasks started, and groups
// opened, before them (tracking was once switched on by them: see internal/tracking.ts).
// This file must take no snapshot before its tests do: each test file runs in a fresh
// module instance.
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { TaskGroup } from "@soonify/core"

describe("the first snapshot of the process", () => {
  it.effect("places groups opened before it under their tasks, and finds those tasks' progress", () =>
    Effect.gen(function* () {
      const opened = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const outer = yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            const first = yield* group.spawn(
              Effect.gen(function* () {
                // In its first steps, before anything switched tracking on.
                yield* TaskGroup.reportProgress(1, 3)
                yield* Effect.yieldNow
                yield* TaskGroup.run(
                  (inner) =>
                    Effect.gen(function* () {
                      yield* inner.spawn(Deferred.await(release), { name: "leaf" })
                      // A group opened by the body of a group opened in the task.
                      yield* TaskGroup.run(
                        (innermost) =>
                          Effect.andThen(
                            innermost.spawn(Deferred.await(release), { name: "deepest" }),
                            Deferred.succeed(opened, undefined)
                          ),
                        { name: "innermost" }
                      )
                    }),
                  { name: "inner" }
                )
                yield* TaskGroup.reportProgress(3, 3)
              }),
              { name: "opener" }
            )
            yield* Deferred.await(opened)
            const snapshot = yield* TaskGroup.snapshot(group)
            yield* Deferred.succeed(release, undefined)
            return [snapshot, first] as const
          }),
        { name: "outer" }
      )
      const [snapshot, first] = outer
      const [opener] = snapshot.tasks
      assert.deepStrictEqual(opener.progress, { done: 1, total: 3 })
      assert.deepStrictEqual(
        opener.groups.map((g) => g.name),
        ["inner", "innermost"]
      )
      assert.deepStrictEqual(
        opener.groups.map((g) => g.tasks.map((t) => t.name)),
        [["leaf"], ["deepest"]]
      )
      assert.deepStrictEqual(first.progress, { done: 3, total: 3 })
    })
  )
})
