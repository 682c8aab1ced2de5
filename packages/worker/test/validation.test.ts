// The Promise entry cannot load @soonify/core (it loads Effect), so this package says what
// it received with a `describe` of its own: it must read exactly as core's does, so that
// every soonify message reads alike.
import { Arguments } from "@soonify/core"
import { describe as describeSuite, expect, it } from "vitest"
import { describe, errorOf, sizeProblem } from "../src/internal/validation.ts"

describeSuite("the argument rules of @soonify/worker", () => {
  it("describe what was received as core's Arguments.describe does", () => {
    const values: ReadonlyArray<unknown> = [
      null,
      undefined,
      0,
      -1.5,
      10n,
      true,
      "",
      "x".repeat(41),
      Symbol("s"),
      function named() {},
      () => 1,
      [1, 2],
      {},
      new Map(),
      new URL("file:///a"),
      Object.create(null)
    ]
    expect(values.map(describe)).toEqual(values.map(Arguments.describe))
  })

  it("name the error class with the rule: RangeError for a number out of range, else TypeError", () => {
    expect(errorOf(sizeProblem("f", 0)!)).toBeInstanceOf(RangeError)
    expect(errorOf(sizeProblem("f", "1")!)).toBeInstanceOf(TypeError)
    expect(errorOf(sizeProblem("f", "1")!)).not.toBeInstanceOf(RangeError)
    expect(sizeProblem("f", 3)).toBeUndefined()
  })
})
