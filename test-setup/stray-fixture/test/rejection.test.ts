// Passes, but leaves a promise rejected with nobody to handle it.
import { expect, it } from "vitest"

it("passes, leaking a rejection", () => {
  void Promise.reject(new Error("leaked rejection"))
  expect(1).toBe(1)
})
