// The serialised snapshot hook beside the snapshot hook: the same snapshot as JSON text,
// written without recursion so that `soonify pstree <pid>` works on groups nested as deep
// as they run (JSON.stringify overflowed the stack at about 2,000 nested groups).
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect } from "effect"
import { TaskGroup } from "@soonify/core"
import { jsonText } from "@soonify/kernel"

const serialised = () => (globalThis as { [key: symbol]: unknown })[Symbol.for("soonify.snapshotJson")] as () => string
const hook = () =>
  (globalThis as { [key: symbol]: unknown })[Symbol.for("soonify.snapshot")] as () => Array<TaskGroup.GroupSnapshot>

/** Plain data nested `depth` levels deep, built without recursion. */
const nested = (depth: number) => {
  const root: { level: number; inner: Array<unknown> } = { level: 0, inner: [] }
  let at = root
  for (let level = 1; level < depth; level++) {
    const next = { level, inner: [] as Array<unknown> }
    at.inner.push(next, "sibling")
    at = next
  }
  return root
}

describe("the serialised snapshot hook", () => {
  it.effect("gives the hook's snapshot as the text JSON.stringify writes of it", () =>
    Effect.gen(function* () {
      assert.strictEqual(typeof serialised(), "function")
      assert.isFalse(Object.keys(globalThis).some((key) => key.includes("soonify")))
      const gate = yield* Deferred.make<void>()
      const group = TaskGroup.makeUnsafe({ name: 'quoted "name" ✓' })
      TaskGroup.spawnUnsafe(group, Deferred.await(gate), { name: "waits", key: "k\n1" })
      const text = serialised()()
      assert.strictEqual(text, JSON.stringify(hook()()))
      assert.include(text, '"quoted \\"name\\" ✓"')
      yield* Deferred.succeed(gate, undefined)
      yield* TaskGroup.join(group)
    })
  )

  it("gives the groups of every copy of the package: it calls the hook on globalThis when called", () => {
    const key = Symbol.for("soonify.snapshot")
    const global = globalThis as { [key: symbol]: unknown }
    const own = global[key]
    const other = { name: "from another copy", tasks: [] }
    try {
      Object.defineProperty(globalThis, key, { value: () => [other], configurable: true, writable: true })
      assert.strictEqual(serialised()(), JSON.stringify([other]))
    } finally {
      Object.defineProperty(globalThis, key, { value: own, configurable: true, writable: true })
    }
  })

  it("writes what JSON.stringify writes of plain data", () => {
    const values: Array<unknown> = [
      null,
      0,
      -1.5,
      Number.NaN,
      Infinity,
      true,
      'a\u2028"b\\',
      [],
      {},
      [undefined, () => 1, Symbol.for("x"), null],
      { a: undefined, b: () => 1, c: 1, "d e": [1, { f: "g" }], h: new Date(0) },
      { toJSON: () => ({ replaced: true }) }
    ]
    for (const value of values) assert.strictEqual(jsonText(value), JSON.stringify(value))
    const shared = { x: 1 }
    assert.strictEqual(jsonText([shared, shared]), JSON.stringify([shared, shared]))
    const circular: { self?: unknown } = {}
    circular.self = [circular]
    assert.throws(() => jsonText(circular), TypeError, "circular")
  })

  it("writes data nested 40,000 deep, where JSON.stringify overflows the stack", () => {
    const deep = nested(40_000)
    assert.throws(() => JSON.stringify(deep), RangeError)
    const text = jsonText(deep)
    assert.strictEqual(jsonText(JSON.parse(text)), text)
    assert.isTrue(text.startsWith('{"level":0,"inner":[{"level":1,"inner":[{"level":2,'))
    assert.isTrue(text.endsWith(',"sibling"]}'))
  })
})
