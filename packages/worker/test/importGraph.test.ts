// The Promise entry, @soonify/worker/interop, loads no Effect (DESIGN §3, issue 27): its
// own import graph is plain Node, piscina and @soonify/interop's public API. Each entry is
// imported in a fresh Node process whose resolve hook records every module that loads,
// parent by parent (test/fixtures/importGraph.ts). test/built.test.ts checks the build.
import { describe, expect, it } from "vitest"
import { effectOrCore, importIn, isEffect, isInterop, ownGraph } from "./fixtures/graph.ts"

describe("the Promise entry's import graph", () => {
  it("loads no effect and no @soonify/core module by its own imports", async () => {
    const promises = ownGraph(await importIn("@soonify/worker/interop", ["@soonify/source"]))
    const loaded = [...promises]
    // The graph is real: the pool core, piscina and interop's public entry are in it.
    expect(loaded.some((url) => url.endsWith("/packages/worker/src/internal/pool.ts"))).toBe(true)
    expect(loaded.some((url) => url.includes("/piscina/"))).toBe(true)
    expect(loaded.some(isInterop)).toBe(true)
    expect(effectOrCore(promises)).toEqual([])

    // The same probe sees Effect where it is: the Effect entry loads it.
    const effects = ownGraph(await importIn("@soonify/worker", ["@soonify/source"]))
    expect([...effects].some(isEffect)).toBe(true)
  }, 60_000)

  it("gives bad input its argument-naming errors with no Effect loaded", async () => {
    const seen = await importIn("@soonify/worker/interop", ["@soonify/source"])
    expect(seen.problems).toEqual([
      {
        name: "TypeError",
        message:
          'defineWorkerFn: module must be a URL, such as new URL("./hash.worker.ts", import.meta.url), ' +
          'or an absolute URL string ("file:///…", "node:crypto"), received string "hash.worker.ts"'
      },
      {
        name: "TypeError",
        message:
          'defineWorkerFn: option "cancel" must be "terminate" or "abandon" (for a function that takes an ' +
          'AbortSignal, use defineCooperativeWorkerFn), received string "cooperative"'
      },
      {
        name: "TypeError",
        message: 'defineCooperativeWorkerFn: exportName must be a non-empty string, received string ""'
      },
      { name: "TypeError", message: 'transfer: expected an ArrayBuffer or a view of one, received string "text"' },
      {
        name: "RangeError",
        message: 'createWorkerPool: option "size" must be a positive integer, received number 0'
      },
      {
        name: "TypeError",
        message: 'createWorkerPool: option "size" must be a positive integer, received string "2"'
      },
      {
        name: "TypeError",
        message: "pool.run: expected a worker function (from defineWorkerFn), received object [object Object]"
      },
      { name: "TypeError", message: 'pool.run: option "signal" must be an AbortSignal, received string "stop"' },
      { name: "TypeError", message: "pool.task: expected a worker function (from defineWorkerFn), received number 42" }
    ])
  }, 60_000)
})
