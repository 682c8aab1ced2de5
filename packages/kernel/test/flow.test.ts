// Flow control inside a group (DESIGN §10), on the test runtime: partitions, rate
// windows, priority and setConcurrency composing in the scheduler's one admission step;
// waiting tasks cancellable at once, shown with their reason, holding no timer of their own.
import { describe, expect, it } from "vitest"
import type { GroupOptions, TaskOptions } from "@soonify/kernel"
import { running, setup, spawned, type TestRuntime, type TestTask } from "./support.ts"

/** A task of `partition` that runs until the test ends it. */
const on = (partition: string, name: string, options: TaskOptions = {}): TestTask =>
  running(name, {}, { partition, ...options })

/** The names of the tasks started so far, in order. */
const starts = (runtime: TestRuntime): Array<string> =>
  runtime.log.filter((line) => line.startsWith("start ")).map((line) => line.slice(6, line.lastIndexOf("#")))

/** Every window of `limit + 1` consecutive starts spans `interval` or more: the strict sliding window. */
const windowsHold = (times: ReadonlyArray<number>, limit: number, interval: number): boolean =>
  times.every((time, i) => i + limit >= times.length || times[i + limit] - time >= interval)

/** A group whose tasks record their start times. */
const recording = (options: GroupOptions) => {
  const { runtime, group } = setup(options)
  const startedAt = new Map<string, number>()
  const start = runtime.startAttempt.bind(runtime)
  runtime.startAttempt = (task) => {
    startedAt.set(task.name, runtime.time)
    start(task)
  }
  return { runtime, group, startedAt }
}

