import { describe, expect, expectTypeOf, it } from "vitest"
import {
  createTaskGroup,
  gather,
  type GroupSnapshot,
  renderSnapshot,
  reportProgress,
  snapshotAll,
  taskGroup
} from "@soonify/interop"
import { sleep } from "./sleep.ts"

describe("names", () => {
  it("names each soonify'd task with a function of its arguments", async () => {
    const fetchPage = async (url: string, attempt: number) => `${url}#${attempt}`
    const names = await taskGroup(async (tg) => {
      const fetch = tg.soonify(fetchPage, {
        name: (url, attempt) => {
          expectTypeOf(url).toEqualTypeOf<string>()
          expectTypeOf(attempt).toEqualTypeOf<number>()
          return `fetch ${url} (${attempt})`
        }
      })
      return [fetch("https://a.example", 1).name, fetch("https://b.example", 2).name]
    })
    expect(names).toEqual(["fetch https://a.example (1)", "fetch https://b.example (2)"])
  })

  it("throws the name function's error from the call, and a TypeError for a name that is no string", async () => {
    await using tg = createTaskGroup()
    const boom = new Error("no name")
    const throwing = tg.soonify(async (n: number) => n, {
      name: () => {
        throw boom
      }
    })
    expect(() => throwing(1)).toThrow(boom)
    const numbered = tg.soonify(async (n: number) => n, { name: (n) => n as any })
    expect(() => numbered(7)).toThrow(/tg\.soonify: the "name" function must return a string, returned number 7/)
    // @ts-expect-error: a name function must give a string
    tg.soonify(async (url: string) => url, { name: (url: string) => url.length })
    await sleep(1)
  })
})

const names = (groups: ReadonlyArray<GroupSnapshot>) => groups.map((g) => g.name)

/** A promise and the function that resolves it. */
const gate = () => {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}

describe("snapshots", () => {
  it("gives the group's plain tree while tasks run, queued behind concurrency", async () => {
    const release = gate()
    const before = Date.now()
    const seen = await taskGroup(
      async (tg) => {
        tg.soonify(async () => "done", { name: "quick" })()
        await sleep(1)
        for (const name of ["a", "b", "c"]) tg.soonify(() => release.opened, { name })()
        await sleep(1)
        const snapshot = tg.snapshot()
        release.open()
        return snapshot
      },
      { concurrency: 2, name: "workers" }
    )
    expect(seen).toMatchObject({
      name: "workers",
      state: "open",
      mode: "failFast",
      concurrency: 2,
      counts: { queued: 1, running: 2, succeeded: 1, failed: 0, cancelled: 0 }
    })
    expect(seen.tasks.map((t) => [t.name, t.status])).toEqual([
      ["a", "running"],
      ["b", "running"],
      ["c", "queued"]
    ])
    expect(seen.tasks[0]!.startedAt).toBeGreaterThanOrEqual(before)
    expect(seen.tasks[2]!.startedAt).toBeUndefined()
    expect(JSON.parse(JSON.stringify(seen))).toEqual(seen)
  })

  it("shows groups and gathers opened inside a spawned task under that task", async () => {
    const release = gate()
    const [outer, all] = await taskGroup(
      async (tg) => {
        tg.spawn(
          async () => {
            await sleep(1)
            await taskGroup(
              async (inner) => {
                inner.spawn(() => gather([() => release.opened]), { name: "gathering" })
              },
              { name: "inner" }
            )
          },
          { name: "opener" }
        )
        await sleep(10)
        const snapshots = [tg.snapshot(), snapshotAll()] as const
        release.open()
        return snapshots
      },
      { name: "outer" }
    )
    const inner = outer.tasks[0]!.groups
    expect(names(inner)).toEqual(["inner"])
    expect(inner[0]!.tasks.map((t) => t.name)).toEqual(["gathering"])
    expect(names(inner[0]!.tasks[0]!.groups)).toEqual(["gather"])
    expect(names(all)).toContain("outer")
    expect(names(all)).not.toContain("inner")
    expect(names(all)).not.toContain("gather")
    expect(names(snapshotAll())).not.toContain("outer")
  })

  it("drops a group from snapshotAll once it has ended, and renders the tree", async () => {
    const release = gate()
    const tg = createTaskGroup({ name: "disposable" })
    tg.spawn(() => release.opened, { name: "waiting" })
    const text = renderSnapshot(snapshotAll(), { now: Date.now() })
    expect(text).toMatch(/TaskGroup "disposable" open · failFast · 0 queued, 1 running/)
    expect(text).toMatch(/└─ task "waiting" · running · for \d/)
    release.open()
    await tg[Symbol.asyncDispose]()
    expect(names(snapshotAll())).not.toContain("disposable")
  })
})

