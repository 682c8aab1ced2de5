// The two halves of both packages' "map keeps its memory flat" check (DESIGN §10): the
// test side runs a package's probe (packages/*/test/mapMemory/probe.ts) in a fresh Node
// process with --expose-gc and reads its report; the probe side settles the heap the
// same way in both packages before each reading.

import { execFile } from "node:child_process"

declare const gc: () => void

/** What a probe prints: how many results it read, and the heap at a tenth of them and at all of them. */
export interface MapMemoryReport {
  readonly read: number
  readonly early: number
  readonly late: number
}

/** Runs the probe at `probe` (a file path) over `items` lazy items in a fresh process and gives its report. */
export const runMapMemoryProbe = (probe: string, items: number): Promise<MapMemoryReport> =>
  new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ["--expose-gc", "--conditions=@soonify/source", probe, String(items)],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) =>
        error !== null ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))
    )
  )

/** The heap in use after four full collections, each after a turn of the event loop (probe side). */
export const settledHeap = async (): Promise<number> => {
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setImmediate(resolve))
    gc()
  }
  return process.memoryUsage().heapUsed
}
