// Runs task groups one after another in a fresh Node process (test/leaks/probe.ts,
// with --expose-gc) and checks that they leave nothing behind: the heap after full
// collections stays flat, no fiber they made is still alive, and no timer or other
// handle keeps the event loop busy.
import { expect } from "vitest"
import { describeLeaks, type ProbeReport } from "../../../test-setup/leak-probe.ts"

const stress = process.env.SOONIFY_STRESS === "1"

interface Report extends ProbeReport {
  readonly liveFibers: number
  /** Open root groups left in the registry (snapshotAll), once abandoned groups were collected. */
  readonly openGroups: number
}

describeLeaks<Report>({
  name: "core",
  probe: new URL("leaks/probe.ts", import.meta.url),
  // About 4 s for 100,000; test:stress runs a million.
  groups: stress ? 1_000_000 : 100_000,
  residue: "fiber",
  check: (report) => {
    expect(report.liveFibers).toBe(0)
    expect(report.openGroups).toBe(0)
    // Each kind of group ended the way it should: the probe measured what it meant to.
    expect(report.outcomes).toEqual([
      "Success",
      "Failure",
      "Success",
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
      "Success",
      "Success",
      "Success"
    ])
  }
})
