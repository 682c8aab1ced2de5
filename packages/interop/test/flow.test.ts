// Flow control inside a group (DESIGN §10) for Promise code, on real short timers:
// priority, partitions, the rate window, setConcurrency, cancellation while waiting for
// each reason, snapshots, types, and bad values.
import { describe, expect, expectTypeOf, it } from "vitest"
import {
  CancelledError,
  createTaskGroup,
  type GroupSnapshot,
  renderSnapshot,
  type SoonValue,
  type TaskGroup,
  taskGroup
} from "@soonify/interop"
import { sleep, untilAborted } from "./sleep.ts"
import { thrown } from "./support.ts"

/** Every window of `limit + 1` consecutive starts spans at least `interval` ms: the strict sliding window. */
const windowsHold = (times: ReadonlyArray<number>, limit: number, interval: number): Array<string> => {
  const sorted = times.toSorted((a, b) => a - b)
  const broken: Array<string> = []
  for (let i = 0; i + limit < sorted.length; i++) {
    if (sorted[i + limit] - sorted[i] < interval)
      broken.push(`starts ${i}..${i + limit}: ${sorted[i + limit] - sorted[i]} ms`)
  }
  return broken
}

/** When the task calling it was started, as its group recorded it (the time its rate window counted). */
const ownStart = (tg: TaskGroup, name: string): number =>
  tg.snapshot().tasks.find((task) => task.name === name)!.startedAt!

describe("priority", () => {
  it("higher priority starts first among the waiting tasks; equal priorities keep spawn order", async () => {
    const order: Array<string> = []
    await taskGroup(
      async (tg) => {
        tg.spawn(() => sleep(10), { name: "first" })
        for (const [name, priority] of [
          ["low", 0],
          ["high", 5],
          ["mid", 1],
          ["high2", 5],
          ["negative", -1]
        ] as const) {
          tg.soonify(async (what: string) => void order.push(what), { priority })(name)
        }
      },
      { concurrency: 1 }
    )
    expect(order).toEqual(["high", "high2", "mid", "low", "negative"])
  })
})

describe("partitions", () => {
  it("at most `partitions.concurrency` running tasks per partition, counted over the whole run", async () => {
    const running = new Map<string, number>()
    let most = new Map<string, number>()
    let overall = 0
    let mostOverall = 0
    const fetchFrom = async (host: string, path: string) => {
      running.set(host, (running.get(host) ?? 0) + 1)
      overall++
      mostOverall = Math.max(mostOverall, overall)
      most.set(host, Math.max(most.get(host) ?? 0, running.get(host)!))
      await sleep(3 + (path.length % 4))
      running.set(host, running.get(host)! - 1)
      overall--
      return `${host}${path}`
    }
    const pages = await taskGroup(
      async (tg) => {
        const fetch = tg.soonify(fetchFrom, { partition: (host) => host })
        return Array.from({ length: 40 }, (_, i) => fetch(["a", "b", "c"][i % 3]!, `/${i}`))
      },
      { concurrency: 5, partitions: { concurrency: 2 } }
    )
    expect(pages.map((soon) => soon.value)).toHaveLength(40)
    expect(Math.max(...most.values())).toBe(2)
    expect(mostOverall).toBe(5)
    most = new Map()
  })

  it("a task its partition holds back does not hold back later tasks of other partitions", async () => {
    const started: Array<string> = []
    await taskGroup(
      async (tg) => {
        const task = tg.soonify(async (name: string) => (started.push(name), sleep(20)), {
          partition: (name) => name[0]!
        })
        task("a1")
        task("a2")
        task("b1")
        await sleep(5)
        expect(started).toEqual(["a1", "b1"])
      },
      { partitions: { concurrency: 1 } }
    )
    expect(started).toEqual(["a1", "b1", "a2"])
  })

  it("spawn and start take a partition string; soonify a string or a function of the arguments, typed from them", async () => {
    await taskGroup(
      async (tg) => {
        tg.spawn((signal) => untilAborted(signal), { partition: "p", name: "spawned" })
        tg.spawn((signal) => untilAborted(signal), { partition: "p", name: "waits" })
        const typed = tg.soonify(async (host: string, port: number) => `${host}:${port}`, {
          partition: (host, port) => {
            expectTypeOf(host).toEqualTypeOf<string>()
            expectTypeOf(port).toEqualTypeOf<number>()
            return host
          }
        })
        typed("p", 80)
        const [, started] = await tg.start((ready, signal) => (ready(), untilAborted(signal)), {
          partition: "q",
          name: "started"
        })
        expect(started.status).toBe("pending")
        const snapshot = tg.snapshot()
        expect(snapshot.tasks.map(({ name, partition, waiting }) => [name, partition, waiting])).toEqual([
          ["spawned", "p", undefined],
          ["waits", "p", "partition"],
          ["task-1", "p", "partition"],
          ["started", "q", undefined]
        ])
        tg.cancel()
      },
      { partitions: { concurrency: 1 } }
    ).then(
      () => expect.unreachable(),
      (error) => {
        if (!(error instanceof CancelledError)) throw error
      }
    )
  })
})

