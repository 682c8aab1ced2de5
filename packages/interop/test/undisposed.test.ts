// A createTaskGroup whose task failed and that is never disposed reports the failure at
// the latest when it is garbage-collected (DESIGN.md §3: nothing is lost silently).
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const run = (scenario: string): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        "--expose-gc",
        "--conditions=@soonify/source",
        fileURLToPath(new URL("undisposed/probe.ts", import.meta.url)),
        scenario
      ],
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    )
  })

describe("a createTaskGroup that is never disposed", () => {
  it("reports its task's failure as an unhandled rejection once collected", { timeout: 30_000 }, async () => {
    const { code, stderr } = await run("failFast")
    expect(code).not.toBe(0)
    expect(stderr).toMatch(/lost failure/)
  })

  it(
    "in settle mode, reports a failure nobody read, once its handle is collected, as the task's own error",
    { timeout: 30_000 },
    async () => {
      const { code, stderr } = await run("settle")
      expect(code).not.toBe(0)
      // The task's own error, as the runtime prints it (Node: "Error: …", Bun: "error: …").
      expect(stderr).toMatch(/\b[Ee]rror: lost failure/)
    }
  )

  it(
    "in settle mode, gives each failure to onTaskError as it happens, and reports nothing more",
    { timeout: 30_000 },
    async () => {
      const { code, stdout, stderr } = await run("settleHandled")
      expect({ code, stdout, stderr }).toEqual({
        code: 0,
        stdout: "onTaskError job: Error: lost failure\n",
        stderr: ""
      })
    }
  )

  it(
    "in settle mode, an onTaskError that throws: its error is an unhandled rejection; the group goes on",
    { timeout: 30_000 },
    async () => {
      const { code, stdout, stderr } = await run("settleThrows")
      expect(code).not.toBe(0)
      expect(stderr).toMatch(/\b[Ee]rror: reporter down/)
      expect(stderr).not.toMatch(/lost failure/)
      expect(stdout).toBe("disposed, the other task: fine\n")
    }
  )

  it(
    "reports nothing once disposed, when its failure was read (settle: wait, or status seen rejected), or when only cancelled",
    { timeout: 30_000 },
    async () => {
      for (const scenario of ["disposed", "settleRead", "settleStatus", "cancelled"]) {
        const { code, stderr } = await run(scenario)
        expect({ scenario, code, stderr }).toEqual({ scenario, code: 0, stderr: "" })
      }
    }
  )
})
