import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const demo = fileURLToPath(new URL("../demo/main.ts", import.meta.url))

describe("pnpm demo:cluster, multi-process mode", () => {
  it("finishes the group on the runners left after one is killed, with every result and every activity run", async () => {
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        ["--conditions=@soonify/source", demo],
        { env: { ...process.env, ORDERS: "150", PARCELS: "12" }, encoding: "utf8", timeout: 100_000 },
        (error, stdout, stderr) => (error === null ? resolve(stdout) : reject(new Error(`${error.message}\n${stderr}`)))
      )
    )
    expect(output).toContain("on 3 runner processes sharing PostgreSQL")
    expect(output).toMatch(/killed the runner on port \d+ \(SIGKILL\)/)
    expect(output).toContain("the group finished: 150/150 results, 0 missing")
    expect(output).toContain("never run: 0")
    expect(output).toMatch(/killed caller 1 \(SIGKILL\) after it spawned \d+\/12 members/)
    expect(output).toContain("caller 2 re-attached to the group by its key")
    expect(output).toContain("the durable group finished: 12/12 results, 0 missing")
    expect(output).toContain("delivery activities run twice: 0, never run: 0")
  }, 120_000)
})
