// A failure kept in a settle group's handle that nobody read is logged at Error level,
// with the task's Cause, once the handle is garbage-collected (DESIGN §3, "Long-lived
// groups lose nothing"). Run in a fresh Node process with --expose-gc.
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const run = (scenario: string): Promise<{ readonly code: number; readonly output: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        "--expose-gc",
        "--conditions=@soonify/source",
        fileURLToPath(new URL("unread/probe.ts", import.meta.url)),
        scenario
      ],
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number), output: stdout + stderr })
    )
  })

describe("a failed task whose handle is collected unread", () => {
  it("is logged at Error level with its Cause, through Effect's default logger", { timeout: 30_000 }, async () => {
    const { code, output } = await run("unread")
    expect(code).toBe(0)
    expect(output).toMatch(/ERROR .*TaskGroup: task "job" of group "background" failed, and nobody read its failure/)
    expect(output).toMatch(/Error: lost failure/)
    expect(output.match(/nobody read its failure/g)).toHaveLength(1)
  })

  it("is logged also when somebody only waited for it to end (waitAll)", { timeout: 30_000 }, async () => {
    const { output } = await run("waited")
    expect(output).toMatch(/ERROR .*TaskGroup: task "job" of group "background" failed, and nobody read its failure/)
  })

  it("is logged through the loggers of the fiber that opened the group", { timeout: 30_000 }, async () => {
    const { output } = await run("custom")
    expect(output).toMatch(/^custom Error TaskGroup: task "job" of group "background" failed.*\| Error: lost failure/m)
  })

  it("is not logged once read, with onTaskError, or for a task that succeeded", { timeout: 30_000 }, async () => {
    for (const scenario of ["read", "handled", "succeeded"]) {
      const { code, output } = await run(scenario)
      expect({ scenario, code, output }).toEqual({ scenario, code: 0, output: "" })
    }
  })
})
