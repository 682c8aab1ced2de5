import { describe, expect, it } from "vitest"
import { Scheduler, Task } from "@soonify/kernel"
import { ending, running, setup, spawned } from "./support.ts"

describe("concurrency", () => {
  it("runs at most `concurrency` tasks; the others wait their turn in spawn order", () => {
    const { group } = setup({ concurrency: 2 })
    const [a, b, c, d] = ["a", "b", "c", "d"].map((name) => spawned(group, running(name)))
    expect([a, b, c, d].map((task) => task.phase)).toEqual(["running", "running", "waiting", "waiting"])
    expect(group.snapshot().counts).toMatchObject({ queued: 2, running: 2 })
    group.end(b, "succeeded", undefined)
    expect([c.phase, d.phase]).toEqual(["running", "waiting"])
  })

  it("a freed permit starts the next waiting task in the same turn (p-limit's activeCount and pendingCount)", () => {
    const { runtime, group } = setup({ concurrency: 2 })
    const [a, b, c] = ["a", "b", "c"].map((name) => spawned(group, running(name)))
    let seen: unknown
    // What whoever awaits `a` sees when it hears of its end: `c` has started already.
    runtime.taskEnded = (task) => {
      if (task === a) seen = group.snapshot().counts
    }
    group.end(a, "succeeded", undefined)
    expect(seen).toMatchObject({ queued: 0, running: 2 })
    group.end(b, "succeeded", undefined)
    group.end(c, "succeeded", undefined)
    expect(group.snapshot().counts).toEqual({ queued: 0, running: 0, succeeded: 3, failed: 0, cancelled: 0 })
  })

  it("tasks ending in their first steps pass their permits on without growing the stack", () => {
    const { group } = setup({ concurrency: 1 })
    const blocker = spawned(group, running("blocker"))
    const tasks = Array.from({ length: 20_000 }, (_, i) => spawned(group, ending(`t${i}`, "succeeded", i)))
    group.end(blocker, "succeeded", undefined)
    expect(tasks.every((task) => task.ready)).toBe(true)
  })

  it("a waiting task keeps its turn against a newcomer", () => {
    const { runtime, group } = setup({ concurrency: 1 })
    const a = spawned(group, running("a"))
    const b = spawned(group, running("b"))
    let newcomer: Task<any> | undefined
    runtime.taskEnded = (task) => {
      if (task === a) newcomer = spawned(group, running("newcomer"))
    }
    group.end(a, "succeeded", undefined)
    expect([b.phase, newcomer!.phase]).toEqual(["running", "waiting"])
  })

  it("a task cancelled while it waits ends at once, never starts, and gives its turn up", () => {
    const { runtime, group } = setup({ concurrency: 1 })
    const a = spawned(group, running("a"))
    const b = spawned(group, running("b"))
    const c = spawned(group, running("c"))
    group.cancelTask(b, "me")
    expect([b.phase, b.ending, b.cancelledBy]).toEqual(["ended", "cancelled", "me"])
    group.end(a, "succeeded", undefined)
    expect(c.phase).toBe("running")
    expect(runtime.log).not.toContain("start b#1")
  })

  it("the shutdown ends the waiting tasks cancelled; none starts after it", () => {
    const { runtime, group } = setup({ concurrency: 1 })
    const a = spawned(group, running("a", { onInterrupt: "ignore" }))
    const b = spawned(group, running("b"))
    group.cancel()
    expect(b.ending).toBe("cancelled")
    group.end(a, "succeeded", undefined)
    expect(runtime.log.filter((line) => line.startsWith("start"))).toEqual(["start a#1"])
  })

  it("a failure in fail-fast mode stops the group before the freed permit could start anybody", () => {
    const { runtime, group } = setup({ concurrency: 1 })
    const a = spawned(group, running("a"))
    spawned(group, running("b"))
    group.end(a, "failed", "boom")
    expect(runtime.log.filter((line) => line.startsWith("start"))).toEqual(["start a#1"])
  })

  it("no scheduler, no queue: an unbounded group admits every task at once", () => {
    const { group } = setup()
    const tasks = Array.from({ length: 5 }, () => spawned(group, running()))
    expect(tasks.every((task) => task.phase === "running")).toBe(true)
    expect(group.snapshot().concurrency).toBe("unbounded")
  })
})

