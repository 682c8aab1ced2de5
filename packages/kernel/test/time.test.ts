import { describe, expect, it } from "vitest"
import { type Retry } from "@soonify/kernel"
import { running, setup, spawned, TestTask } from "./support.ts"

describe("the group's deadline (timeout)", () => {
  it("times the group out: it shuts down, its cause says so", () => {
    const { runtime, group } = setup({ timeout: 100 })
    const a = spawned(group, running("a"))
    runtime.advance(99)
    expect(group.state).toBe("open")
    runtime.advance(1)
    expect([group.state, group.timedOut, a.ending]).toEqual(["closing", true, "cancelled"])
    group.endOwner()
    expect(group.cause()).toEqual({ failures: [], timedOut: true, cancelled: false, cancelledBy: undefined })
  })

  it("one timer per deadline, cleared when the group ends first", () => {
    const { runtime, group } = setup({ timeout: 100 })
    expect(runtime.timers).toHaveLength(1)
    group.endOwner()
    expect(runtime.liveTimers).toBe(0)
    runtime.advance(200)
    expect(group.timedOut).toBe(false)
  })

  it("cleared when the group shuts down for another reason", () => {
    const { runtime, group } = setup({ timeout: 100, stuckAfter: Infinity })
    spawned(group, running("a", { onInterrupt: "ignore" }))
    group.fail("boom")
    expect(runtime.liveTimers).toBe(0)
  })

  it("no timer at all for a group or tasks without one", () => {
    const { runtime, group } = setup({ concurrency: 2 })
    const a = spawned(group, running("a"))
    spawned(group, running("b"))
    group.end(a, "failed", "boom")
    group.endOwner()
    expect(runtime.timers).toHaveLength(0)
  })
})

describe("a task's timeout", () => {
  it("asks the attempt to stop at its deadline: it shows cancelling, and its failure is the task's", () => {
    const { runtime, group } = setup({ mode: "settle" })
    const a = spawned(group, running("a", {}, { timeout: 50 }))
    runtime.advance(50)
    expect(runtime.log).toContain("interrupt a (timeout)")
    expect([a.ending, a.outcome, a.timedOut]).toEqual(["failed", "timeout a", false])
    expect(runtime.routes.get(a)).toBe("handle")
  })

  it("a task that ignores its timeout is cancelling until it ends", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a", { onInterrupt: "ignore" }, { timeout: 50 }))
    runtime.advance(60)
    expect(group.snapshot().tasks[0]).toMatchObject({ status: "cancelling", cancelledAt: 1050 })
    group.end(a, "failed", "timed out")
    expect(group.failures).toEqual(["timed out"])
  })

  it("its timer is cleared when the task ends first", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a", {}, { timeout: 50 }))
    group.end(a, "succeeded", 1)
    expect(runtime.liveTimers).toBe(0)
  })

  it("counts from the start, not from the spawn: a task waiting for a permit has no timer yet", () => {
    const { runtime, group } = setup({ concurrency: 1 })
    const a = spawned(group, running("a"))
    const b = spawned(group, running("b", {}, { timeout: 50 }))
    runtime.advance(40)
    expect(runtime.timers).toHaveLength(0)
    group.end(a, "succeeded", 1)
    runtime.advance(49)
    expect(b.phase).toBe("running")
    runtime.advance(1)
    expect(b.ending).toBe("failed")
  })
})

