// The leaks test of both packages (their test/leaks.test.ts): runs a package's leak probe
// (test/leaks/probe.ts, built on test-setup/leak-measure.ts) in a fresh Node process with
// --expose-gc, and checks what every probe measures; the package checks its own counts
// and outcomes.
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

/** The most the heap may grow over the measured groups, after full collections. */
const maxGrowth = 1024 * 1024

/** What every probe reports; each package's probe adds its own counts. */
export interface ProbeReport {
  readonly groups: number
  readonly heapBefore: number
  readonly heapAfter: number
  readonly checkpoints: ReadonlyArray<number>
  readonly elapsedMs: number
  readonly before: ReadonlyArray<string>
  readonly after: ReadonlyArray<string>
  readonly outcomes: ReadonlyArray<string>
}

const runProbe = <R extends ProbeReport>(probe: URL, groups: number): Promise<R> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--expose-gc", "--conditions=@soonify/source", fileURLToPath(probe), `${groups}`],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) => {
        if (error !== null) return reject(new Error(`the probe failed: ${error.message}\n${stderr}`))
        resolve(JSON.parse(stdout) as R)
      }
    )
  })

/** What a package's leaks test gives {@link describeLeaks}. */
export interface LeaksTest<R extends ProbeReport> {
  /** The package's name, in the log line. */
  readonly name: string
  /** Its probe, `new URL("leaks/probe.ts", import.meta.url)`. */
  readonly probe: URL
  /** How many groups it runs after the warm-up. */
  readonly groups: number
  /** What, besides a timer, its groups must not leave behind (the test's name says it). */
  readonly residue: string
  /** The package's own checks of the report: its counts, and how each kind of group ended. */
  readonly check: (report: R) => void
}

/**
 * Declares the leaks test: `groups` groups, one after another, in the probe; the heap
 * stays flat, no timer or other handle is left behind, and the package's `check` passes.
 * Logs the heap's course.
 */
export const describeLeaks = <R extends ProbeReport>(test: LeaksTest<R>): void => {
  describe("leaks", () => {
    it(
      `${test.groups} groups, one after another, leave the heap flat and no ${test.residue} or timer behind`,
      { timeout: 600_000 },
      async () => {
        const report = await runProbe<R>(test.probe, test.groups)
        const kib = (bytes: number) => Math.round((bytes - report.heapBefore) / 1024)
        console.info(
          `${test.name}: ${report.groups} groups in ${report.elapsedMs} ms; heap after warm-up ` +
            `${report.heapBefore} bytes, then each tenth (KiB): ${report.checkpoints.map(kib).join(", ")}`
        )
        expect(report.heapAfter - report.heapBefore).toBeLessThan(maxGrowth)
        expect(report.after).toEqual(report.before)
        test.check(report)
      }
    )
  })
}
