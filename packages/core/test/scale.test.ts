// Groups nested ten thousand deep: starting, ending, failing and being interrupted all
// go on without overflowing the stack (Effect resumes waiting fibers synchronously, so a
// naive implementation ends 10,000 groups in one call chain).
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber } from "effect"
import { TaskGroup } from "@soonify/core"

const depth = 10_000

/** Each level spawns the next as a task and waits for its value. */
const spawning = (n: number): Effect.Effect<number> =>
  n === 0
    ? Effect.succeed(0)
    : TaskGroup.run((group) =>
        Effect.flatMap(group.spawn(spawning(n - 1)), (handle) => Effect.map(handle.await, (x) => x + 1))
      )

/** Each level runs the next group inside its body. */
const inBody = (n: number): Effect.Effect<number> =>
  n === 0 ? Effect.succeed(0) : TaskGroup.run(() => Effect.map(inBody(n - 1), (x) => x + 1))

/** Each level gathers the next. */
const gathering = (n: number): Effect.Effect<number> =>
  n === 0 ? Effect.succeed(0) : Effect.map(TaskGroup.gather([Effect.suspend(() => gathering(n - 1))]), ([x]) => x + 1)

describe(`groups nested ${depth} deep`, () => {
  it.live("a task in each, awaited by the body: every level's value comes back", () =>
    Effect.map(spawning(depth), (value) => assert.strictEqual(value, depth))
  )

  it.live("a task in each of groups limited to one task at a time", () => {
    const limited = (n: number): Effect.Effect<number> =>
      n === 0
        ? Effect.succeed(0)
        : TaskGroup.run(
            (group) => Effect.flatMap(group.spawn(limited(n - 1)), (handle) => Effect.map(handle.await, (x) => x + 1)),
            { concurrency: 1 }
          )
    return Effect.map(limited(depth), (value) => assert.strictEqual(value, depth))
  })

  it.live("a group in each body", () => Effect.map(inBody(depth), (value) => assert.strictEqual(value, depth)))

  it.live("a gather in each", () => Effect.map(gathering(depth), (value) => assert.strictEqual(value, depth)))

  it.live("the deepest task fails: the failure reaches the top, every level ends", () =>
    Effect.gen(function* () {
      let ended = 0
      const failing = (n: number): Effect.Effect<unknown, string> =>
        (n === 0
          ? Effect.andThen(Effect.yieldNow, Effect.fail("deepest"))
          : TaskGroup.run((group) => Effect.andThen(group.spawn(failing(n - 1)), Effect.never))
        ).pipe(Effect.ensuring(Effect.sync(() => ended++)))
      const exit = yield* Effect.exit(failing(depth))
      assert.deepStrictEqual(exit, Exit.fail("deepest"))
      assert.strictEqual(ended, depth + 1)
    })
  )

  it.live("interrupted from outside: every level's finalizer runs before the interruption returns", () =>
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
    })
  )
})

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
