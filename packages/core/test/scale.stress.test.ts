// A million tasks in one group (`pnpm test:stress` only: each takes several seconds).
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { SoonValue, TaskGroup } from "@soonify/core"

const count = 1_000_000
const range = Array.from({ length: count }, (_, i) => i)

/** The indices whose handle does not hold its own index as its value. */
const wrong = (handles: ReadonlyArray<SoonValue.SoonValue<number>>): Array<number> => {
  const bad: Array<number> = []
  handles.forEach((handle, i) => {
    const exit = SoonValue.pollUnsafe(handle)
    if (exit === undefined || exit._tag !== "Success" || exit.value !== i) bad.push(i)
  })
  return bad
}

describe(`${count} tasks in one group`, () => {
  it.live(
    "each yields once and gives its index back",
    () =>
      Effect.gen(function* () {
        const handles = yield* TaskGroup.run((group) =>
          Effect.forEach(range, (i) => group.spawn(Effect.as(Effect.yieldNow, i)))
        )
        assert.strictEqual(handles.length, count)
        assert.deepStrictEqual(wrong(handles), [])
      }),
    { timeout: 300_000 }
  )

  it.live(
    "with concurrency 1,000",
    () =>
      Effect.gen(function* () {
        const handles = yield* TaskGroup.run(
          (group) => Effect.forEach(range, (i) => group.spawn(Effect.as(Effect.yieldNow, i))),
          { concurrency: 1_000 }
        )
        assert.deepStrictEqual(wrong(handles), [])
      }),
    { timeout: 300_000 }
  )

  it.live(
    "gathered: values in input order",
    () =>
      Effect.gen(function* () {
        const values = yield* TaskGroup.gather(range.map((i) => Effect.as(Effect.yieldNow, i)))
        assert.strictEqual(values.length, count)
        assert.isTrue(values.every((value, i) => value === i))
      }),
    { timeout: 300_000 }
  )

  it.live(
    "the last one fails: the other 999,999 are interrupted and the group fails with that one failure",
    () =>
      Effect.gen(function* () {
        let finalized = 0
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.forEach(range, (i) =>
              group.spawn(
                i === count - 1
                  ? Effect.andThen(Effect.yieldNow, Effect.fail("last"))
                  : Effect.never.pipe(Effect.ensuring(Effect.sync(() => finalized++)))
              )
            )
          )
        )
        assert.deepStrictEqual(exit._tag === "Failure" && exit.cause.reasons.map((r) => r._tag), ["Fail"])
        assert.strictEqual(finalized, count - 1)
      }),
    { timeout: 300_000 }
  )
})
