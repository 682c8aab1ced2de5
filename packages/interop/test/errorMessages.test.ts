// An error for bad input says what it received, whatever its kind (guarantee 5): each
// kind of value is described by its type and, when short enough to read, the value.
import { describe, expect, it } from "vitest"
import { createTaskGroup } from "@soonify/interop"

/** What `createTaskGroup` throws for the `concurrency` option `concurrency`. */
const concurrencyError = (concurrency: unknown): unknown => {
  try {
    createTaskGroup({ concurrency } as any)
  } catch (error) {
    return error
  }
  throw new Error("expected createTaskGroup to throw")
}

const anonymous = [() => 1][0]
function namedTask() {}

const described: ReadonlyArray<readonly [kind: string, value: unknown, received: string]> = [
  ["null", null, "received null"],
  ["a number", 0, "received number 0"],
  ["a bigint", 10n, "received bigint 10"],
  ["a boolean", false, "received boolean false"],
  ["a short string, quoted", "forty", 'received string "forty"'],
  ["a string of 40 characters, whole", "x".repeat(40), `received string "${"x".repeat(40)}"`],
  ["a longer string, cut after 40 characters", "y".repeat(41), `received string "${"y".repeat(40)}…"`],
  ["a named function, by its name", namedTask, "received function namedTask"],
  ["an anonymous function", anonymous, "received function (anonymous)"],
  ["a symbol, by its description", Symbol("tag"), "received Symbol(tag)"],
  ["an array, by its length", [1, 2, 3], "received array of length 3"],
  ["an object, by its tag", new Map(), "received object [object Map]"]
]

describe("an error for bad input describes the value it received", () => {
  for (const [kind, value, received] of described) {
    it(`${kind}`, () => {
      const error = concurrencyError(value)
      // A number out of range is a RangeError; a value of the wrong kind, a TypeError.
      expect(error).toBeInstanceOf(typeof value === "number" ? RangeError : TypeError)
      expect((error as Error).message).toBe(
        `createTaskGroup: option "concurrency" must be a positive integer or Infinity, ${received}`
      )
    })
  }
})
