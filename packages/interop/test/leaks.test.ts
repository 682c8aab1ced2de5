// Runs task groups one after another in a fresh Node process (test/leaks/probe.ts,
// with --expose-gc) and checks that they leave nothing behind: the heap after full
// collections stays flat, no listener stays on a long-lived AbortSignal, and no timer or
// other handle keeps the event loop busy.
import { describe, expect, it } from "vitest"
import { maxGrowth, type ProbeReport, runProbe } from "../../../test-setup/leak-probe.ts"

const stress = process.env.SOONIFY_STRESS === "1"

interface Report extends ProbeReport {
  readonly abortListeners: number
}

const probe = (groups: number) => runProbe<Report>(new URL("leaks/probe.ts", import.meta.url), groups)

describe("leaks", () => {
  // 100,000 take about 20 s (one kind of group waits on a real timer): in test:stress.
  const groups = stress ? 100_000 : 10_000
  it(
    `${groups} groups, one after another, leave the heap flat and no listener or timer behind`,
    { timeout: 600_000 },
    async () => {
      const report = await probe(groups)
      const kib = (bytes: number) => Math.round((bytes - report.heapBefore) / 1024)
      console.info(
        `interop: ${report.groups} groups in ${report.elapsedMs} ms; heap after warm-up ${report.heapBefore} bytes, ` +
          `then each tenth (KiB): ${report.checkpoints.map(kib).join(", ")}`
      )
      expect(report.heapAfter - report.heapBefore).toBeLessThan(maxGrowth)
      expect(report.abortListeners).toBe(0)
      expect(report.after).toEqual(report.before)
      // Each kind of group ended the way it should: the probe measured what it meant to.
      expect(report.outcomes).toEqual([
        "fulfilled",
        "rejected",
        "fulfilled",
        "rejected",
        "rejected",
        "rejected",
        "rejected",
        "fulfilled",
        "rejected",
        "rejected",
        "fulfilled",
        "fulfilled",
        "fulfilled"
      ])
    }
  )
})
