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

describe("the scheduler's memory and order", () => {
  const waitingTasks = (scheduler: Scheduler, count: number, priority = 0): Array<Task> =>
    Array.from({ length: count }, (_, i) => {
      const task = new Task(i, undefined, priority === 0 ? undefined : { priority })
      if (!scheduler.admit(task)) task.phase = "waiting"
      return task
    })

  /** Starts the next waiting task, as its group would; gives it. */
  const startNext = (scheduler: Scheduler): Task | undefined => {
    scheduler.release()
    const next = scheduler.next()
    if (next !== undefined) next.phase = "running"
    return next
  }

  it("holds nothing when no task waits: after the last one starts, or is cancelled", () => {
    const scheduler = new Scheduler(1)
    expect(scheduler.retained).toBe(0)
    const [, b, c] = waitingTasks(scheduler, 3)
    expect(scheduler.retained).toBe(2)
    b.phase = "ended"
    scheduler.left()
    expect(scheduler.retained).toBe(2)
    expect(startNext(scheduler)).toBe(c)
    expect(scheduler.retained).toBe(0)
    const [d] = waitingTasks(scheduler, 1)
    d.phase = "ended"
    scheduler.left()
    expect([scheduler.retained, scheduler.waitingCount]).toEqual([0, 0])
  })

  it("drops the started tasks once more than 1024 of them make more than half of what it holds", () => {
    const scheduler = new Scheduler(1)
    waitingTasks(scheduler, 2001)
    const held: Array<number> = []
    for (let started = 1; started <= 1030; started++) {
      startNext(scheduler)
      held.push(scheduler.retained)
    }
    // 2000 entries: started tasks are dropped when 1025 of them are behind the head.
    expect(held[1023]).toBe(2000)
    expect(held[1024]).toBe(975)
    expect(held[1029]).toBe(975)
  })

  it("drops them when they are more than half, not when they are exactly half", () => {
    const scheduler = new Scheduler(1)
    waitingTasks(scheduler, 3001)
    for (let started = 1; started <= 1500; started++) startNext(scheduler)
    expect(scheduler.retained).toBe(3000)
    startNext(scheduler)
    expect(scheduler.retained).toBe(1499)
  })

  it("keeps spawn order until a task of another priority waits; a heap from then on, in the same order", () => {
    const scheduler = new Scheduler(1)
    const first = waitingTasks(scheduler, 4)
    expect(scheduler.ordering).toBe("spawn")
    first[1].phase = "ended"
    scheduler.left()
    const urgent = waitingTasks(scheduler, 1, 1)
    expect([scheduler.ordering, scheduler.retained]).toEqual(["priority", 3])
    const later = waitingTasks(scheduler, 30)
    const order = [urgent[0], first[2], first[3], ...later]
    for (const task of order) expect(startNext(scheduler)).toBe(task)
    expect([startNext(scheduler), scheduler.retained]).toEqual([undefined, 0])
  })

  it("in priority order too, holds nothing once every waiting task was cancelled", () => {
    const scheduler = new Scheduler(1)
    const [, ...waiting] = waitingTasks(scheduler, 3, 2)
    for (const task of waiting) {
      task.phase = "ended"
      scheduler.left()
    }
    expect([scheduler.ordering, scheduler.retained]).toEqual(["priority", 0])
  })

  it("stays in spawn order after its queue was emptied", () => {
    const scheduler = new Scheduler(1)
    waitingTasks(scheduler, 2)
    startNext(scheduler)
    expect([scheduler.ordering, scheduler.retained]).toEqual(["spawn", 0])
  })

  it("in priority order, equal priorities start in spawn order, however many", () => {
    const scheduler = new Scheduler(1)
    waitingTasks(scheduler, 1)
    const mixed = [3, 1, 3, 2, 1, 3, 2, 2, 1, 3, 1, 2, 3, 3, 1].flatMap((priority, i) =>
      waitingTasks(scheduler, 1, priority).map((task) => ({ task, priority, i }))
    )
    const expected = mixed.toSorted((a, b) => b.priority - a.priority || a.i - b.i).map(({ task }) => task)
    for (const task of expected) expect(startNext(scheduler)).toBe(task)
  })

  it("a newcomer queues behind a waiting task even while a permit is being handed on", () => {
    const { group } = setup({ concurrency: 1 })
    spawned(group, running("a"))
    let newcomer: Task | undefined
    const b = spawned(group, running("b", { onStart: () => (newcomer = spawned(group, running("newcomer"))) }))
    const c = spawned(group, running("c"))
    group.setConcurrency(3)
    expect([b.phase, c.phase, newcomer!.phase]).toEqual(["running", "running", "waiting"])
  })
})
