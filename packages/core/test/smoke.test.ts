import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { TaskGroup } from "@soonify/core"

describe("smoke", () => {
  it.effect("runs three tasks concurrently", () =>
    Effect.gen(function* () {
      const doWork = (name: string) => Effect.as(Effect.sleep("1 second"), `Hello, ${name}`)
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.all([group.soonify(doWork)("a"), group.soonify(doWork)("b"), group.soonify(doWork)("c")])
        )
      )
      yield* Effect.yieldNow
      yield* Effect.yieldNow
      yield* TestClock.adjust("1 second")
      const [a, b, c] = yield* Fiber.join(fiber)
      assert.deepStrictEqual([yield* a.value, yield* b.value, yield* c.value], ["Hello, a", "Hello, b", "Hello, c"])
    })
  )
})
