// Groups nested ten thousand deep: starting, ending, failing and being interrupted all
// go on without overflowing the stack (Effect resumes waiting fibers synchronously, so a
// naive implementation ends 10,000 groups in one call chain).
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TaskGroup } from "@soonify/core"
import { describeNested } from "./nesting.ts"

const depth = 10_000

describeNested(depth, it.live)

describe("many tasks waiting for a few permits", () => {
  // Each take and release of Effect's Semaphore scanned every waiter: 20,000 tasks
  // limited to 8 at a time took about 35 s, 40,000 over a minute. Now a constant cost each.
  it.live("50,000 tasks with concurrency 4 start in spawn order, quickly", () =>
    Effect.gen(function* () {
      const order: Array<number> = []
      const started = Date.now()
      yield* TaskGroup.run(
        (group) =>
          Effect.forEach(
            Array.from({ length: 50_000 }, (_, i) => i),
            (i) =>
              group.spawn(
                Effect.andThen(
                  Effect.sync(() => order.push(i)),
                  Effect.yieldNow
                )
              )
          ),
        { concurrency: 4 }
      )
      const elapsed = Date.now() - started
      assert.strictEqual(order.length, 50_000)
      assert.isTrue(
        order.every((value, i) => value === i),
        "tasks started in spawn order"
      )
      assert.isBelow(elapsed, 10_000, `took ${elapsed} ms`)
    })
  )
})
