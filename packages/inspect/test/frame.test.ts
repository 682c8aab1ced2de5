// One screen of `soonify top`, drawn from a snapshot: the longest-running task first,
// cancelling and stuck tasks marked (the `cancelling` status and `cancelledAt` of stuck
// cancellations, which snapshots carry when the groups' version has them), progress bars.
import { describe, expect, it } from "vitest"
import { TaskGroup } from "@soonify/core"
import { renderTable, rowsOf } from "../src/internal/rows.ts"
import { progressBar, renderFrame } from "../src/internal/top.ts"

const plain = (line: string) => line.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[A-Za-z]`, "g"), "")

describe("a top frame", () => {
  const snapshot = {
    pid: 42,
    now: Date.UTC(2026, 11, 7, 12, 0, 30),
    groups: [
      {
        name: "app",
        state: "closing" as const,
        mode: "failFast" as const,
        concurrency: "unbounded" as const,
        counts: { queued: 1, running: 3, succeeded: 0, failed: 0, cancelled: 0 },
        tasks: [
          { name: "short", status: "running" as const, startedAt: Date.UTC(2026, 11, 7, 12, 0, 28), groups: [] },
          {
            name: "ignores its signal",
            status: "cancelling",
            startedAt: Date.UTC(2026, 11, 7, 12, 0, 10),
            cancelledAt: Date.UTC(2026, 11, 7, 12, 0, 15),
            groups: []
          },
          {
            name: "winding down",
            status: "cancelling",
            startedAt: Date.UTC(2026, 11, 7, 12, 0, 25),
            cancelledAt: Date.UTC(2026, 11, 7, 12, 0, 29),
            groups: []
          },
          {
            name: "long",
            status: "running" as const,
            startedAt: Date.UTC(2026, 11, 7, 12, 0, 0),
            progress: { done: 1, total: 4 },
            groups: []
          },
          { name: "waits", status: "queued" as const, groups: [] }
        ]
      }
    ]
  } as never

  it("sorts by how long tasks have run, marks the longest, the cancelling and the stuck", () => {
    const lines = renderFrame(snapshot, { stuckAfter: 10_000, columns: 200, rows: 20 }).map(plain)
    expect(lines[0]).toBe(
      "soonify top · pid 42 · 12:00:30 · 1 groups, 5 tasks: 2 running, 1 queued, 2 cancelling, 1 stuck · q quits"
    )
    expect(lines[2]).toMatch(/^ +RUNNING FOR +STATUS +PROGRESS +TASK +GROUP/)
    expect(lines.slice(3).map((line) => line.replace(/ +/g, " ").trim())).toEqual([
      "▲ 30 s running [███░░░░░░░░░] 25% long app",
      "! 20 s STUCK ignores its signal app",
      "~ 5.0 s cancelling winding down app",
      "2.0 s running short app",
      "queued waits app"
    ])
  })

  it("fits the terminal: lines cut to its width, rows to its height", () => {
    const lines = renderFrame(snapshot, { stuckAfter: 10_000, columns: 40, rows: 6 }).map(plain)
    expect(lines.every((line) => line.length <= 40)).toBe(true)
    expect(lines.at(-1)).toBe("… 3 more")
  })

  it("draws progress as a bar when the total is known, as a count otherwise", () => {
    expect(progressBar({ done: 5, total: 10 })).toBe("[██████░░░░░░]  50%")
    expect(progressBar({ done: 12, total: 10 })).toBe("[████████████] 100%")
    expect(progressBar({ done: 7 })).toBe("7 done")
    expect(progressBar(undefined)).toBe("")
  })
})

describe("names from user input, in `ps` and `top`", () => {
  // One character of each class that could add a line, move the cursor or reverse text.
  const hostileChars = [
    "\n",
    "\r",
    "\u001b",
    "\u007f",
    "\u0085",
    "\u009b",
    "\u2028",
    "\u2029",
    "\u202e",
    "\u2066",
    "\u200f",
    "\u061c"
  ]
  const hostile = hostileChars.join("")
  const escaped = TaskGroup.escapeText(hostile)
  const snapshot = {
    pid: 7,
    now: 10_000,
    groups: [
      {
        name: `jobs${hostile}`,
        state: "open",
        mode: "failFast",
        concurrency: "unbounded",
        counts: { queued: 0, running: 1, succeeded: 0, failed: 0, cancelled: 0 },
        tasks: [
          {
            name: `fetch${hostile}admin`,
            status: `running${hostile}`,
            startedAt: 5_000,
            key: `k${hostile}`,
            waiting: `permit${hostile}`,
            groups: []
          }
        ]
      }
    ]
  } as never

  const rawIn = (lines: ReadonlyArray<string>): Array<string> =>
    hostileChars.filter((char) => lines.some((line) => line.includes(char)))

  it("the ps table shows every string escaped as renderSnapshot does, one line a row", () => {
    const lines = renderTable(rowsOf(snapshot)).split("\n")
    expect(lines).toHaveLength(3)
    expect(rawIn(lines)).toEqual([])
    expect(lines[2]).toContain(`fetch${escaped}admin`)
    expect(lines[2]).toContain(`jobs${escaped}`)
    expect(lines[2]).toContain(`running${escaped}`)
    expect(lines[2]).toContain(`k${escaped}`)
    expect(lines[2]).toContain(`permit${escaped}`)
  })

  it("a top frame too (its own styles aside)", () => {
    const lines = renderFrame(snapshot, { stuckAfter: 10_000, columns: 400, rows: 20 }).map(plain)
    expect(rawIn(lines)).toEqual([])
    expect(lines[3]).toContain(`fetch${escaped}admin`)
    expect(lines[3]).toContain(`jobs${escaped}`)
    expect(lines[3]).toContain(`k${escaped}`)
  })
})
