// A group opened inside a task before the process's first snapshot is shown under its
// task by that snapshot (it was once placed among the roots until a snapshot switched
// tracking on: see internal/tracking.ts). This file must take no snapshot before its
// test does.
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { TaskGroup } from "@soonify/core"

describe("the first snapshot of the process", () => {
  it.effect("moves the groups opened inside running tasks under them", () =>
    Effect.gen(function* () {
      const opened = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const [snapshot, roots] = yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            // Opened after the task's first steps (a group opened during them is placed at once).
            yield* group.spawn(
              Effect.andThen(
                Effect.yieldNow,
                TaskGroup.run(
                  (inner) =>
                    Effect.andThen(
                      inner.spawn(Effect.andThen(Deferred.succeed(opened, undefined), Deferred.await(release)), {
                        name: "leaf"
                      }),
                      Effect.void
                    ),
                  { name: "inner" }
                )
              ),
              { name: "opener" }
            )
            yield* Deferred.await(opened)
            const roots = (yield* TaskGroup.snapshotAll).map((g) => g.name)
            const snapshot = yield* TaskGroup.snapshot(group)
            yield* Deferred.succeed(release, undefined)
            return [snapshot, roots] as const
          }),
        { name: "outer" }
      )
      assert.include(roots, "outer")
      assert.notInclude(roots, "inner")
      assert.deepStrictEqual(
        snapshot.tasks[0].groups.map((g) => g.name),
        ["inner"]
      )
    })
  )
})