describe("partitions (DESIGN §10)", () => {
  it("at most `concurrency` running tasks per partition value; other values are not held back", () => {
    const { group } = setup({ partitions: { concurrency: 2 } })
    const a = ["a1", "a2", "a3", "a4"].map((name) => spawned(group, on("a", name)))
    const b = ["b1", "b2", "b3"].map((name) => spawned(group, on("b", name)))
    const free = spawned(group, running("free"))
    expect(a.map((task) => task.phase)).toEqual(["running", "running", "waiting", "waiting"])
    expect(b.map((task) => task.phase)).toEqual(["running", "running", "waiting"])
    expect(free.phase).toBe("running")
    group.end(a[0], "succeeded", undefined)
    expect(a.map((task) => task.phase)).toEqual(["ended", "running", "running", "waiting"])
    expect(b[2].phase).toBe("waiting")
  })

  it("compose with the group's concurrency: a task held by its partition lets a later one of another partition start", () => {
    const { runtime, group } = setup({ concurrency: 3, partitions: { concurrency: 1 } })
    const a1 = spawned(group, on("a", "a1"))
    const b1 = spawned(group, on("b", "b1"))
    spawned(group, on("a", "a2"))
    spawned(group, on("a", "a3"))
    const c1 = spawned(group, on("c", "c1"))
    const d1 = spawned(group, on("d", "d1"))
    expect(starts(runtime)).toEqual(["a1", "b1", "c1"])
    expect(d1.phase).toBe("waiting")
    expect(group.snapshot().tasks.map((task) => task.waiting)).toEqual([
      undefined,
      undefined,
      "partition",
      "partition",
      undefined,
      "permit"
    ])
    group.end(b1, "succeeded", undefined)
    // a2 waits for its partition, d1 for a permit: d1 gets it.
    expect(starts(runtime)).toEqual(["a1", "b1", "c1", "d1"])
    group.end(a1, "succeeded", undefined)
    expect(starts(runtime)).toEqual(["a1", "b1", "c1", "d1", "a2"])
    group.end(c1, "succeeded", undefined)
    expect(starts(runtime)).toHaveLength(5)
  })

  it("priority first among the tasks that may start; a held partition keeps its own tasks in priority order", () => {
    const { runtime, group } = setup({ concurrency: 1, partitions: { concurrency: 1 } })
    const first = spawned(group, on("a", "first"))
    spawned(group, on("a", "a-low", { priority: 0 }))
    spawned(group, on("a", "a-high", { priority: 9 }))
    spawned(group, on("b", "b-mid", { priority: 5 }))
    spawned(group, running("none-high", {}, { priority: 7 }))
    const endRunning = () =>
      group.end(
        group.tasks().find((task) => task.phase === "running")!,
        "succeeded",
        undefined
      )
    group.end(first, "succeeded", undefined)
    expect(starts(runtime)).toEqual(["first", "a-high"])
    endRunning()
    expect(starts(runtime)).toEqual(["first", "a-high", "none-high"])
    endRunning()
    expect(starts(runtime)).toEqual(["first", "a-high", "none-high", "b-mid"])
    endRunning()
    expect(starts(runtime)).toEqual(["first", "a-high", "none-high", "b-mid", "a-low"])
  })

  it("a task's partition is only shown when the group has no `partitions`", () => {
    const { group } = setup({ concurrency: 1 })
    spawned(group, on("a", "a1"))
    spawned(group, on("a", "a2"))
    expect(group.snapshot().tasks.map(({ partition, waiting }) => [partition, waiting])).toEqual([
      ["a", undefined],
      ["a", "permit"]
    ])
    expect(group.snapshot()).not.toHaveProperty("partitions")
  })

  it("keeps a partition value's state only while it has tasks, or starts in its window", () => {
    const { runtime, group } = setup({ partitions: { concurrency: 1, rate: { limit: 1, interval: 100 } } })
    const scheduler = (group as unknown as { scheduler: { partitions: Map<string, unknown> } }).scheduler
    const a = spawned(group, on("a", "a"))
    const b = spawned(group, on("b", "b"))
    expect(scheduler.partitions.size).toBe(2)
    group.end(a, "succeeded", undefined)
    group.end(b, "succeeded", undefined)
    expect(scheduler.partitions.size).toBe(2)
    // Idle values with starts in their window are swept once their number has doubled:
    // 1000 hosts, one request every 10 ms, hold at most 64 states (10 with a full window).
    let most = 0
    for (let i = 0; i < 1000; i++) {
      group.end(spawned(group, on(`h${i}`, `h${i}`)), "succeeded", undefined)
      most = Math.max(most, scheduler.partitions.size)
      runtime.advance(10)
    }
    expect(most).toBe(64)
    runtime.advance(100)
    spawned(group, on("late", "late"))
    expect(scheduler.partitions.size).toBeLessThanOrEqual(64)
  })

  it("without a rate, an idle partition value is dropped at once", () => {
    const { group } = setup({ partitions: { concurrency: 1 } })
    const scheduler = (group as unknown as { scheduler: { partitions: Map<string, unknown> } }).scheduler
    const a = spawned(group, on("a", "a"))
    const waiting = spawned(group, on("a", "waiting"))
    group.cancelTask(waiting)
    expect(scheduler.partitions.size).toBe(1)
    group.end(a, "succeeded", undefined)
    expect(scheduler.partitions.size).toBe(0)
  })
})

