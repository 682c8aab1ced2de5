// Issue 21, item 3: the first `reportProgress` of a process, called from a fiber the task
// forked (here the racing fiber of `Effect.timeout`), found no task when tasks were
// tracked only once a snapshot or a progress report switched tracking on. This file must
// open no group before its test does: each test file runs in a fresh module instance.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SoonValue, TaskGroup } from "@soonify/core"

describe("the first reportProgress of the process", () => {
  it.live("works from a fiber the task forked inside Effect.timeout", () =>
    Effect.gen(function* () {
      // The example, verbatim.
      const task = (l: string) =>
        Effect.sleep("5 millis").pipe(
          Effect.andThen(TaskGroup.reportProgress(1, 2)),
          Effect.as(l),
          Effect.timeout("1 second")
        )
      const handles = yield* TaskGroup.run((group) => Effect.all([group.soonify(task)("a"), group.soonify(task)("b")]))
      assert.deepStrictEqual(
        handles.map((h) => [SoonValue.pollUnsafe(h)?._tag, h.progress]),
        [
          ["Success", { done: 1, total: 2 }],
          ["Success", { done: 1, total: 2 }]
        ]
      )
      assert.deepStrictEqual(yield* Effect.all(handles.map((h) => h.value)), ["a", "b"])
    })
  )
})
