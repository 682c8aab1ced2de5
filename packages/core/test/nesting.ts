// The cases of groups nested `depth` deep that scale.test.ts (10,000 deep, real time) and
// deep.test.ts (2,000 deep, quick enough for mutation testing) both run: starting, ending,
// failing and being interrupted go on without overflowing the stack (Effect resumes
// waiting fibers synchronously, so a naive implementation ends every level in one call
// chain).
import { assert, describe, type it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import { TaskGroup } from "@soonify/core"
import { plain } from "./support.ts"

/** Each level spawns the next as a task and waits for its value. */
const spawning = (n: number, concurrency?: number): Effect.Effect<number> =>
  n === 0
    ? Effect.succeed(0)
    : TaskGroup.run(
        (group) =>
          Effect.flatMap(group.spawn(spawning(n - 1, concurrency)), (handle) => Effect.map(handle.await, (x) => x + 1)),
        { concurrency }
      )

/** Each level runs the next group inside its body. */
const inBody = (n: number): Effect.Effect<number> =>
  n === 0 ? Effect.succeed(0) : TaskGroup.run(() => Effect.map(inBody(n - 1), (x) => x + 1))

/** Each level gathers the next. */
const gathering = (n: number): Effect.Effect<number> =>
  n === 0 ? Effect.succeed(0) : Effect.map(TaskGroup.gather([Effect.suspend(() => gathering(n - 1))]), ([x]) => x + 1)

/** Defines the nested-groups cases at `depth`, each run with `test` (`it.effect` or `it.live`). */
export const describeNested = (depth: number, test: typeof it.effect): void => {
  describe(`groups nested ${depth} deep`, () => {
    test("a task in each, awaited by the body: every level's value comes back", () =>
      Effect.map(spawning(depth), (value) => assert.strictEqual(value, depth)))

    test("a task in each of groups limited to one task at a time", () =>
      Effect.map(spawning(depth, 1), (value) => assert.strictEqual(value, depth)))

    test("a group in each body", () => Effect.map(inBody(depth), (value) => assert.strictEqual(value, depth)))

    test("a gather in each", () => Effect.map(gathering(depth), (value) => assert.strictEqual(value, depth)))

    test("the deepest task fails: the failure reaches the top, every level ends", () =>
      Effect.gen(function* () {
        let ended = 0
        const failing = (n: number): Effect.Effect<unknown, string> =>
          (n === 0
            ? Effect.andThen(Effect.yieldNow, Effect.fail("deepest"))
            : TaskGroup.run((group) => Effect.andThen(group.spawn(failing(n - 1)), Effect.never))
          ).pipe(Effect.ensuring(Effect.sync(() => ended++)))
        const exit = yield* Effect.exit(failing(depth))
        assert.deepStrictEqual(plain(exit), Exit.fail("deepest"))
        assert.strictEqual(ended, depth + 1)
      }))

    test("interrupted from outside: every level's finalizer runs before the interruption returns", () =>
      Effect.gen(function* () {
        let finalized = 0
        const reached = yield* Deferred.make<void>()
        const hanging = (n: number): Effect.Effect<unknown> =>
          (n === 0
            ? Effect.andThen(Deferred.succeed(reached, undefined), Effect.never)
            : TaskGroup.run((group) => Effect.andThen(group.spawn(hanging(n - 1)), Effect.never))
          ).pipe(Effect.ensuring(Effect.sync(() => finalized++)))
        const fiber = yield* Effect.forkChild(hanging(depth))
        yield* Deferred.await(reached)
        yield* Fiber.interrupt(fiber)
        const exit = yield* Fiber.await(fiber)
        assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), String(exit))
        assert.strictEqual(finalized, depth + 1)
      }))
  })
}