describe("retry bookkeeping", () => {
  const times = (n: number, delay = 0): Retry => ({ delayBefore: (attempt) => (attempt <= n + 1 ? delay : undefined) })

  it("a failed attempt runs again, counting attempts; only the last failure counts", () => {
    const { runtime, group } = setup()
    const a = spawned(
      group,
      running(
        "a",
        {
          ends: [
            ["failed", "one"],
            ["failed", "two"],
            ["succeeded", "three"]
          ]
        },
        { retry: times(3) }
      )
    )
    expect([a.ending, a.outcome, a.attempt]).toEqual(["succeeded", "three", 3])
    expect(runtime.log.filter((line) => line.startsWith("start"))).toEqual(["start a#1", "start a#2", "start a#3"])
    expect(group.state).toBe("open")
  })

  it("gives up when the policy says so: the last failure is the task's", () => {
    const { group } = setup({ mode: "settle" })
    const a = spawned(group, running("a", { ends: [["failed", "always"]] }, { retry: times(2) }))
    expect([a.ending, a.attempt]).toEqual(["failed", 3])
  })

  it("a policy that throws ends the retries: the task fails with what it threw", () => {
    const { group } = setup({ mode: "settle" })
    const fatal = new Error("fatal")
    const a = spawned(
      group,
      running(
        "a",
        { ends: [["failed", "retried"]] },
        {
          retry: {
            delayBefore: () => {
              throw fatal
            }
          }
        }
      )
    )
    expect([a.ending, a.outcome, a.attempt]).toEqual(["failed", fatal, 1])
  })

  it("the policy sees the attempt and the failure", () => {
    const { group } = setup({ mode: "settle" })
    const asked: Array<[number, unknown]> = []
    spawned(
      group,
      running(
        "a",
        {
          ends: [
            ["failed", "one"],
            ["failed", "fatal"]
          ]
        },
        {
          retry: {
            delayBefore: (attempt, failure) => {
              asked.push([attempt, failure])
              return failure === "fatal" ? undefined : 0
            }
          }
        }
      )
    )
    expect(asked).toEqual([
      [2, "one"],
      [3, "fatal"]
    ])
  })

  it("waits between attempts on one timer; the snapshot shows the attempt and a running task", () => {
    const { runtime, group } = setup()
    const a = spawned(
      group,
      running(
        "a",
        {
          ends: [
            ["failed", "x"],
            ["succeeded", "ok"]
          ]
        },
        { retry: times(1, 100) }
      )
    )
    expect(a.phase).toBe("retrying")
    expect(group.snapshot().tasks[0]).toMatchObject({ status: "running", attempt: 1 })
    runtime.advance(100)
    expect([a.ending, a.attempt]).toEqual(["succeeded", 2])
  })

  it("cancelling between attempts ends the task at once, cancelled, its timer cleared", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a", { ends: [["failed", "x"]] }, { retry: times(1, 100) }))
    group.cancelTask(a)
    expect([a.ending, runtime.liveTimers]).toEqual(["cancelled", 0])
  })

  it("a shutdown ends a task waiting between attempts at once", () => {
    const { group } = setup()
    const a = spawned(group, running("a", { ends: [["failed", "x"]] }, { retry: times(1, 100) }))
    group.cancel()
    expect(a.ending).toBe("cancelled")
  })

  it("a cancelled attempt is not retried, nor a task stopped by its group", () => {
    const { group } = setup({ mode: "settle" })
    const a = spawned(group, running("a", { onInterrupt: "ignore" }, { retry: times(3) }))
    group.cancelTask(a)
    group.end(a, "failed", "failed while cancelled")
    expect([a.ending, a.attempt]).toEqual(["failed", 1])
  })

  it("a task cancelled while its timed-out attempt stops is not retried", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a", { onInterrupt: "ignore" }, { timeout: 10, retry: times(3) }))
    runtime.advance(10)
    group.cancelTask(a, "me")
    group.end(a, "failed", "timeout a")
    expect([a.ending, a.attempt, a.cancelledBy]).toEqual(["failed", 1, "me"])
  })

  it("a timed-out attempt is retried, and the next attempt is not cancelling", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a", {}, { timeout: 10, retry: times(1) }))
    runtime.advance(10)
    expect([a.phase, a.attempt, a.cancelledAt]).toEqual(["running", 2, undefined])
    expect(group.snapshot().tasks[0].status).toBe("running")
    runtime.advance(10)
    expect([a.ending, a.outcome]).toEqual(["failed", "timeout a"])
  })
})

describe("stuck cancellations", () => {
  it("reports a task asked to stop that has not ended stuckAfter later, once", () => {
    const { runtime, group } = setup({ stuckAfter: 1000 })
    spawned(group, running("deaf", { onInterrupt: "ignore" }))
    group.cancel()
    runtime.advance(999)
    expect(runtime.warnings).toEqual([])
    runtime.advance(1)
    expect(runtime.warnings).toEqual([{ task: "deaf", group: "g", cancelledAt: 1000, ignoredFor: 1000 }])
    runtime.advance(5000)
    expect(runtime.warnings).toHaveLength(1)
  })

  it("one timer per group, made only when a task is first asked to stop, gone when none is left", () => {
    const { runtime, group } = setup({ stuckAfter: 1000 })
    const a = spawned(group, running("a", { onInterrupt: "ignore" }))
    const b = spawned(group, running("b", { onInterrupt: "ignore" }))
    expect(runtime.timers).toHaveLength(0)
    group.cancelTask(a)
    runtime.advance(10)
    group.cancelTask(b)
    expect(runtime.liveTimers).toBe(1)
    group.end(a, "cancelled", undefined)
    expect(runtime.liveTimers).toBe(1)
    group.end(b, "cancelled", undefined)
    expect(runtime.liveTimers).toBe(0)
  })

  it("reports each task at its own time", () => {
    const { runtime, group } = setup({ stuckAfter: 100 })
    const a = spawned(group, running("a", { onInterrupt: "ignore" }))
    const b = spawned(group, running("b", { onInterrupt: "ignore" }))
    group.cancelTask(a)
    runtime.advance(50)
    group.cancelTask(b)
    runtime.advance(50)
    expect(runtime.warnings.map((stuck) => stuck.task)).toEqual(["a"])
    runtime.advance(50)
    expect(runtime.warnings.map((stuck) => [stuck.task, stuck.ignoredFor])).toEqual([
      ["a", 100],
      ["b", 100]
    ])
    group.end(a, "cancelled", undefined)
    group.end(b, "cancelled", undefined)
  })

  it("never with stuckAfter Infinity", () => {
    const { runtime, group } = setup({ stuckAfter: Infinity })
    spawned(group, running("a", { onInterrupt: "ignore" }))
    group.cancel()
    expect(runtime.timers).toHaveLength(0)
  })
})

