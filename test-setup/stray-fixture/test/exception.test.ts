// Passes, but throws from a timer after the test has returned.
import { expect, it } from "vitest"

it("passes, leaking an exception from a timer", () => {
  setTimeout(() => {
    throw new Error("leaked exception")
  }, 0)
  expect(1).toBe(1)
})
