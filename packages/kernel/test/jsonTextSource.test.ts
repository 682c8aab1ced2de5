// jsonText's source text is a writer on its own: `soonify ps | pstree | top` send it to a
// process that has no serialised snapshot hook (a Promise-only program). (Left out of
// the mutation run: Stryker's instrumented source refers to its own globals.)
import { describe, expect, it } from "vitest"
import { jsonText } from "@soonify/kernel"

describe("jsonText's source", () => {
  it("is a writer on its own: it refers to nothing outside itself (inspect sends it to a process)", () => {
    const standalone = new Function(`return (${jsonText.toString()})`)() as typeof jsonText
    let deep: unknown = "bottom"
    for (let level = 0; level < 5_000; level++) deep = { level: [deep] }
    expect(standalone(deep)).toBe(jsonText(deep))
    expect(standalone({ a: [1, undefined] }, 2)).toBe(JSON.stringify({ a: [1, undefined] }, null, 2))
  })
})