describe("rate: a strict sliding window (DESIGN §10)", () => {
  it("at most `limit` starts in any window of `interval`: the next start comes when the oldest leaves the window", () => {
    const { runtime, group, startedAt } = recording({ rate: { limit: 2, interval: 100 } })
    spawned(group, running("t0", { ends: [["succeeded", 0]] }))
    runtime.advance(50)
    for (let i = 1; i <= 5; i++) spawned(group, running(`t${i}`, { ends: [["succeeded", i]] }))
    runtime.advance(1000)
    // Fixed buckets of 100 ms would start t2 and t3 together at 1100; the window starts
    // each as soon as a start 100 ms before it leaves.
    expect([...startedAt.values()].map((time) => time - 1000)).toEqual([0, 50, 100, 150, 200, 250])
    expect(windowsHold([...startedAt.values()], 2, 100)).toBe(true)
  })

  it("holds whatever the order of spawns, ends and time (every window of the recorded starts)", () => {
    const { runtime, group, startedAt } = recording({ rate: { limit: 3, interval: 70 }, concurrency: 4 })
    const live: Array<TestTask> = []
    for (let step = 0; step < 200; step++) {
      if (step % 3 === 0) live.push(spawned(group, running(`t${step}`)))
      if (step % 5 === 0) live.push(spawned(group, running(`u${step}`)))
      const runningTask = live.find((task) => task.phase === "running")
      if (step % 2 === 0 && runningTask !== undefined) group.end(runningTask, "succeeded", undefined)
      runtime.advance((step * 7) % 23)
    }
    const times = [...startedAt.values()]
    expect(times.length).toBeGreaterThan(50)
    expect(windowsHold(times, 3, 70)).toBe(true)
  })

  it("per partition value: each value has its own window, and the group's applies on top", () => {
    const { runtime, group, startedAt } = recording({
      rate: { limit: 3, interval: 100 },
      partitions: { rate: { limit: 1, interval: 100 } }
    })
    for (const name of ["a1", "a2", "b1", "b2", "c1", "d1"]) spawned(group, running(name, {}, { partition: name[0] }))
    expect([...startedAt.keys()]).toEqual(["a1", "b1", "c1"])
    expect(group.snapshot().tasks.map((task) => task.waiting)).toEqual([
      undefined,
      "rate",
      undefined,
      "rate",
      undefined,
      "rate"
    ])
    runtime.advance(100)
    expect([...startedAt.keys()]).toEqual(["a1", "b1", "c1", "a2", "b2", "d1"])
    expect(runtime.time - 1000).toBe(100)
  })

  it("one timer per group for the windows, however many tasks and partitions wait; none once nothing waits", () => {
    const { runtime, group } = setup({ partitions: { rate: { limit: 1, interval: 100 } } })
    for (let i = 0; i < 50; i++) for (const host of ["a", "b", "c"]) spawned(group, on(host, `${host}${i}`))
    expect(runtime.liveTimers).toBe(1)
    runtime.advance(250)
    expect(runtime.liveTimers).toBe(1)
    for (const task of group.tasks()) group.cancelTask(task)
    expect(runtime.liveTimers).toBe(0)
  })

  it("a task waiting for a rate window ends at once when cancelled, and never starts", () => {
    const { runtime, group } = setup({ rate: { limit: 1, interval: 100 } })
    spawned(group, running("a"))
    const b = spawned(group, running("b"))
    const c = spawned(group, running("c"))
    expect(group.snapshot().tasks[1].waiting).toBe("rate")
    expect(c.phase).toBe("waiting")
    group.cancelTask(b, "me")
    expect([b.phase, b.ending]).toEqual(["ended", "cancelled"])
    expect(runtime.log).toContain("ended b cancelled none")
    runtime.advance(100)
    expect(starts(runtime)).toEqual(["a", "c"])
  })

  it("the shutdown ends every task waiting for a window or a partition, and clears the timer", () => {
    const { runtime, group } = setup({ rate: { limit: 1, interval: 100 }, partitions: { concurrency: 1 } })
    const a = spawned(group, on("a", "a"))
    const waiting = [spawned(group, on("a", "a2")), spawned(group, on("b", "b")), spawned(group, running("c"))]
    expect(group.snapshot().tasks.map((task) => task.waiting)).toEqual([undefined, "partition", "rate", "rate"])
    group.cancel()
    expect(waiting.map((task) => task.ending)).toEqual(["cancelled", "cancelled", "cancelled"])
    expect(runtime.liveTimers).toBe(0)
    expect(a.ending).toBe("cancelled")
    group.endOwner()
    expect(group.state).toBe("closed")
  })

  it("a group's rate waits for its permits too: a full group shows permit, and counts no start it did not make", () => {
    const { runtime, group, startedAt } = recording({ concurrency: 1, rate: { limit: 5, interval: 100 } })
    const a = spawned(group, running("a"))
    spawned(group, running("b"))
    expect(group.snapshot().tasks[1].waiting).toBe("permit")
    runtime.advance(30)
    group.end(a, "succeeded", undefined)
    expect(startedAt.get("b")).toBe(1030)
  })

  it("shows the limits as given, and in the text tree", async () => {
    const { group } = setup({
      concurrency: 4,
      rate: { limit: 10, interval: 1000 },
      partitions: { concurrency: 2, rate: { limit: 5, interval: 1000 } }
    })
    spawned(group, on("example.org", "fetch"))
    const snapshot = group.snapshot()
    expect(snapshot).toMatchObject({
      concurrency: 4,
      rate: { limit: 10, interval: 1000 },
      partitions: { concurrency: 2, rate: { limit: 5, interval: 1000 } }
    })
    const { renderSnapshot } = await import("@soonify/kernel")
    expect(renderSnapshot(snapshot)).toContain(
      "concurrency 4 · rate 10/1000 ms · per partition concurrency 2 rate 5/1000 ms"
    )
    expect(renderSnapshot(snapshot)).toContain('partition "example.org"')
  })
})

