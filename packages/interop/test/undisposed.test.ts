// A createTaskGroup whose task failed and that is never disposed reports the failure at
// the latest when it is garbage-collected (DESIGN.md §3: nothing is lost silently).
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const run = (scenario: string): Promise<{ readonly code: number; readonly stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        "--expose-gc",
        "--conditions=@soonify/source",
        fileURLToPath(new URL("undisposed/probe.ts", import.meta.url)),
        scenario
      ],
      (error, _stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number), stderr })
    )
  })

describe("a createTaskGroup that is never disposed", () => {
  it("reports its task's failure as an unhandled rejection once collected", { timeout: 30_000 }, async () => {
    const { code, stderr } = await run("failFast")
    expect(code).not.toBe(0)
    expect(stderr).toMatch(/lost failure/)
  })

  it(
    "reports nothing once disposed, when its failure stays in a handle (settle), or when only cancelled",
    { timeout: 30_000 },
    async () => {
      for (const scenario of ["disposed", "settle", "cancelled"]) {
        const { code, stderr } = await run(scenario)
        expect({ scenario, code, stderr }).toEqual({ scenario, code: 0, stderr: "" })
      }
    }
  )
})
