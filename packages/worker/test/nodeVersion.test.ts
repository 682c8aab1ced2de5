// Importing @soonify/worker on a Node older than 22 fails at once, naming both versions
// (DESIGN §7). The real import on the machine's Node 20 is run by test/built.test.ts and
// by the tarball check (checks/consumer/worker.ts); this pins the message and the bounds.
import { describe, expect, it } from "vitest"
import { minimumNodeMajor, nodeVersionProblem } from "../src/internal/nodeVersion.ts"

describe("the Node version check", () => {
  it("names the Node it needs and the one it found, below 22", () => {
    expect(minimumNodeMajor).toBe(22)
    expect(nodeVersionProblem("20.20.2")).toMatch(
      /^@soonify\/worker needs Node 22 or later, and this is Node 20\.20\.2: it uses worker_threads\.isMarkedAsUntransferable/
    )
    expect(nodeVersionProblem("21.7.3")).toContain("and this is Node 21.7.3")
    expect(nodeVersionProblem("18.0.0")).toContain(
      "@soonify/core and @soonify/interop alone (they run on Node 20.19 and later)"
    )
  })

  it("says nothing from Node 22 on, nor where there is no Node version", () => {
    expect(nodeVersionProblem("22.0.0")).toBeUndefined()
    expect(nodeVersionProblem("24.21.0")).toBeUndefined()
    expect(nodeVersionProblem(undefined)).toBeUndefined()
  })

  it("lets this process, Node 24, import the package", async () => {
    await expect(import("@soonify/worker")).resolves.toHaveProperty("WorkerFn")
  })
})
