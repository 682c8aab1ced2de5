// The anchor for core's own weight: the same program with Effect alone (a fiber forked
// and joined), so core's addition is core-minimal minus this.
import { Effect, Fiber } from "effect"

const program = Effect.gen(function* () {
  const fiber = yield* Effect.forkChild(Effect.succeed(21))
  return yield* Fiber.join(fiber)
})
console.log(await Effect.runPromise(program))
