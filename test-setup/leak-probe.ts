// Runs a package's leak probe (test/leaks/probe.ts) in a fresh Node process with
// --expose-gc, and gives what it measured: shared by both packages' leaks.test.ts.
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"

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