describe("rate: a strict sliding window, on real timers", () => {
  it("at most `limit` starts in any window of `interval` ms: checked over every window of the recorded starts", async () => {
    const recorded: Array<number> = []
    const real: Array<number> = []
    const startedAt = Date.now()
    await taskGroup(
      async (tg) => {
        for (let i = 0; i < 12; i++) {
          tg.spawn(
            async () => {
              real.push(Date.now())
              recorded.push(ownStart(tg, `t${i}`))
              await sleep(i % 3)
            },
            { name: `t${i}` }
          )
        }
      },
      { rate: { limit: 3, interval: 80 } }
    )
    expect(recorded).toHaveLength(12)
    expect(windowsHold(recorded, 3, 80)).toEqual([])
    // The calls themselves come right after their start is counted (on a loaded machine,
    // a few milliseconds later at worst).
    expect(windowsHold(real, 3, 60)).toEqual([])
    // A sliding window, not buckets nor a slow drip: 12 starts at 3 per 80 ms take about 240 ms.
    const took = Date.now() - startedAt
    expect(took).toBeGreaterThanOrEqual(240)
    expect(took).toBeLessThan(800)
  })

  it("sliding, not fixed buckets: a start comes as soon as the one `limit` places before it leaves the window", async () => {
    const recorded: Array<number> = []
    await taskGroup(
      async (tg) => {
        const record = (name: string) => async () => void recorded.push(ownStart(tg, name))
        tg.spawn(record("a"), { name: "a" })
        // 31: a 30 ms timer can fire a millisecond early by Date.now's reckoning.
        await sleep(31)
        for (const name of ["b", "c", "d"]) tg.spawn(record(name), { name })
      },
      { rate: { limit: 2, interval: 60 } }
    )
    const [a, b, c, d] = recorded.map((time) => time - recorded[0]!)
    expect(a).toBe(0)
    expect(b).toBeGreaterThanOrEqual(30)
    // c leaves as soon as a leaves the window (60 ms after it), not at a bucket's edge after b.
    expect(c).toBeGreaterThanOrEqual(60)
    expect(c! - 60).toBeLessThan(25)
    expect(d! - b!).toBeGreaterThanOrEqual(60)
  })

  it("per partition on top of the group's: each host its own window", async () => {
    const byHost = new Map<string, Array<number>>()
    await taskGroup(
      async (tg) => {
        for (let i = 0; i < 12; i++) {
          const host = i % 2 === 0 ? "a" : "b"
          const name = `${host}${i}`
          tg.spawn(async () => void byHost.set(host, [...(byHost.get(host) ?? []), ownStart(tg, name)]), {
            name,
            partition: host
          })
        }
      },
      { partitions: { rate: { limit: 2, interval: 30 } } }
    )
    expect(windowsHold(byHost.get("a")!, 2, 30)).toEqual([])
    expect(windowsHold(byHost.get("b")!, 2, 30)).toEqual([])
    // Both hosts ran side by side: their first starts are in the same window.
    expect(Math.abs(byHost.get("a")![0]! - byHost.get("b")![0]!)).toBeLessThan(30)
  })
})

/** Keeps the synchronous run busy for `ms` milliseconds. */
const busy = (ms: number): void => {
  const end = Date.now() + ms
  while (Date.now() < end) {
    // the synchronous run goes on
  }
}

