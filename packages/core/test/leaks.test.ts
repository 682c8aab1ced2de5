// Runs task groups one after another in a fresh Node process (test/leaks/probe.ts,
// with --expose-gc) and checks that they leave nothing behind: the heap after full
// collections stays flat, no fiber they made is still alive, and no timer or other
// handle keeps the event loop busy.
import { describe, expect, it } from "vitest"
import { type ProbeReport, probeLeaks } from "../../../test-setup/leak-probe.ts"

const stress = process.env.SOONIFY_STRESS === "1"

interface Report extends ProbeReport {
  readonly liveFibers: number
}

describe("leaks", () => {
  // About 4 s for 100,000; test:stress runs a million.
  const groups = stress ? 1_000_000 : 100_000
  it(
    `${groups} groups, one after another, leave the heap flat and no fiber or timer behind`,
    { timeout: 600_000 },
    async () => {
      const report = await probeLeaks<Report>("core", new URL("leaks/probe.ts", import.meta.url), groups)
      expect(report.liveFibers).toBe(0)
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
