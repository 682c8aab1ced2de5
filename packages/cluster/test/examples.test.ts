import { assert, describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer } from "effect"
import { TestRunner } from "effect/cluster"
import { TestClock } from "effect/testing"
import { ImageTooLarge, ThumbnailLive, thumbnails } from "../examples/thumbnails.ts"
import { shardsAcquired } from "./support.ts"

const runner = ThumbnailLive.pipe(Layer.provideMerge(TestRunner.layer))

/**
 * Lets the handlers' 20 ms of work pass until `fiber` ends. A call reaches its handler
 * through several fibers, so its sleep may start after a first adjustment: keep the
 * clock moving (a bounded number of steps) instead of counting on one.
 */
const renderTime = (fiber: Fiber.Fiber<unknown, unknown>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 50 && fiber.pollUnsafe() === undefined; i++) {
      yield* shardsAcquired
      yield* TestClock.adjust("20 millis")
    }
  })

describe("the README example", () => {
  it.effect("makes every thumbnail on the runner, in input order", () =>
    Effect.gen(function* () {
      yield* shardsAcquired
      const fiber = yield* Effect.forkChild(thumbnails(["a.png", "bb.png"], 100))
      yield* renderTime(fiber)
      const result = yield* Fiber.join(fiber)
      expect(result).toEqual([
        { url: "a.png?w=100", bytes: 500 },
        { url: "bb.png?w=100", bytes: 600 }
      ])
    }).pipe(Effect.provide(runner))
  )

  it.effect("fails with the runner's typed error when an image is too large", () =>
    Effect.gen(function* () {
      yield* shardsAcquired
      const fiber = yield* Effect.forkChild(Effect.exit(thumbnails(["a.png", "huge.png"], 10_000)))
      yield* renderTime(fiber)
      const exit = yield* Fiber.join(fiber)
      assert(Exit.isFailure(exit))
      expect(exit.cause.reasons.map((r) => (r._tag === "Fail" ? r.error : r))).toEqual([
        new ImageTooLarge({ url: "huge.png", bytes: 80_000 })
      ])
    }).pipe(Effect.provide(runner))
  )
})
