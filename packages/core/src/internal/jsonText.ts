// JSON text of plain data without recursion, for the snapshot hook's serialised form:
// `JSON.stringify` recurses on the nesting and overflows the stack at about 2,000
// nested groups (each group is four levels: group, tasks, task, groups), while groups
// run and are snapshotted 10,000 deep. Same text as `JSON.stringify(value)` for plain
// data (objects, arrays, strings, finite numbers, booleans, null; a `toJSON` method is
// called; undefined, functions and symbols left out of objects and `null` in arrays).

/** Something still to write: a value, or text (a separator or a closing bracket). */
type Step = { readonly value: unknown } | { readonly text: string; readonly closes?: object }

const isStep = (value: unknown): boolean =>
  value !== undefined && typeof value !== "function" && typeof value !== "symbol"

/** `JSON.stringify(value)` for plain data, at any depth; a circular structure is a `TypeError`. */
export const jsonText = (value: unknown): string => {
  const out: Array<string> = []
  const open = new Set<object>()
  const steps: Array<Step> = [{ value }]
  for (let step = steps.pop(); step !== undefined; step = steps.pop()) {
    if ("text" in step) {
      out.push(step.text)
      if (step.closes !== undefined) open.delete(step.closes)
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
      const text = isStep(current) ? JSON.stringify(current) : undefined
      out.push(text ?? "null")
      continue
    }
    if (open.has(current)) throw new TypeError("Converting circular structure to JSON")
    open.add(current)
    const later: Array<Step> = []
    if (Array.isArray(current)) {
      out.push("[")
      current.forEach((item: unknown, i) => {
        if (i > 0) later.push({ text: "," })
        later.push({ value: item })
      })
      later.push({ text: "]", closes: current })
    } else {
      out.push("{")
      for (const [key, item] of Object.entries(current)) {
        if (!isStep(item)) continue
        later.push({ text: `${later.length > 0 ? "," : ""}${JSON.stringify(key)}:` })
        later.push({ value: item })
      }
      later.push({ text: "}", closes: current })
    }
    for (let i = later.length - 1; i >= 0; i--) steps.push(later[i] as Step)
  }
  return out.join("")
}
