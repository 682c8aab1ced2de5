// Runs task groups one after another in a fresh Node process (test/leaks/probe.ts,
// with --expose-gc) and checks that they leave nothing behind: the heap after full
// collections stays flat, no listener stays on a long-lived AbortSignal, and no timer or
// other handle keeps the event loop busy.
import { expect } from "vitest"
import { describeLeaks, type ProbeReport } from "../../../test-setup/leak-probe.ts"

const stress = process.env.SOONIFY_STRESS === "1"

interface Report extends ProbeReport {
  readonly abortListeners: number
}

describeLeaks<Report>({
  name: "interop",
  probe: new URL("leaks/probe.ts", import.meta.url),
  // 100,000 take about 20 s (one kind of group waits on a real timer): in test:stress.
  groups: stress ? 100_000 : 10_000,
  residue: "listener",
  check: (report) => {
    expect(report.abortListeners).toBe(0)
    // Each kind of group ended the way it should: the probe measured what it meant to.
    expect(report.outcomes).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
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
})
