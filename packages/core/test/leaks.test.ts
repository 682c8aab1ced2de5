// Runs task groups one after another in a fresh Node process (test/leaks/probe.ts,
// with --expose-gc) and checks that they leave nothing behind: the heap after full
// collections stays flat, no fiber they made is still alive, and no timer or other
// handle keeps the event loop busy.
import { describe, expect, it } from "vitest"
import { maxGrowth, type ProbeReport, runProbe } from "../../../test-setup/leak-probe.ts"

const stress = process.env.SOONIFY_STRESS === "1"

interface Report extends ProbeReport {
  readonly liveFibers: number
}

const probe = (groups: number) => runProbe<Report>(new URL("leaks/probe.ts", import.meta.url), groups)

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