describe("priority (DESIGN §10)", () => {
  it("among the waiting tasks, higher priority starts first; equal priorities keep spawn order", () => {
    const { runtime, group } = setup({ concurrency: 1 })
    const first = spawned(group, running("first"))
    for (const [name, priority] of [
      ["low", 0],
      ["high", 5],
      ["mid", 1],
      ["high2", 5],
      ["low2", 0]
    ] as const) {
      spawned(group, running(name, { ends: [["succeeded", name]] }, { priority }))
    }
    group.end(first, "succeeded", undefined)
    expect(runtime.log.filter((line) => line.startsWith("start")).map((line) => line.slice(6, -2))).toEqual([
      "first",
      "high",
      "high2",
      "mid",
      "low",
      "low2"
    ])
  })

  it("a cancelled waiting task is passed over in priority order too", () => {
    const { runtime, group } = setup({ concurrency: 1 })
    const first = spawned(group, running("first"))
    const high = spawned(group, running("high", {}, { priority: 2 }))
    spawned(group, running("next", { ends: [["succeeded", 1]] }, { priority: 1 }))
    group.cancelTask(high)
    group.end(first, "succeeded", undefined)
    expect(runtime.log).toContain("start next#1")
    expect(runtime.log).not.toContain("start high#1")
  })
})

describe("setConcurrency (DESIGN §10)", () => {
  it("raising it starts waiting tasks at once", () => {
    const { group } = setup({ concurrency: 1 })
    const tasks = ["a", "b", "c"].map((name) => spawned(group, running(name)))
    group.setConcurrency(3)
    expect(tasks.map((task) => task.phase)).toEqual(["running", "running", "running"])
    expect(group.snapshot().concurrency).toBe(3)
  })

  it("lowering it lets running tasks finish and starts no more until below the new limit", () => {
    const { group } = setup({ concurrency: 3 })
    const [a, b, c] = ["a", "b", "c"].map((name) => spawned(group, running(name)))
    const d = spawned(group, running("d"))
    group.setConcurrency(1)
    group.end(a, "succeeded", undefined)
    group.end(b, "succeeded", undefined)
    expect(d.phase).toBe("waiting")
    group.end(c, "succeeded", undefined)
    expect(d.phase).toBe("running")
  })

  it("limits an unbounded group from now on, counting the tasks running already", () => {
    const { group } = setup()
    const [a, b] = ["a", "b"].map((name) => spawned(group, running(name)))
    group.setConcurrency(2)
    const c = spawned(group, running("c"))
    expect(c.phase).toBe("waiting")
    group.end(a, "succeeded", undefined)
    expect(c.phase).toBe("running")
    group.setConcurrency(Infinity)
    expect(group.snapshot().concurrency).toBe("unbounded")
    expect(b.phase).toBe("running")
  })

  it("Infinity on an unbounded group makes nothing", () => {
    const { group } = setup()
    group.setConcurrency(Infinity)
    expect(group.concurrency).toBe(Infinity)
  })
})

describe("the scheduler alone", () => {
  it("compacts its queue as it goes: a long run of waiting tasks stays linear", () => {
    const scheduler = new Scheduler(1)
    const tasks = Array.from({ length: 5000 }, (_, i) => new Task(i))
    for (const task of tasks) if (!scheduler.admit(task)) task.phase = "waiting"
    expect(scheduler.waitingCount).toBe(4999)
    for (let i = 1; i < tasks.length; i++) {
      scheduler.release()
      const next = scheduler.next()!
      expect(next).toBe(tasks[i])
      next.phase = "running"
    }
    expect(scheduler.next()).toBeUndefined()
  })
})
