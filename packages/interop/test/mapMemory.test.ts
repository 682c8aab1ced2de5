// `map` over an endless input keeps its memory flat (DESIGN §10): the heap after full
// collections once 1e6 results have been read is within 10 % of the heap at 1e5, in a
// fresh Node process (mapMemory/probe.ts, run by test-setup/map-memory.ts).
import { fileURLToPath } from "node:url"
import { expect, it } from "vitest"
import { runMapMemoryProbe } from "../../../test-setup/map-memory.ts"

const probe = fileURLToPath(new URL("mapMemory/probe.ts", import.meta.url))

it("map over 1e6 lazy items: the heap at 1e6 within 10 % of the heap at 1e5", async () => {
  const report = await runMapMemoryProbe(probe, 1_000_000)
  expect(report.read).toBe(1_000_000)
  expect(report.late / report.early).toBeLessThan(1.1)
}, 60_000)
