/**
 * JSON text of plain data without recursion: `JSON.stringify` recurses on the nesting
 * and overflows the stack at about 2,000 nested groups (each group is four levels:
 * group, tasks, task, groups), while groups run 10,000 deep. The one writer of the
 * snapshot hook's JSON and of `soonify pstree --json` / `top --json`.
 *
 * @since 0.1.0
 */

/**
 * The deepest indentation {@link jsonText} writes, in levels (96 columns at 2 spaces, as
 * `renderSnapshot` draws at most): below it a line costs the same at any depth.
 *
 * **Example**
 *
 * ```ts
 * import { maxIndentLevels } from "@soonify/kernel"
 *
 * maxIndentLevels // => 48
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const maxIndentLevels = 48

/** Something still to write: a value at a depth, or text (a separator or a closing bracket). */
type Step =
  { readonly value: unknown; readonly depth: number } | { readonly text: string; readonly closes?: object | undefined }

/**
 * `JSON.stringify(value, null, indent)` for plain data (objects, arrays, strings, finite
 * numbers, booleans, null; a `toJSON` method is called; undefined, functions and symbols
 * left out of objects and `null` in arrays), at any depth, without recursion. The one
 * difference: indentation stops growing below {@link maxIndentLevels} levels (whitespace
 * only: the value read back is the same). A circular structure is a `TypeError`.
 *
 * **Details**
 *
 * The function refers to nothing outside itself, so that its source text
 * (`jsonText.toString()`) is a writer on its own: `soonify ps | pstree | top` send it to a
 * process whose soonify installed no serialised hook ({@link installSnapshotJsonHook}).
 *
 * **Example**
 *
 * ```ts
 * import { jsonText } from "@soonify/kernel"
 *
 * jsonText({ a: [1, "two", undefined], b: undefined }) // => '{"a":[1,"two",null]}'
 * let deep: unknown = []
 * for (let i = 0; i < 10_000; i++) deep = [deep]
 * jsonText(deep).length // => 20_002
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const jsonText = (value: unknown, indent = 0): string => {
  // Self-contained (see Details): 48 is `maxIndentLevels`.
  const isWritten = (value: unknown): boolean =>
    value !== undefined && typeof value !== "function" && typeof value !== "symbol"
  const out: Array<string> = []
  const open = new Set<object>()
  const newline = (depth: number) => (indent > 0 ? "\n" + " ".repeat(indent * Math.min(depth, 48)) : "")
  const steps: Array<Step> = [{ value, depth: 0 }]
  for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
    if ("text" in step) {
      out.push(step.text)
      // (A separator closes nothing: deleting `undefined` is a no-op.)
      open.delete(step.closes!)
      continue
    }
    let current = step.value
    if (
      current !== null &&
      typeof current === "object" &&
      typeof (current as { toJSON?: unknown }).toJSON === "function"
    ) {
      current = (current as { toJSON: () => unknown }).toJSON()
    }
    if (current === null || typeof current !== "object") {
      out.push((isWritten(current) ? JSON.stringify(current) : undefined) ?? "null")
      continue
    }
    if (open.has(current)) throw new TypeError("Converting circular structure to JSON")
    const depth = step.depth + 1
    const later: Array<Step> = []
    const isArray = Array.isArray(current)
    if (isArray) {
      ;(current as Array<unknown>).forEach((item, i) => {
        later.push({ text: (i > 0 ? "," : "") + newline(depth) }, { value: item, depth })
      })
    } else {
      for (const [key, item] of Object.entries(current)) {
        if (!isWritten(item)) continue
        const separator = later.length > 0 ? "," : ""
        later.push({ text: `${separator}${newline(depth)}${JSON.stringify(key)}:${indent > 0 ? " " : ""}` })
        later.push({ value: item, depth })
      }
    }
    out.push(isArray ? "[" : "{")
    if (later.length === 0) {
      out.push(isArray ? "]" : "}")
      continue
    }
    open.add(current)
    later.push({ text: newline(step.depth) + (isArray ? "]" : "}"), closes: current })
    for (let i = later.length - 1; i >= 0; i--) steps.push(later[i] as Step)
  }
  return out.join("")
}

const snapshotHookKey = Symbol.for("soonify.snapshot")
const snapshotJsonHookKey = Symbol.for("soonify.snapshotJson")

/**
 * Puts the serialised snapshot hook on `globalThis`, unless one is there:
 * `Symbol.for("soonify.snapshotJson")` gives what the snapshot hook
 * (`Symbol.for("soonify.snapshot")`, which the registry installs) gives, as JSON text
 * written by {@link jsonText}. An adapter that carries the writer anyway installs it
 * (core does); without it, `soonify ps | pstree | top` send the writer themselves.
 *
 * **Example**
 *
 * ```ts
 * import { installSnapshotJsonHook } from "@soonify/kernel"
 *
 * installSnapshotJsonHook()
 * const serialised = (globalThis as Record<symbol, unknown>)[Symbol.for("soonify.snapshotJson")] as () => string
 * Array.isArray(JSON.parse(serialised())) // => true
 * ```
 *
 * @since 0.1.0
 * @category snapshots
 */
export const installSnapshotJsonHook = (): void => {
  const global = globalThis as { [snapshotHookKey]?: unknown; [snapshotJsonHookKey]?: unknown }
  if (typeof global[snapshotJsonHookKey] === "function") return
  Object.defineProperty(globalThis, snapshotJsonHookKey, {
    value: (): string => jsonText((global[snapshotHookKey] as () => unknown)()),
    configurable: true,
    writable: true
  })
}
