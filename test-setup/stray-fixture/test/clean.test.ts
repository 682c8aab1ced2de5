// Passes and leaks nothing: the guard must leave it alone.
import { expect, it } from "vitest"

it("passes, handling its rejection", async () => {
  await expect(Promise.reject(new Error("handled"))).rejects.toThrow("handled")
})
