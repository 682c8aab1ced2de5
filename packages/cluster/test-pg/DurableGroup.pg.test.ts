// A durable group across processes: two runner processes serve the group and its
// members (cluster workflow engine, PostgreSQL storage); a caller process starts the
// group and is killed (SIGKILL) mid-group; a member fails during the outage, and the
// engine cancels its siblings with no caller alive; a new caller process re-attaches
// and gets the group's outcome.
import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { freePort } from "./postgres.ts"

const pgPort = Number(process.env.SOONIFY_PG_PORT)
if (!Number.isInteger(pgPort))
  throw new Error("test-pg: SOONIFY_PG_PORT is not set; run these tests with `pnpm test:pg`")

/**
 * How long after the failing member failed its siblings must have been interrupted and
 * compensated, with no caller alive. What it takes: the failed execution's reply and
 * the group's wake (message polls every 200 ms), the group's replay, the interrupts
 * reaching the siblings' runners, their replays running the compensations. Measured
 * 59–371 ms over 30 runs on a loaded 2-core machine (Dec 2026); the bound leaves room
 * for a much slower CI machine.
 */
const cancelBoundMs = 8000

/** Every line the processes printed, with when it arrived. */
const lines: Array<{ readonly from: string; readonly line: string; readonly at: number }> = []
const children: Array<ChildProcess> = []

const start = (name: string, script: string, args: ReadonlyArray<string>, readyLine?: string) =>
  new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=@soonify/source", fileURLToPath(new URL(script, import.meta.url)), ...args],
      { stdio: ["ignore", "pipe", "inherit"] }
    )
    children.push(child)
    child.once("error", reject)
    if (readyLine === undefined) resolve(child)
    createInterface({ input: child.stdout! }).on("line", (line) => {
      lines.push({ from: name, line, at: Date.now() })
      if (line === readyLine) resolve(child)
    })
  })

const waitFor = async (what: string, done: () => boolean, ms: number) => {
  const started = Date.now()
  while (!done()) {
    if (Date.now() - started > ms) {
      throw new Error(
        `timed out after ${ms} ms waiting for ${what}; lines: ${JSON.stringify(lines.map((l) => l.line))}`
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const seen = (prefix: string) => lines.filter((l) => l.line.startsWith(prefix))
/** The time stamp a runner printed in a `<event> <id> <ms>` line. */
const stamp = (event: string, id: string) => {
  const line = lines.find((l) => l.line.startsWith(`${event} ${id} `))
  return line === undefined ? undefined : Number(line.line.split(" ")[2])
}

beforeAll(async () => {
  const ports = await Promise.all([freePort(), freePort()])
  await Promise.all(
    ports.map((port, i) => start(`runner ${i + 1}`, "durable-runner.ts", [String(port), String(pgPort)], "ready"))
  )
}, 60_000)

afterAll(async () => {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          child.once("exit", () => resolve())
          child.kill("SIGTERM")
        })
    )
  )
})

describe("DurableGroup across processes (two runners, PostgreSQL)", () => {
  it("keeps fail fast running while its caller is dead, and a new caller re-attaches to the outcome", async () => {
    const key = `pg-group-${Date.now()}`
    const caller1 = await start("caller 1", "durable-caller.ts", [String(pgPort), key])
    // every member started on the runners: kill the caller mid-group
    await waitFor("3 members at work", () => seen("worked ").length === 3, 30_000)
    caller1.kill("SIGKILL")
    await new Promise((resolve) => caller1.once("exit", resolve))
    const killedAt = Date.now()
    expect(seen("spawned ").map((l) => l.line)).toEqual(["spawned pg-1", "spawned pg-2", "spawned pg-bad"])

    // the member fails 1.5 s into its work, while no caller runs
    await waitFor("the failing member", () => stamp("failing", "pg-bad") !== undefined, 15_000)
    const failedAt = stamp("failing", "pg-bad")!
    expect(failedAt).toBeGreaterThan(killedAt)
    await waitFor(
      "the siblings' compensations",
      () => stamp("compensated", "pg-1") !== undefined && stamp("compensated", "pg-2") !== undefined,
      cancelBoundMs + 5000
    )
    const cancelledAfter = Math.max(stamp("compensated", "pg-1")!, stamp("compensated", "pg-2")!) - failedAt
    console.log(`siblings interrupted and compensated ${cancelledAfter} ms after the failure, with no caller alive`)
    expect(cancelledAfter).toBeLessThan(cancelBoundMs)
    // interrupted inside their 60 s activity, not waited for
    expect(
      seen("workInterrupted ")
        .map((l) => l.line)
        .toSorted()
    ).toEqual(["workInterrupted pg-1", "workInterrupted pg-2"])

    // a new caller runs the same group: it re-attaches and gets the group's outcome
    await start("caller 2", "durable-caller.ts", [String(pgPort), key])
    await waitFor("caller 2's outcome", () => seen("outcome ").length === 1, 30_000)
    const outcome = JSON.parse(seen("outcome ")[0]!.line.slice("outcome ".length))
    expect(outcome).toEqual({ failures: [{ _tag: "WorkFailed", id: "pg-bad" }], interruptedOnly: false })
    // nothing ran again: each member's work started once
    expect(
      seen("worked ")
        .map((l) => l.line)
        .toSorted()
    ).toEqual(["worked pg-1", "worked pg-2", "worked pg-bad"])
  }, 90_000)
})
