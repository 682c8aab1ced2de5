import { describe, expect, it } from "vitest"
import { progressProblem, reportProgress } from "@soonify/kernel"
import { ending, running, setup, spawned, TestTask } from "./support.ts"

describe("soon spawns", () => {
  it("queue until the runtime flushes the group, then start in spawn order; one flush per batch", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a"), "soon")
    const b = spawned(group, running("b"), "soon")
    expect([a.phase, b.phase]).toEqual(["queued", "queued"])
    expect(runtime.flushes).toHaveLength(1)
    expect(group.snapshot().tasks.map((task) => task.status)).toEqual(["queued", "queued"])
    runtime.flush()
    expect([a.phase, b.phase]).toEqual(["running", "running"])
  })

  it("a queued task cancelled before the flush ends at once and never runs", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a"), "soon")
    group.cancelTask(a)
    expect(a.ending).toBe("cancelled")
    runtime.flush()
    expect(runtime.log).toEqual(["ended a cancelled none"])
  })

  it("the shutdown ends queued tasks cancelled; the flush then starts nothing", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a"), "soon")
    group.cancel()
    runtime.flush()
    expect(a.ending).toBe("cancelled")
    expect(runtime.log.some((line) => line.startsWith("start"))).toBe(false)
  })

  it("a flush takes its turn with the permits", () => {
    const { runtime, group } = setup({ concurrency: 1 })
    const tasks = ["a", "b"].map((name) => spawned(group, running(name), "soon"))
    runtime.flush()
    expect(tasks.map((task) => task.phase)).toEqual(["running", "waiting"])
  })
})

describe("cancelling one task", () => {
  it("asks a running task to stop: it is cancelling, since when, and by whom, until it ends", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a", { onInterrupt: "ignore" }))
    group.cancelTask(a, "caller")
    expect([a.phase, a.cancelledAt, a.cancelledBy]).toEqual(["cancelling", 1000, "caller"])
    group.cancelTask(a, "again")
    expect(runtime.log.filter((line) => line.startsWith("interrupt"))).toHaveLength(1)
    expect(a.cancelledBy).toBe("caller")
    group.end(a, "cancelled", undefined)
    expect(a.cancelledAt).toBeUndefined()
  })

  it("cancelled in its first steps, a task is asked to stop once they are over", () => {
    const { runtime, group } = setup()
    const a = new TestTask({ onStart: (task) => group.cancelTask(task) }, "a")
    spawned(group, a)
    expect(runtime.log).toEqual(["start a#1", "interrupt a", "ended a cancelled none"])
  })

  it("the shutdown in a task's first steps asks it to stop once they are over", () => {
    const { runtime, group } = setup()
    const a = new TestTask({ onStart: () => group.cancel() }, "a")
    spawned(group, a)
    expect(runtime.log).toEqual(["start a#1", "shutting down g", "interrupt a", "ended a cancelled none"])
  })

  it("does nothing for a task that has ended", () => {
    const { runtime, group } = setup()
    const a = spawned(group, ending("a", "succeeded", 1))
    group.cancelTask(a)
    expect(runtime.log).toEqual(["start a#1", "ended a succeeded none"])
  })
})

describe("keys (single flight)", () => {
  it("spawning a live key gives the task that holds it; once it has ended, the key is free", () => {
    const { group } = setup()
    const first = running("first")
    first.key = "user:1"
    spawned(group, first)
    const second = running("second")
    second.key = "user:1"
    expect(group.spawn(second)).toBe(first)
    expect(group.keys).toEqual(["user:1"])
    expect(group.keyedTask("user:1")).toBe(first)
    group.end(first, "succeeded", 1)
    expect(group.keys).toEqual([])
    expect(group.spawn(second)).toBe(second)
  })

  it("a key held by a queued or waiting task counts; one cancelled there is freed", () => {
    const { group } = setup({ concurrency: 1 })
    spawned(group, running("a"))
    const waiting = running("waiting")
    waiting.key = 7
    spawned(group, waiting)
    const again = running("again")
    again.key = 7
    expect(group.spawn(again)).toBe(waiting)
    group.cancelTask(waiting)
    expect(group.keys).toEqual([])
  })

  it("snapshots show a key as a string", () => {
    const { group } = setup()
    const task = running("a")
    task.key = Symbol("s")
    spawned(group, task)
    expect(group.snapshot().tasks[0].key).toBe("Symbol(s)")
  })
})

