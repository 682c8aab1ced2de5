// Runs task groups one after another in a fresh Node process (test/leaks/probe.ts,
// with --expose-gc) and checks that they leave nothing behind: the heap after full
// collections stays flat, no fiber they made is still alive, and no timer or other
// handle keeps the event loop busy.
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const stress = process.env.SOONIFY_STRESS === "1"

/** The most the heap may grow over the measured groups, after full collections. */
const maxGrowth = 1024 * 1024

interface Report {
  readonly groups: number
  readonly heapBefore: number
  readonly heapAfter: number
  readonly checkpoints: ReadonlyArray<number>
  readonly elapsedMs: number
  readonly liveFibers: number
  readonly before: ReadonlyArray<string>
  readonly after: ReadonlyArray<string>
  readonly outcomes: ReadonlyArray<string>
}

const probe = (groups: number): Promise<Report> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [
        "--expose-gc",
        "--conditions=@soonify/source",
        fileURLToPath(new URL("leaks/probe.ts", import.meta.url)),
        `${groups}`
      ],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`the probe failed: ${error.message}\n${stderr}`))
        resolve(JSON.parse(stdout) as Report)
      }
    )
  })

describe("leaks", () => {
  // About 4 s for 100,000; test:stress runs a million.
  const groups = stress ? 1_000_000 : 100_000
  it(
    `${groups} groups, one after another, leave the heap flat and no fiber or timer behind`,
    { timeout: 600_000 },
    async () => {
      const report = await probe(groups)
      const kib = (bytes: number) => Math.round((bytes - report.heapBefore) / 1024)
      console.info(
        `core: ${report.groups} groups in ${report.elapsedMs} ms; heap after warm-up ${report.heapBefore} bytes, ` +
          `then each tenth (KiB): ${report.checkpoints.map(kib).join(", ")}`
      )
      expect(report.heapAfter - report.heapBefore).toBeLessThan(maxGrowth)
      expect(report.liveFibers).toBe(0)
      expect(report.after).toEqual(report.before)
      // Each kind of group ended the way it should: the probe measured what it meant to.
      expect(report.outcomes).toEqual([
        "Success",
        "Failure",
        "Success",
        "Success",
        "Success",
        "Failure",
        "Success",
        "Failure",
        "Success",
        "Success",
        "Success",
        "Failure",
        "Success",
        "Success"
      ])
    }
  )
})