describe("the time a start is counted at", () => {
  it("tasks spawned in one synchronous run are recorded as started at the same moment (one clock reading)", async () => {
    const [a, b] = await taskGroup(async (tg) => {
      tg.spawn(() => sleep(5), { name: "a" })
      busy(20)
      tg.spawn(() => sleep(5), { name: "b" })
      return tg.snapshot().tasks.map((task) => task.startedAt)
    })
    expect(a).toBeDefined()
    expect(b).toBe(a)
  })

  for (const [what, options, taskOptions] of [
    ["the group's rate window", { rate: { limit: 1, interval: 40 } }, {}],
    ["a partition's rate window", { partitions: { rate: { limit: 1, interval: 40 } } }, { partition: "p" }]
  ] as const) {
    it(`${what} reads the time afresh: a start late in a long synchronous run is let in as soon as the window allows`, async () => {
      const recorded: Array<number> = []
      const startedAtOnce = await taskGroup(async (tg) => {
        const record = (name: string) => async () => void recorded.push(ownStart(tg, name))
        tg.spawn(record("a"), { name: "a", ...taskOptions })
        busy(60)
        // `a` left the 40 ms window while this run went on: `b` starts now.
        tg.spawn(record("b"), { name: "b", ...taskOptions })
        return recorded.length === 2
      }, options)
      expect(startedAtOnce).toBe(true)
      expect(recorded[1]! - recorded[0]!).toBeGreaterThanOrEqual(60)
    })
  }
})

describe("setConcurrency", () => {
  it("raising it starts waiting tasks at once; lowering it lets running tasks finish and starts none until below", async () => {
    let running = 0
    let most = 0
    const work = async (ms: number) => {
      running++
      most = Math.max(most, running)
      await sleep(ms)
      running--
    }
    await taskGroup(
      async (tg) => {
        for (let i = 0; i < 6; i++) tg.soonify(work)(30)
        expect(running).toBe(1)
        tg.setConcurrency(3)
        expect([running, tg.concurrency, tg.snapshot().concurrency]).toEqual([3, 3, 3])
        tg.setConcurrency(1)
        await sleep(40)
        // The three that ran have ended; only one runs now.
        expect(running).toBe(1)
        tg.setConcurrency(Infinity)
        // The one running, and the last two at once.
        expect([running, tg.snapshot().concurrency]).toEqual([3, "unbounded"])
      },
      { concurrency: 1 }
    )
    expect(most).toBe(3)
  })

  it("bad values throw like the option does, naming the argument", () => {
    const tg = createTaskGroup()
    for (const [value, kind] of [
      [0, RangeError],
      [1.5, RangeError],
      [-1, RangeError],
      [Number.NaN, RangeError],
      ["2", TypeError],
      [undefined, TypeError]
    ] as const) {
      const error = thrown(() => tg.setConcurrency(value as number)) as Error
      expect(error).toBeInstanceOf(kind)
      expect(error.message).toMatch(
        /^tg\.setConcurrency: concurrency must be a positive integer or Infinity, received /
      )
    }
    return tg[Symbol.asyncDispose]()
  })
})

describe("cancellation while waiting, for each reason: every handle settles at once", () => {
  const waitingFor = async (options: object, spawnOptions: object, reason: string) => {
    const tg = createTaskGroup(options)
    const first = tg.spawn((signal) => untilAborted(signal), spawnOptions)
    const waiting = tg.spawn((signal) => untilAborted(signal), spawnOptions)
    const behind = tg.spawn((signal) => untilAborted(signal), spawnOptions)
    expect(tg.snapshot().tasks.map((task) => task.waiting)).toEqual([undefined, reason, reason])
    // The handle alone: it settles at once, cancelled, and never ran.
    await waiting.cancel()
    expect(waiting.status).toBe("cancelled")
    // The group: every handle settles.
    tg.cancel()
    await expect(tg[Symbol.asyncDispose]()).rejects.toBeInstanceOf(CancelledError)
    expect([first.status, behind.status]).toEqual(["cancelled", "cancelled"])
  }

  it("a permit", () => waitingFor({ concurrency: 1 }, {}, "permit"))
  it("its partition", () => waitingFor({ partitions: { concurrency: 1 } }, { partition: "p" }, "partition"))
  it("the group's rate window (its one timer cleared: the process is not held)", () =>
    waitingFor({ rate: { limit: 1, interval: 60_000 } }, {}, "rate"))
  it("its partition's rate window", () =>
    waitingFor({ partitions: { rate: { limit: 1, interval: 60_000 } } }, { partition: "p" }, "rate"))

  it("a group timing out ends the tasks waiting for a window", async () => {
    const handles: Array<SoonValue<unknown>> = []
    await expect(
      taskGroup(
        async (tg) => {
          for (let i = 0; i < 3; i++) handles.push(tg.spawn(async () => i))
        },
        { rate: { limit: 1, interval: 60_000 }, timeout: 20 }
      )
    ).rejects.toThrow(/timed out after 20 ms/)
    expect(handles.map((soon) => soon.status)).toEqual(["fulfilled", "cancelled", "cancelled"])
  })
})

