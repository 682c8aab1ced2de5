// Runs a package's leak probe (test/leaks/probe.ts, built on test-setup/leak-measure.ts)
// in a fresh Node process with --expose-gc, and checks what every probe measures: shared
// by both packages' leaks.test.ts, which check their own counts and outcomes.
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect } from "vitest"

/** The most the heap may grow over the measured groups, after full collections. */
export const maxGrowth = 1024 * 1024

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

export const runProbe = <R extends ProbeReport>(probe: URL, groups: number): Promise<R> =>
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

/**
 * Runs `groups` groups in the probe at `probe` and checks that the heap stayed flat and
 * no timer or other handle was left behind; logs the heap's course under `name`, and
 * gives the report for the package's own checks.
 */
export const probeLeaks = async <R extends ProbeReport>(name: string, probe: URL, groups: number): Promise<R> => {
  const report = await runProbe<R>(probe, groups)
  const kib = (bytes: number) => Math.round((bytes - report.heapBefore) / 1024)
  console.info(
    `${name}: ${report.groups} groups in ${report.elapsedMs} ms; heap after warm-up ${report.heapBefore} bytes, ` +
      `then each tenth (KiB): ${report.checkpoints.map(kib).join(", ")}`
  )
  expect(report.heapAfter - report.heapBefore).toBeLessThan(maxGrowth)
  expect(report.after).toEqual(report.before)
  return report
}