describe("progress", () => {
  it("shows a spawned task's reports on its handle and in snapshots, across awaits", async () => {
    const release = gate()
    const [soon, during] = await taskGroup(async (tg) => {
      const soon = tg.spawn(
        async () => {
          reportProgress(1, 4)
          await sleep(1)
          reportProgress(2, 4)
          await release.opened
          reportProgress(4)
        },
        { name: "counting" }
      )
      expect(soon.progress).toEqual({ done: 1, total: 4 })
      await sleep(10)
      const during = tg.snapshot().tasks[0]!.progress
      release.open()
      return [soon, during] as const
    })
    expect(during).toEqual({ done: 2, total: 4 })
    expect(soon.progress).toEqual({ done: 4 })
  })

  it("reports from a task started with tg.start", async () => {
    const soon = await taskGroup(async (tg) => {
      const [, soon] = await tg.start(async (started: () => void) => {
        reportProgress(5, 10)
        started()
        await sleep(1)
      })
      return soon
    })
    expect(soon.progress).toEqual({ done: 5, total: 10 })
  })

  it("returns false outside any task (and in a group opened outside one), true inside; a bad count throws", async () => {
    expect(reportProgress(1)).toBe(false)
    await taskGroup(async () => {
      expect(reportProgress(1)).toBe(false)
      await sleep(1)
      expect(reportProgress(1)).toBe(false)
    })
    let inside: boolean | undefined
    const soon = await taskGroup(async (tg) =>
      tg.soonify(async () => {
        await sleep(1)
        inside = reportProgress(2, 4)
      })()
    )
    expect(inside).toBe(true)
    expect(soon.progress).toEqual({ done: 2, total: 4 })
    await taskGroup(async (tg) => {
      tg.spawn(() => {
        expect(() => reportProgress(-1)).toThrow(RangeError)
        expect(() => reportProgress(1, Number.NaN)).toThrow(/"total" must be a finite number ≥ 0, received number NaN/)
        expect(() => reportProgress("1" as any)).toThrow(TypeError)
      })
    })
  })
})

describe("a stuck task where there is no process.emitWarning (a browser)", () => {
  it("is reported once with console.warn, named SoonifyStuckTaskWarning", async () => {
    const processObject = process as { emitWarning?: unknown }
    const emitWarning = processObject.emitWarning
    const consoleWarn = console.warn
    const warned: Array<string> = []
    processObject.emitWarning = undefined
    console.warn = (...args: Array<unknown>) => void warned.push(args.join(" "))
    try {
      const tg = createTaskGroup({ name: "in a browser", stuckAfter: 10 })
      let release!: () => void
      tg.spawn(() => new Promise<void>((resolve) => (release = resolve)), { name: "deaf" })
      tg.cancel()
      await sleep(40)
      release()
      await tg[Symbol.asyncDispose]().catch(() => undefined)
    } finally {
      processObject.emitWarning = emitWarning
      console.warn = consoleWarn
    }
    expect(warned).toHaveLength(1)
    expect(warned[0]).toMatch(
      /^SoonifyStuckTaskWarning: Task "deaf" of task group "in a browser" was cancelled 0\.\d s ago and has not settled/
    )
    expect(warned[0]).toContain("(Reported once, after the group's stuckAfter.)")
  })
})
