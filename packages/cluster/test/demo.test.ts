import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const demo = fileURLToPath(new URL("../demo/main.ts", import.meta.url))

describe("pnpm demo:cluster", () => {
  it("finishes a group after its runner is stopped halfway, with every result and no activity lost", async () => {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["--conditions=@soonify/source", demo],
        { env: { ...process.env, ORDERS: "120" }, encoding: "utf8" },
        (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`)))
      )
    )
    expect(output).toContain("skipped: the multi-process mode")
    expect(output).toMatch(/runner 1 stopped: \d+ tasks had ended, \d+ were cut off/)
    expect(output).toContain("runner 2 finished the group: 120/120 results, 0 missing")
    expect(output).toContain("never run: 0")
  })
})