describe("snapshots", () => {
  it("show the live limits as given, each waiting task's reason and partition, and render them", async () => {
    const tg = createTaskGroup({
      name: "crawler",
      concurrency: 3,
      rate: { limit: 5, interval: 1000 },
      partitions: { concurrency: 1, rate: { limit: 2, interval: 1000 } }
    })
    for (const url of ["a/1", "a/2", "b/1"]) {
      tg.spawn((signal) => untilAborted(signal), { name: url, partition: url[0] })
    }
    const snapshot: GroupSnapshot = tg.snapshot()
    expect(snapshot).toMatchObject({
      concurrency: 3,
      rate: { limit: 5, interval: 1000 },
      partitions: { concurrency: 1, rate: { limit: 2, interval: 1000 } }
    })
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot)
    expect(renderSnapshot(snapshot, { now: Date.now() })).toContain(
      'task "a/2" · queued · waiting for partition · partition "a"'
    )
    tg.cancel()
    await tg[Symbol.asyncDispose]().catch(() => {})
  })
})

describe("bad values of the new options fail like the existing ones, naming the argument", () => {
  const cases: Array<[string, () => unknown, RegExp, ErrorConstructor]> = [
    [
      "rate",
      () => createTaskGroup({ rate: 5 as never }),
      /createTaskGroup: option "rate" must be \{ limit, interval \}, received number 5/,
      TypeError
    ],
    [
      "rate.limit",
      () => createTaskGroup({ rate: { limit: 0, interval: 10 } }),
      /"limit" must be a positive integer, received number 0/,
      RangeError
    ],
    [
      "rate.limit type",
      () => createTaskGroup({ rate: { limit: "1", interval: 10 } as never }),
      /"limit" must be a positive integer/,
      TypeError
    ],
    [
      "rate.interval",
      () => createTaskGroup({ rate: { limit: 1, interval: 0 } }),
      /"interval" must be a number of milliseconds above 0/,
      RangeError
    ],
    [
      "rate.interval Infinity",
      () => createTaskGroup({ rate: { limit: 1, interval: Infinity } }),
      /"interval"/,
      RangeError
    ],
    [
      "partitions",
      () => createTaskGroup({ partitions: "x" as never }),
      /option "partitions" must be \{ concurrency\?, rate\? \}/,
      TypeError
    ],
    [
      "partitions.concurrency",
      () => createTaskGroup({ partitions: { concurrency: 0 } }),
      /option "partitions.concurrency" must be a positive integer or Infinity, received number 0/,
      RangeError
    ],
    [
      "partitions.rate",
      () => createTaskGroup({ partitions: { rate: { limit: 2, interval: -1 } } }),
      /option "partitions.rate" must be \{ limit, interval \}: "interval"/,
      RangeError
    ],
    [
      "priority",
      () => createTaskGroup().spawn(async () => 1, { priority: "high" as never }),
      /tg\.spawn: option "priority" must be a number, received string "high"/,
      TypeError
    ],
    [
      "priority NaN",
      () => createTaskGroup().soonify(async () => 1, { priority: Number.NaN }),
      /tg\.soonify: option "priority" must be a number, received number NaN/,
      TypeError
    ],
    [
      "partition",
      () => createTaskGroup().spawn(async () => 1, { partition: 3 as never }),
      /tg\.spawn: option "partition" must be a string, received number 3/,
      TypeError
    ],
    [
      "partition function on spawn",
      () => createTaskGroup().spawn(async () => 1, { partition: (() => "x") as never }),
      /tg\.spawn: option "partition" must be a string, received function/,
      TypeError
    ],
    [
      "soonify partition",
      () => createTaskGroup().soonify(async () => 1, { partition: 3 as never }),
      /tg\.soonify: option "partition" must be a string or a function of the arguments giving one/,
      TypeError
    ],
    [
      "soonify partition result",
      () => createTaskGroup().soonify(async (n: number) => n, { partition: (() => 1) as never })(1),
      /tg\.soonify: the "partition" function must return a string, returned number 1/,
      TypeError
    ]
  ]
  for (const [name, make, message, kind] of cases) {
    it(name, () => {
      const error = thrown(make)
      expect(error).toBeInstanceOf(kind)
      expect((error as Error).message).toMatch(message)
    })
  }

  it("taskGroup and tg.start reject instead of throwing", async () => {
    await expect(taskGroup(async () => 1, { rate: { limit: 1 } as never })).rejects.toThrow(/"interval"/)
    await taskGroup(async (tg) => {
      await expect(tg.start(async (ready) => ready(), { priority: "x" as never })).rejects.toThrow(
        /tg\.start: option "priority" must be a number/
      )
    })
  })
})
