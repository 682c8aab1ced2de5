// `TaskGroup.map` over an endless input keeps its memory flat (DESIGN §10): the heap after
// full collections once 1e6 results have been read is within 10 % of the heap at 1e5, in
// a fresh Node process (mapMemory/probe.ts, with --expose-gc).
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"

const probe = fileURLToPath(new URL("mapMemory/probe.ts", import.meta.url))

it("TaskGroup.map over 1e6 lazy items: the heap at 1e6 within 10 % of the heap at 1e5", async () => {
  const report = await new Promise<{ read: number; early: number; late: number }>((resolve, reject) =>
    execFile(
      process.execPath,
      ["--expose-gc", "--conditions=@soonify/source", probe, "1000000"],
      { maxBuffer: 1 << 20 },
      (error, stdout, stderr) =>
        error !== null ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout))
    )
  )
  expect(report.read).toBe(1_000_000)
  expect(report.late / report.early).toBeLessThan(1.1)
}, 120_000)
