// An error for bad input says what it received, whatever its kind (guarantee 5): each
// kind of value is described by its type and, when short enough to read, the value.
import { describe, expect, it } from "vitest"
import { createTaskGroup } from "@soonify/interop"
import { describedValues } from "../../../test-setup/described-values.ts"

/** What `createTaskGroup` throws for the `concurrency` option `concurrency`. */
const concurrencyError = (concurrency: unknown): unknown => {
  try {
    createTaskGroup({ concurrency } as any)
  } catch (error) {
    return error
  }
  throw new Error("expected createTaskGroup to throw")
}

describe("an error for bad input describes the value it received", () => {
  for (const [kind, value, received] of describedValues) {
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