describe("the start handshake", () => {
  it("started(): true once, false the second time", () => {
    const { group } = setup()
    const task = running("server")
    task.handshake = "awaited"
    spawned(group, task)
    expect(group.started(task)).toBe(true)
    expect(group.started(task)).toBe(false)
    group.end(task, "failed", "boom")
    expect(group.failures).toEqual(["boom"])
  })

  it("a task that ends before started: its outcome is the starter's, not the group's", () => {
    const { runtime, group } = setup()
    const task = ending("server", "failed", "could not bind")
    task.handshake = "awaited"
    spawned(group, task)
    expect([runtime.routes.get(task), task.handshake]).toEqual(["starter", "endedFirst"])
    expect(group.state).toBe("open")
    const quick = ending("quick", "succeeded", 1)
    quick.handshake = "awaited"
    spawned(group, quick)
    expect(runtime.routes.get(quick)).toBe("starter")
  })

  it("spawned from inside a closing group, the starter gets the cancellation", () => {
    const { runtime, group } = setup()
    spawned(group, running("a", { onInterrupt: "ignore" }))
    group.cancel()
    const task = running("server")
    task.handshake = "awaited"
    group.spawn(task, "now", "inside")
    expect([runtime.routes.get(task), task.handshake]).toEqual(["starter", "endedFirst"])
  })

  it("a starter that gives up cancels the task; without the handle, its failure goes to the group in settle mode", () => {
    const orphan = setup({ mode: "settle" })
    const a = running("a", { onInterrupt: "fail" })
    a.handshake = "awaited"
    spawned(orphan.group, a)
    orphan.group.abandonStart(a, "handle never given")
    expect(orphan.runtime.routes.get(a)).toBe("group")
    expect(orphan.group.failures).toEqual(["stopped a"])

    const kept = setup({ mode: "settle" })
    const b = running("b", { onInterrupt: "fail" })
    b.handshake = "awaited"
    spawned(kept.group, b)
    kept.group.abandonStart(b, "handle kept")
    expect(kept.runtime.routes.get(b)).toBe("handle")
  })

  it("an orphan may still call started (nobody hears it)", () => {
    const { group } = setup()
    const a = running("a", { onInterrupt: "ignore" })
    a.handshake = "awaited"
    spawned(group, a)
    group.abandonStart(a, "handle never given")
    expect(group.started(a)).toBe(true)
  })
})

describe("progress", () => {
  it("a report is a new plain object in the task; snapshots carry it", () => {
    const { group } = setup()
    const a = spawned(group, running("a"))
    expect(new TestTask({}).phase).toBe("queued")
    reportProgress(a, 1)
    const before = group.snapshot()
    reportProgress(a, 2, 4)
    expect(before.tasks[0].progress).toStrictEqual({ done: 1 })
    expect(group.snapshot().tasks[0].progress).toEqual({ done: 2, total: 4 })
  })

  it("checks done and total", () => {
    expect([progressProblem("p", 0, 0), progressProblem("p", 1), progressProblem("p", 2.5, 10)]).toEqual([
      undefined,
      undefined,
      undefined
    ])
    expect(progressProblem("p", -1)).toBe('p: "done" must be a finite number ≥ 0, received number -1')
    expect(progressProblem("p", 1, "2")).toBe(
      'p: "total" must be a finite number ≥ 0 or undefined, received string "2"'
    )
    expect(progressProblem("p", 1, Infinity)).toBe(
      'p: "total" must be a finite number ≥ 0 or undefined, received number Infinity'
    )
    expect(progressProblem("p", Infinity)).toBe('p: "done" must be a finite number ≥ 0, received number Infinity')
    expect(progressProblem("p", "1")).toBe('p: "done" must be a finite number ≥ 0, received string "1"')
    expect(progressProblem("p", 1, NaN)).toBe(
      'p: "total" must be a finite number ≥ 0 or undefined, received number NaN'
    )
    expect(progressProblem("p", 1, () => 1)).toBe(
      'p: "total" must be a finite number ≥ 0 or undefined, received function (anonymous)'
    )
  })
})

describe("spawning, in detail", () => {
  it("a task is asked to stop once per attempt, also when a retried attempt is cancelled in its first steps", () => {
    const { runtime, group } = setup()
    const a = new TestTask(
      {
        onStart: (task) => {
          if (task.attempt === 1) group.end(task, "failed", "first")
          else group.cancelTask(task)
        },
        onInterrupt: "ignore"
      },
      "a",
      { retry: { delayBefore: () => 0 } }
    )
    spawned(group, a)
    expect(runtime.log.filter((line) => line.startsWith("interrupt"))).toEqual(["interrupt a"])
    expect([a.phase, a.attempt]).toEqual(["cancelling", 2])
  })

  it("who cancelled a task in its first steps is kept", () => {
    const { group } = setup()
    const a = spawned(
      group,
      new TestTask({ onStart: (task) => group.cancelTask(task, "caller"), onInterrupt: "ignore" }, "a")
    )
    expect(a.cancelledBy).toBe("caller")
  })

  it("setConcurrency on an unbounded group counts only the tasks that started", () => {
    const { runtime, group } = setup()
    spawned(group, running("a"))
    const queued = spawned(group, running("queued"), "soon")
    group.setConcurrency(2)
    runtime.flush()
    expect(queued.phase).toBe("running")
  })

  it("the handshake is over once started: the task is no longer awaited", () => {
    const { runtime, group } = setup({ mode: "settle" })
    const a = running("a", { onInterrupt: "fail" })
    a.handshake = "awaited"
    spawned(group, a)
    group.started(a)
    expect(a.handshake).toBe("none")
    group.abandonStart(a, "handle never given")
    expect(runtime.routes.get(a)).toBe("handle")
  })

  it("a starter that gives up with the handle leaves a plain task", () => {
    const { group } = setup()
    const a = running("a", { onInterrupt: "ignore" })
    a.handshake = "awaited"
    spawned(group, a)
    group.abandonStart(a, "handle kept")
    expect(a.handshake).toBe("none")
  })
})