describe("time, in detail", () => {
  const times = (n: number, delay = 0): Retry => ({ delayBefore: (attempt) => (attempt <= n + 1 ? delay : undefined) })

  /** A task whose attempts each end `after` ms after they start, failing. */
  const failingAfter = (name: string, after: number, options: TestTask["options"]) =>
    new TestTask(
      {
        onStart: (task) =>
          task.group!.runtime.setTimer(
            after,
            (attempt: number) => task.attempt === attempt && task.group?.end(task, "failed", "x"),
            task.attempt
          )
      },
      name,
      options
    )

  it("a retried task keeps the time its first attempt started", () => {
    const { runtime, group } = setup()
    const a = spawned(group, failingAfter("a", 5, { retry: times(1, 10) }))
    runtime.advance(20)
    expect([a.attempt, a.startedAt]).toEqual([2, 1000])
  })

  it("each attempt gets its own timeout: the last attempt's timer is gone", () => {
    const { runtime, group } = setup({ mode: "settle" })
    const a = new TestTask(
      {
        onStart: (task) => {
          if (task.attempt === 1) runtime.setTimer(5, () => group.end(task, "failed", "first"), undefined)
        }
      },
      "a",
      { timeout: 10, retry: times(1) }
    )
    spawned(group, a)
    runtime.advance(5)
    expect(a.attempt).toBe(2)
    runtime.advance(9)
    expect(a.phase).toBe("running")
    runtime.advance(1)
    expect([a.ending, a.outcome]).toEqual(["failed", "timeout a"])
  })

  it("a timeout reached while the task is stopping for a cancel changes nothing", () => {
    const { runtime, group } = setup({ stuckAfter: Infinity })
    const a = spawned(group, running("a", { onInterrupt: "ignore" }, { timeout: 10 }))
    group.cancelTask(a)
    runtime.advance(20)
    expect([a.timedOut, runtime.log.filter((line) => line.startsWith("interrupt"))]).toEqual([
      undefined,
      ["interrupt a"]
    ])
  })

  it("a task that ignores its timeout is reported stuck", () => {
    const { runtime, group } = setup({ stuckAfter: 100 })
    spawned(group, running("deaf", { onInterrupt: "ignore" }, { timeout: 10 }))
    runtime.advance(110)
    expect(runtime.warnings).toEqual([{ task: "deaf", group: "g", cancelledAt: 1010, ignoredFor: 100 }])
  })

  it("a retried attempt that ignores its timeout again is reported again", () => {
    const { runtime, group } = setup({ stuckAfter: 100, mode: "settle" })
    const a = spawned(group, running("deaf", { onInterrupt: "ignore" }, { timeout: 10, retry: times(1) }))
    runtime.advance(110)
    group.end(a, "failed", "timed out")
    expect(a.attempt).toBe(2)
    runtime.advance(110)
    expect(runtime.warnings.map((stuck) => stuck.cancelledAt)).toEqual([1010, 1120])
  })

  it("the watch wakes for the earliest task due, whatever their order", () => {
    const { runtime, group } = setup({ stuckAfter: 100 })
    const [a, b, c] = ["a", "b", "c"].map((name) => spawned(group, running(name, { onInterrupt: "ignore" })))
    group.cancelTask(a)
    runtime.advance(30)
    group.cancelTask(b)
    runtime.advance(30)
    group.cancelTask(c)
    runtime.advance(70)
    expect(runtime.warnings.map((stuck) => [stuck.task, stuck.ignoredFor])).toEqual([
      ["a", 100],
      ["b", 100]
    ])
    expect(runtime.liveTimers).toBe(1)
    runtime.advance(30)
    expect(runtime.liveTimers).toBe(0)
    for (const task of [a, b, c]) group.end(task, "cancelled", undefined)
  })

  it("a shutdown in a task's first steps marks it cancelling from then", () => {
    const { runtime, group } = setup({ stuckAfter: Infinity })
    runtime.advance(5)
    const a = spawned(group, running("a", { onInterrupt: "ignore", onStart: () => group.cancel() }))
    expect([a.phase, a.cancelledAt]).toEqual(["cancelling", 1005])
  })
})