describe("setConcurrency with partitions and rates", () => {
  it("raising it starts waiting tasks at once, as far as their partitions and windows let them", () => {
    const { runtime, group } = setup({
      concurrency: 1,
      rate: { limit: 3, interval: 100 },
      partitions: { concurrency: 1 }
    })
    for (const name of ["a1", "a2", "b1", "c1", "d1"]) spawned(group, on(name[0], name))
    group.setConcurrency(10)
    expect(starts(runtime)).toEqual(["a1", "b1", "c1"])
    expect(group.snapshot().tasks.map((task) => task.waiting)).toEqual([
      undefined,
      "partition",
      undefined,
      undefined,
      "rate"
    ])
    runtime.advance(100)
    expect(starts(runtime)).toEqual(["a1", "b1", "c1", "d1"])
  })

  it("lowering it lets running tasks finish; no start until below the new limit", () => {
    const { runtime, group } = setup({ concurrency: 3, partitions: { concurrency: 2 } })
    const [a, b, c] = ["a", "b", "c"].map((name) => spawned(group, on(name, name)))
    spawned(group, on("d", "d"))
    group.setConcurrency(1)
    group.end(a, "succeeded", undefined)
    group.end(b, "succeeded", undefined)
    expect(starts(runtime)).toEqual(["a", "b", "c"])
    group.end(c, "succeeded", undefined)
    expect(starts(runtime)).toEqual(["a", "b", "c", "d"])
  })
})

describe("nothing allocated when unused (DESIGN §9)", () => {
  it("a group without `concurrency`, `rate` or `partitions` has no scheduler; with `concurrency` alone, no flow state", () => {
    const plain = setup().group as unknown as { scheduler: unknown }
    expect(plain.scheduler).toBeUndefined()
    const limited = setup({ concurrency: 2 }).group as unknown as { scheduler: { flow: unknown; ordering: string } }
    expect(limited.scheduler.flow).toBeUndefined()
    expect(limited.scheduler.ordering).toBe("spawn")
  })

  it("a rate that never fills reads the clock and sets no timer", () => {
    const { runtime, group } = setup({ rate: { limit: 100, interval: 1000 } })
    for (let i = 0; i < 10; i++) group.end(spawned(group, running(`t${i}`)), "succeeded", undefined)
    expect(runtime.timers).toHaveLength(0)
  })
})

describe("the time a start is counted at", () => {
  it("is the task's startedAt: with a clock that moves at every reading, the windows and the snapshots agree", () => {
    const { runtime, group } = setup({ rate: { limit: 2, interval: 10 } })
    const read = runtime.now.bind(runtime)
    // Every reading of the clock is one millisecond later than the one before.
    runtime.now = () => {
      runtime.time++
      return read()
    }
    const tasks = Array.from({ length: 8 }, (_, i) => spawned(group, running(`t${i}`, { ends: [["succeeded", i]] })))
    runtime.advance(100)
    const times = tasks.map((task) => task.startedAt!)
    expect(times.every((time, i) => i < 2 || time - times[i - 2] >= 10)).toBe(true)
    // The window's ring holds the last two starts' times: the same readings as their startedAt.
    const ring = (group as unknown as { scheduler: { times: Array<number> } }).scheduler.times
    expect(ring.toSorted()).toEqual(times.slice(-2).toSorted())
  })
})
