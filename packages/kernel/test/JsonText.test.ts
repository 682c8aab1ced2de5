// The JSON writer of the snapshot hook, `pstree --json` and `top --json`: JSON.stringify's text without
// recursion, its indentation capped so that a line costs the same at any depth.
import { describe, expect, it } from "vitest"
import { jsonText, maxIndentLevels } from "@soonify/kernel"

describe("jsonText", () => {
  it("writes what JSON.stringify writes of plain data, compact and indented", () => {
    const values: Array<unknown> = [
      null,
      0,
      -1.5,
      Number.NaN,
      true,
      'a\u2028"b\\',
      [],
      {},
      [[], {}, [[1]]],
      [undefined, () => 1, Symbol.for("x"), null],
      { a: undefined, b: () => 1, c: 1, "d e": [1, { f: "g", h: [] }], i: new Date(0) },
      { toJSON: () => ({ replaced: [true] }) }
    ]
    for (const value of values) {
      expect(jsonText(value)).toBe(JSON.stringify(value))
      expect(jsonText(value, 2)).toBe(JSON.stringify(value, null, 2))
    }
    const circular: { self?: unknown } = {}
    circular.self = { again: circular }
    expect(() => jsonText(circular)).toThrow(TypeError)
  })

  it("writes data nested 40,000 deep, its indentation stopping at maxIndentLevels levels", () => {
    let deep: unknown = "bottom"
    for (let level = 0; level < 40_000; level++) deep = { level: [deep] }
    expect(() => JSON.stringify(deep)).toThrow(RangeError)
    const text = jsonText(deep, 2)
    const lines = text.split("\n")
    expect(lines.reduce((widest, line) => Math.max(widest, line.length), 0)).toBe(
      2 * maxIndentLevels + '"level": ['.length
    )
    expect(jsonText(JSON.parse(text))).toBe(jsonText(deep))
    expect(lines.slice(0, 3)).toEqual(["{", '  "level": [', "    {"])
  })
})

describe("jsonText, in detail", () => {
  it("leaves symbol values out of objects and writes them null in arrays", () => {
    const value = { a: Symbol("s"), b: [Symbol("t")], c: 1 }
    expect(jsonText(value)).toBe(JSON.stringify(value))
  })

  it("writes an object met twice, not inside itself, twice; refuses one inside itself, as JSON.stringify does", () => {
    const shared = { x: 1 }
    const value = { a: shared, b: [shared, shared] }
    expect(jsonText(value)).toBe(JSON.stringify(value))
    const circular: Array<unknown> = []
    circular.push([circular])
    expect(() => jsonText(circular)).toThrow("Converting circular structure to JSON")
  })
})

describe("jsonText's source", () => {
  it("is a writer on its own: it refers to nothing outside itself (inspect sends it to a process)", () => {
    const standalone = new Function(`return (${jsonText.toString()})`)() as typeof jsonText
    let deep: unknown = "bottom"
    for (let level = 0; level < 5_000; level++) deep = { level: [deep] }
    expect(standalone(deep)).toBe(jsonText(deep))
    expect(standalone({ a: [1, undefined] }, 2)).toBe(JSON.stringify({ a: [1, undefined] }, null, 2))
  })
})
