// Groups nested 2,000 deep: a quick version of scale.test.ts (10,000 deep, seconds per
// case), deep enough that starting, ending, failing or being interrupted in one call
// chain would overflow the stack, and quick enough for `pnpm test:mutation` to run.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import { TaskGroup } from "@soonify/core"
import { describeNested } from "./nesting.ts"
import { describeDeepSnapshots } from "./snapshotNesting.ts"

const depth = 2_000

describeNested(depth, it.effect)

// Deep enough that a recursive snapshot or rendering overflows the stack.
describeDeepSnapshots(3_000)

describe(`tasks run outside Effect, nested ${depth} deep`, () => {
  /** Each level's task is a fiber, started at once by its start function, that runs the next level's group. */
  const external = (n: number, deepest: Effect.Effect<number>): Effect.Effect<number> =>
    n === 0
      ? deepest
      : TaskGroup.run((group) =>
          Effect.flatMap(
            Effect.sync(() => TaskGroup.spawnExternalUnsafe(group, () => Effect.runFork(external(n - 1, deepest)))),
            (soon) => Effect.map(soon.await, (x) => x + 1)
          )
        )

  it.effect("start, end and give their values back", () =>
    Effect.map(external(depth, Effect.succeed(0)), (value) => assert.strictEqual(value, depth))
  )

  it.effect("interrupted from outside: every level ends interrupted", () =>
    Effect.gen(function* () {
      const reached = yield* Deferred.make<void>()
      let finalized = 0
      const fiber = yield* Effect.forkChild(
        external(
          depth,
          Effect.andThen(Deferred.succeed(reached, undefined), Effect.never).pipe(
            Effect.ensuring(Effect.sync(() => finalized++))
          )
        )
      )
      yield* Deferred.await(reached)
      yield* Fiber.interrupt(fiber)
      const exit = yield* Fiber.await(fiber)
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), String(exit))
      assert.strictEqual(finalized, 1)
    })
  )
})

describe(`start functions that spawn the next level at once, ${depth} deep`, () => {
  /**
   * Each level's start function opens the next level's group and spawns into it, on the
   * same stack; the deepest group holds a task that runs until stopped. Stopping a level
   * cancels its group.
   */
  const level = (
    n: number,
    ended: Array<number>,
    reached: Deferred.Deferred<void>
  ): TaskGroup.ExternalTask<void, unknown> => {
    const group = TaskGroup.makeUnsafe()
    if (n > 0) TaskGroup.spawnExternalUnsafe(group, () => level(n - 1, ended, reached))
    else TaskGroup.spawnUnsafe(group, Effect.andThen(Deferred.succeed(reached, undefined), Effect.never))
    const joined = Effect.runFork(
      Effect.ensuring(
        TaskGroup.join(group),
        Effect.sync(() => ended.push(n))
      )
    )
    return { addObserver: (f) => joined.addObserver(f), interruptUnsafe: () => TaskGroup.cancelUnsafe(group) }
  }

  it.effect("all start, and a cancel from the top stops every level before the top group ends", () =>
    Effect.gen(function* () {
      const ended: Array<number> = []
      const reached = yield* Deferred.make<void>()
      const top = TaskGroup.makeUnsafe()
      TaskGroup.spawnExternalUnsafe(top, () => level(depth, ended, reached))
      yield* Deferred.await(reached)
      assert.lengthOf(ended, 0)
      TaskGroup.cancelUnsafe(top)
      const exit = yield* Effect.exit(TaskGroup.join(top))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), String(exit))
      assert.strictEqual(ended.length, depth + 1, "a level was still running when the top group ended")
    })
  )
})
