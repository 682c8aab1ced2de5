import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const demo = fileURLToPath(new URL("../demo/main.ts", import.meta.url))

describe("pnpm demo:cluster --memory", () => {
  it("finishes a group after its runner is stopped halfway, and a durable group after its caller died", async () => {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["--conditions=@soonify/source", demo, "--memory"],
        { env: { ...process.env, ORDERS: "120", PARCELS: "12" }, encoding: "utf8" },
        (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`)))
      )
    )
    expect(output).toContain("skipped: the multi-process mode (asked for --memory)")
    expect(output).toMatch(/runner 1 stopped: \d+ tasks had ended, \d+ were cut off/)
    expect(output).toContain("the group finished: 120/120 results, 0 missing")
    expect(output).toContain("never run: 0")
    expect(output).toMatch(/caller 1 died after spawning \d+\/12 members/)
    expect(output).toContain("caller 2 re-attached to the group by its key")
    expect(output).toContain("parcel 11: parcel 11 delivered")
    expect(output).toContain("the durable group finished: 12/12 results, 0 missing")
    expect(output).toContain("delivery activities run twice: 0, never run: 0")
  })
})
