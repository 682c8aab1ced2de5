// A long-lived createTaskGroup does not keep the tasks that have ended: run in a fresh
// Node process with --expose-gc, so that the heap is measured after full collections.
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

/** The most the heap may grow while 9,000 more tasks run, after full collections. */
const maxGrowth = 1024 * 1024

const probe = (tasks: number): Promise<{ readonly before: number; readonly after: number }> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        "--expose-gc",
        "--conditions=@soonify/source",
        fileURLToPath(new URL("longLived/probe.ts", import.meta.url)),
        `${tasks}`
      ],
      (error, stdout, stderr) => (error === null ? resolve(JSON.parse(stdout)) : reject(new Error(stderr)))
    )
  })

describe("a long-lived createTaskGroup", () => {
  it("keeps no ended task: 10,000 tasks one after another leave the heap flat", { timeout: 60_000 }, async () => {
    const { before, after } = await probe(10_000)
    expect(after - before).toBeLessThan(maxGrowth)
  })
})
