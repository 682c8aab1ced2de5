import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const demo = fileURLToPath(new URL("../demo/main.ts", import.meta.url))

describe("pnpm demo:cluster, multi-process mode", () => {
  it("finishes the group on the runners left after one is killed: every result, no activity run again after its reply was committed, re-runs bounded by the killed runner's unsaved runs", async () => {
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
    // the at-least-once bound, measured from the runs recorded in PostgreSQL and the engine's reply commits
    expect(output).toContain("runs started after their reply was committed: 0; activities without a committed reply: 0")
    expect(output).toMatch(
      /without a committed reply \(\d+ in flight, \d+ finished but not saved\); re-runs after it <= that: yes/
    )
    expect(output).toMatch(/measured in PostgreSQL: \d+ activity runs for 150 orders/)
    expect(output).toMatch(/killed caller 1 \(SIGKILL\) after it spawned \d+\/12 members/)
    expect(output).toContain("caller 2 re-attached to the group by its key")
    expect(output).toContain("the durable group finished: 12/12 results, 0 missing")
    expect(output).toContain("delivery activities run twice: 0, never run: 0")
  }, 120_000)
})
