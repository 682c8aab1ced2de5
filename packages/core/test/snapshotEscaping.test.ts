// A name or key from user input cannot forge lines or reverse text in `renderSnapshot`'s
// tree: every control, line/paragraph separator and bidi control is a visible escape.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { TaskGroup } from "@soonify/core"

const range = (from: number, to: number): Array<string> =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i))

/** Each class of character that must never reach the text raw, with every member. */
const classes: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
  ["C0 controls (U+0000–U+001F)", range(0x00, 0x1f)],
  ["DEL (U+007F)", ["\u007f"]],
  ["C1 controls (U+0080–U+009F, NEXT LINE U+0085 among them)", range(0x80, 0x9f)],
  ["the line separator (U+2028)", ["\u2028"]],
  ["the paragraph separator (U+2029)", ["\u2029"]],
  ["bidi embeddings and overrides (U+202A–U+202E)", range(0x202a, 0x202e)],
  ["bidi isolates (U+2066–U+2069)", range(0x2066, 0x2069)],
  ["bidi marks (U+200E, U+200F, U+061C)", ["\u200e", "\u200f", "\u061c"]]
]

/** How a character must be shown: JSON's short escapes, else `\uXXXX`. */
const escapeOf = (char: string): string =>
  ({ "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r" })[char] ??
  `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`

const hexOf = (char: string): string => `U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`

/** A snapshot whose every string carries `char`: group name, state, mode, task name, status, key. */
const hostile = (char: string): TaskGroup.GroupSnapshot =>
  ({
    name: `jobs${char}x`,
    state: `open${char}`,
    mode: `failFast${char}`,
    concurrency: 2,
    counts: { queued: 0, running: 1, succeeded: 0, failed: 0, cancelled: 0 },
    tasks: [{ name: `fetch${char}admin`, status: `running${char}`, key: `k${char}`, groups: [] }]
  }) as unknown as TaskGroup.GroupSnapshot

describe("renderSnapshot escapes what could forge lines or reverse text", () => {
  for (const [name, chars] of classes) {
    it(`${name}: in group and task names, keys, states and statuses`, () => {
      for (const char of chars) {
        const lines = TaskGroup.renderSnapshot(hostile(char)).split("\n")
        assert.strictEqual(lines.length, 2, hexOf(char))
        if (lines.some((line) => line.includes(char))) {
          assert.fail(`${hexOf(char)} reached the text raw: ${JSON.stringify(lines)}`)
        }
        const escaped = escapeOf(char)
        assert.include(lines[0], `TaskGroup "jobs${escaped}x" open${escaped} · failFast${escaped}`, hexOf(char))
        assert.include(lines[1], `task "fetch${escaped}admin" · running${escaped} · key "k${escaped}"`, hexOf(char))
        assert.strictEqual(TaskGroup.escapeText(`a${char}b`), `a${escaped}b`, hexOf(char))
      }
    })
  }

  it("a backslash is doubled and a quote escaped, so no name reads as another's escape", () => {
    const text = TaskGroup.renderSnapshot(hostile("\\"))
    assert.include(text, 'TaskGroup "jobs\\\\x"')
    assert.strictEqual(TaskGroup.escapeText("a\\u2028"), "a\\\\u2028")
    assert.notStrictEqual(TaskGroup.escapeText("a\u2028"), TaskGroup.escapeText("a\\u2028"))
    assert.include(TaskGroup.renderSnapshot(hostile('"')), 'task "fetch\\"admin"')
  })

  it("lone surrogates are escaped; accents, emoji and joiners are kept", () => {
    assert.strictEqual(TaskGroup.escapeText("x\ud800y\udfff"), "x\\ud800y\\udfff")
    assert.strictEqual(TaskGroup.escapeText("é ✓ 😀\u200d👍 日本"), "é ✓ 😀\u200d👍 日本")
  })

  it.effect("a real task named with U+2028 and U+202E takes one line, escaped", () =>
    Effect.gen(function* () {
      const group = TaskGroup.makeUnsafe({ name: "hostile\u2029group" })
      yield* group.spawn(Effect.never, { name: "fetch\u2028[ok] admin\u202egnp.exe" })
      yield* Effect.yieldNow
      const text = TaskGroup.renderSnapshot(yield* TaskGroup.snapshot(group))
      assert.deepStrictEqual(text.split("\n").length, 2)
      assert.include(text, 'TaskGroup "hostile\\u2029group"')
      assert.include(text, 'task "fetch\\u2028[ok] admin\\u202egnp.exe"')
      yield* TaskGroup.cancel(group)
    })
  )
})
