import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { TaskGroup } from "@soonify/core"
import { defectsOf, failuresOf } from "./support.ts"

describe("names", () => {
  it.effect("names each soonify'd task with a function of its arguments", () =>
    Effect.gen(function* () {
      const fetchPage = (url: string, attempt: number) => Effect.succeed(`${url}#${attempt}`)
      const names = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const fetch = group.soonify(fetchPage, { name: (url, attempt) => `fetch ${url} (${attempt})` })
          const a = yield* fetch("https://a.example", 1)
          const b = yield* fetch("https://b.example", 2)
          return [a.name, b.name]
        })
      )
      assert.deepStrictEqual(names, ["fetch https://a.example (1)", "fetch https://b.example (2)"])
    })
  )

  it("types the name function's parameters as the function's", () => {
    const group = TaskGroup.makeUnsafe()
    const fetchPage = (url: string, attempt: number) => Effect.succeed(`${url}#${attempt}`)
    group.soonify(fetchPage, {
      name: (url, attempt) => {
        expectTypeOf(url).toEqualTypeOf<string>()
        expectTypeOf(attempt).toEqualTypeOf<number>()
        return url
      }
    })
    // @ts-expect-error: a name function must give a string
    group.soonify(fetchPage, { name: (url: string) => url.length })
    TaskGroup.cancelUnsafe(group)
  })

  it.effect("puts the computed name in the error of a spawn into an ended group", () =>
    Effect.gen(function* () {
      const group = yield* TaskGroup.run((group) => Effect.succeed(group), { name: "crawler" })
      const fetch = group.soonify((url: string) => Effect.succeed(url), { name: (url) => `fetch ${url}` })
      const exit = yield* Effect.exit(fetch("https://a.example"))
      assert.isTrue(Exit.isFailure(exit))
      const [closed] = defectsOf((exit as Exit.Failure<unknown, unknown>).cause)
      assert.include(String((closed as Error).message), `"fetch https://a.example"`)
      assert.include(String((closed as Error).message), `"crawler"`)
    })
  )

  it.effect("dies with the defect of a name function that throws, and spawns nothing", () =>
    Effect.gen(function* () {
      const boom = new Error("no name")
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          group.soonify((n: number) => Effect.succeed(n), {
            name: () => {
              throw boom
            }
          })(1)
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(defectsOf((exit as Exit.Failure<unknown, unknown>).cause), [boom])
    })
  )

  it.effect("dies with an IllegalArgumentError when the name function gives no string", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        TaskGroup.run((group) => group.soonify((n: number) => Effect.succeed(n), { name: (n) => n as any })(7))
      )
      const [defect] = defectsOf((exit as Exit.Failure<unknown, unknown>).cause)
      assert.isTrue(Cause.isIllegalArgumentError(defect))
      assert.include((defect as Error).message, "number 7")
      assert.deepStrictEqual(failuresOf((exit as Exit.Failure<unknown, unknown>).cause), [])
    })
  )

  it("throws an IllegalArgumentError naming the option for a name that is neither string nor function", () => {
    const group = TaskGroup.makeUnsafe()
    assert.throws(
      () => group.soonify((n: number) => Effect.succeed(n), { name: 42 as any }),
      /TaskGroup\.soonify: option "name" must be a string or a function/
    )
    TaskGroup.cancelUnsafe(group)
  })
})
