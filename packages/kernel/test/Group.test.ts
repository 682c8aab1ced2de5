import { describe, expect, it } from "vitest"
import { Group, Refusal } from "@soonify/kernel"
import { ending, running, setup, spawned, TestRuntime, type TestTask } from "./support.ts"

describe("a group's life", () => {
  it("ends once its owner's part and every task have ended, and only then", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a"))
    group.endOwner()
    expect(group.state).toBe("open")
    group.end(a, "succeeded", 1)
    expect(group.state).toBe("closed")
    expect(runtime.ended).toEqual([group])
    expect(group.cause()).toBeUndefined()
  })

  it("an empty group ends when its owner's part does", () => {
    const { runtime, group } = setup()
    group.endOwner()
    group.endOwner()
    expect(group.state).toBe("closed")
    expect(runtime.ended).toHaveLength(1)
  })

  it("a hold keeps the group from ending until it is released", () => {
    const { group } = setup()
    group.hold()
    group.endOwner()
    expect(group.state).toBe("open")
    group.release()
    expect(group.state).toBe("closed")
  })

  it("a hold or a release after the group ended changes nothing: it ends once", () => {
    const { runtime, group } = setup()
    group.endOwner()
    group.hold()
    group.release()
    group.release()
    expect(runtime.ended).toHaveLength(1)
  })

  it("a task ending at once ends in its first steps, with its outcome", () => {
    const { runtime, group } = setup()
    const task = spawned(group, ending("now", "succeeded", 42))
    expect([task.phase, task.ending, task.outcome, task.ready]).toEqual(["ended", "succeeded", 42, true])
    expect(task.group).toBeUndefined()
    expect(runtime.log).toEqual(["start now#1", "ended now succeeded none"])
  })

  it("names unnamed tasks task-N, N counting the unnamed tasks spawned", () => {
    const { group } = setup()
    const named = spawned(group, running("named"))
    const first = spawned(group, running())
    const second = spawned(group, running())
    expect([named.name, first.name, second.name]).toEqual(["named", "task-1", "task-2"])
    expect(group.tasks().map((task) => task.name)).toEqual(["named", "task-1", "task-2"])
  })
})

describe("fail fast", () => {
  it("the first failure fails the group and stops every other task", () => {
    const { runtime, group } = setup()
    const a = spawned(group, running("a"))
    const b = spawned(group, running("b"))
    group.end(a, "failed", "boom")
    expect(group.state).toBe("closing")
    expect(b.ending).toBe("cancelled")
    expect(runtime.routes.get(a)).toBe("group")
    expect(runtime.routes.get(b)).toBe("none")
    expect(runtime.log).toEqual([
      "start a#1",
      "start b#1",
      "shutting down g",
      "interrupt b",
      "ended b cancelled none",
      "ended a failed group"
    ])
    group.endOwner()
    expect(group.cause()).toEqual({ failures: ["boom"], timedOut: false, cancelled: false, cancelledBy: undefined })
  })

  it("failures while stopping add to the first, in order; none replaces it", () => {
    const { group } = setup()
    const a = spawned(group, running("a"))
    spawned(group, running("b", { onInterrupt: "fail" }))
    spawned(group, running("c", { onInterrupt: "fail" }))
    group.end(a, "failed", "first")
    group.endOwner()
    expect(group.failures).toEqual(["first", "stopped b", "stopped c"])
  })

  it("a cancelled task is not a failure", () => {
    const { group } = setup()
    const a = spawned(group, running("a"))
    spawned(group, running("b"))
    group.cancelTask(a)
    expect(group.state).toBe("open")
    expect(a.ending).toBe("cancelled")
  })

  it("a failed body fails the group; a cancelled body shuts it down without a failure", () => {
    const failed = setup()
    spawned(failed.group, running("a"))
    failed.group.bodyEnded("failed", "body")
    expect([failed.group.state, failed.group.failures]).toEqual(["closed", ["body"]])
    const cancelled = setup()
    cancelled.group.bodyEnded("cancelled", undefined)
    expect(cancelled.group.state).toBe("closed")
    expect(cancelled.group.cause()).toEqual({ failures: [], timedOut: false, cancelled: false, cancelledBy: undefined })
  })

  it("a failure reported after the group ended is dropped", () => {
    const { group } = setup()
    group.endOwner()
    group.fail("late")
    expect(group.failures).toEqual([])
  })
})

describe("settle", () => {
  it("keeps a task's failure in its handle; the group goes on", () => {
    const { runtime, group } = setup({ mode: "settle" })
    const a = spawned(group, ending("a", "failed", "boom"))
    const b = spawned(group, running("b"))
    expect(runtime.routes.get(a)).toBe("handle")
    expect(group.state).toBe("open")
    group.end(b, "succeeded", 2)
    group.endOwner()
    expect(group.cause()).toBeUndefined()
  })

  it("a failure while the group stops the task is the group's", () => {
    const { runtime, group } = setup({ mode: "settle" })
    const a = spawned(group, running("a", { onInterrupt: "fail" }))
    group.cancel("outside")
    expect(runtime.routes.get(a)).toBe("group")
    expect(group.failures).toEqual(["stopped a"])
  })

  it("a task cancelled alone that fails as it stops keeps its failure", () => {
    const { runtime, group } = setup({ mode: "settle" })
    const a = spawned(group, running("a", { onInterrupt: "fail" }))
    group.cancelTask(a)
    expect(runtime.routes.get(a)).toBe("handle")
    expect(group.state).toBe("open")
  })
})

describe("cancelling the group", () => {
  it("stops every task; its outcome is a cancellation, by whoever asked", () => {
    const { group } = setup()
    const a = spawned(group, running("a"))
    group.cancel("me")
    expect(a.ending).toBe("cancelled")
    group.endOwner()
    expect(group.cause()).toEqual({ failures: [], timedOut: false, cancelled: true, cancelledBy: "me" })
  })

  it("a scope-owned group is finished once its tasks are; a body-owned one waits for its body", () => {
    const scoped = setup({ owner: "scope" })
    scoped.group.cancel()
    expect(scoped.group.state).toBe("closed")
    const body = setup()
    body.group.cancel()
    expect(body.group.state).toBe("closing")
  })

  it("cancelling twice, or after a failure, changes nothing", () => {
    const { group } = setup()
    group.fail("boom")
    group.cancel("late")
    expect(group.cancelled).toBe(false)
  })
})

describe("spawning into a group that is not open (one check, one description)", () => {
  it("into an ended group: a refusal with `ended` and no cause for a group that never shut down", () => {
    const { group } = setup()
    group.endOwner()
    const refused = group.spawn(running("late"), "now", "inside")
    expect(refused).toBeInstanceOf(Refusal)
    expect(refused).toEqual(new Refusal("g", "late", true, undefined))
  })

  it("from outside into a closing group: a refusal whose cause is what closed it", () => {
    const { group } = setup()
    spawned(group, running("a", { onInterrupt: "ignore" }))
    group.fail("boom")
    const refused = group.spawn(running(), "now", "outside") as Refusal
    expect(refused).toEqual(
      new Refusal("g", "task-1", false, {
        failures: ["boom"],
        timedOut: false,
        cancelled: false,
        cancelledBy: undefined
      })
    )
    expect(group.refuses("outside")).toBe(true)
    expect(group.refuses("inside")).toBe(false)
  })

  it("the failures a refusal hands over are not handed again", () => {
    const { group } = setup({ owner: "scope" })
    const a = spawned(group, running("a", { onInterrupt: "ignore" }))
    group.fail("boom")
    group.refusal()
    group.end(a, "failedWhileStopping", "stopped a")
    expect(group.takeUnreported()).toEqual(["stopped a"])
    expect(group.takeUnreported()).toEqual([])
  })

  it("from inside into a closing group: a task ended cancelled at once, counted, never started", () => {
    const { runtime, group } = setup()
    spawned(group, running("a", { onInterrupt: "ignore" }))
    group.cancel()
    const late = running("late")
    expect(group.spawn(late, "now", "inside")).toBe(late)
    expect([late.phase, late.ending]).toEqual(["ended", "cancelled"])
    expect(runtime.log).not.toContain("start late#1")
    expect(group.snapshot().counts.cancelled).toBe(1)
  })
})

describe("the runtime", () => {
  it("one runtime serves many groups", () => {
    const runtime = new TestRuntime()
    const one = new Group(runtime, { name: "one" })
    const two = new Group(runtime, { name: "two" })
    one.endOwner()
    two.endOwner()
    expect(runtime.ended.map((group) => group.name)).toEqual(["one", "two"])
  })

  it("an end reported twice, or for a task of another group, is ignored", () => {
    const { group } = setup()
    const other = setup().group
    const a = spawned(group, running("a"))
    other.end(a, "failed", "wrong group")
    group.end(a, "succeeded", 1)
    group.end(a, "failed", "again")
    expect([a.ending, a.outcome]).toEqual(["succeeded", 1])
  })
})

describe("defaults and details", () => {
  it("a group given no options: named TaskGroup, fail fast, owned by a body, unbounded, stuck after 10 s", () => {
    const group = new Group(new TestRuntime())
    expect([group.name, group.mode, group.owner, group.concurrency, group.stuckAfter]).toEqual([
      "TaskGroup",
      "failFast",
      "body",
      Infinity,
      10_000
    ])
    expect([group.keys, group.keyedTask("k"), group.cancelledBy, group.failures]).toEqual([
      [],
      undefined,
      undefined,
      []
    ])
    group.flush()
    group.endOwner()
  })

  it("a spawn is `now` and from outside unless said otherwise", () => {
    const { group } = setup()
    const a = group.spawn(running("a")) as TestTask
    expect(a.phase).toBe("running")
    group.fail("boom")
    expect(group.spawn(running("late"))).toBeInstanceOf(Refusal)
  })

  it("refuses from anywhere once ended, from outside only while closing, never while open", () => {
    const { group } = setup()
    expect([group.refuses("inside"), group.refuses("outside")]).toEqual([false, false])
    const a = spawned(group, running("a", { onInterrupt: "ignore" }))
    group.cancel("me")
    expect([group.refuses("inside"), group.refuses("outside"), group.cancelledBy]).toEqual([false, true, "me"])
    group.end(a, "cancelled", undefined)
    group.endOwner()
    expect([group.refuses("inside"), group.refuses("outside")]).toEqual([true, true])
  })

  it("a refusal says everything on its own fields", () => {
    const { group } = setup({ name: "jobs" })
    group.endOwner()
    const refused = group.spawn(running()) as Refusal
    expect([refused.group, refused.task, refused.ended, refused.cause]).toEqual(["jobs", "task-1", true, undefined])
  })

  it("tasks spawned from inside a closing group are numbered and routed like the others", () => {
    const { runtime, group } = setup()
    spawned(group, running())
    group.cancel()
    const late = running()
    group.spawn(late, "now", "inside")
    const named = running("named")
    group.spawn(named, "now", "inside")
    expect([late.name, named.name, late.handshake, runtime.routes.get(late)]).toEqual([
      "task-2",
      "named",
      undefined,
      "none"
    ])
  })

  it("joining hands the failures over: the scope's close raises none of them again", () => {
    const { group } = setup({ owner: "scope" })
    group.fail("boom")
    group.markReported()
    expect(group.takeUnreported()).toEqual([])
  })

  it("the owner's part ends once, however often it is given up", () => {
    const { group } = setup()
    const a = spawned(group, running("a"))
    group.endOwner()
    group.endOwner()
    expect(group.state).toBe("open")
    group.end(a, "succeeded", 1)
    expect(group.state).toBe("closed")
  })

  it("a body that returns leaves the tasks running; one that fails while stopping fails the group", () => {
    const { group } = setup()
    const a = spawned(group, running("a"))
    group.bodyEnded("succeeded", "value")
    expect([group.state, a.phase]).toEqual(["open", "running"])
    group.end(a, "succeeded", 1)
    const stopping = setup().group
    stopping.bodyEnded("failedWhileStopping", "finalizer")
    expect(stopping.failures).toEqual(["finalizer"])
  })

  it("cancelling a task of another group, or one that ended, does nothing", () => {
    const { runtime, group } = setup()
    const other = setup().group
    const a = spawned(group, running("a"))
    other.cancelTask(a)
    expect(a.phase).toBe("running")
    group.end(a, "succeeded", 1)
    group.cancelTask(a)
    expect(runtime.log.filter((line) => line.startsWith("interrupt"))).toEqual([])
  })

  it("a task failing while the shutdown runs, before it is asked to stop, is neither retried nor kept in settle mode", () => {
    const { runtime, group } = setup({ mode: "settle" })
    spawned(group, running("a"))
    const b = spawned(group, running("b", {}, { retry: { delayBefore: () => 0 } }))
    // Stopping `a` makes `b` fail at once (they share a resource, say).
    runtime.interrupt = (task) => {
      if (task.name === "a") {
        group.end(b, "failed", "b lost its connection")
        group.end(task, "cancelled", undefined)
      }
    }
    group.cancel()
    expect([b.ending, b.attempt, runtime.routes.get(b)]).toEqual(["failed", 1, "handle"])
  })

  it("counts each ending in the snapshot", () => {
    const { group } = setup({ mode: "settle" })
    spawned(group, ending("ok", "succeeded", 1))
    spawned(group, ending("bad", "failed", "x"))
    spawned(group, ending("worse", "failedWhileStopping", "y"))
    spawned(group, ending("stopped", "cancelled"))
    expect(group.snapshot().counts).toEqual({ queued: 0, running: 0, succeeded: 1, failed: 2, cancelled: 1 })
  })

  it("shutting down again, or after the group ended, does nothing", () => {
    const { runtime, group } = setup()
    group.shutdown()
    group.shutdown()
    expect(runtime.log.filter((line) => line === "shutting down g")).toHaveLength(1)
    group.endOwner()
    group.shutdown()
    expect(group.state).toBe("closed")
  })

  it("a group moved after it ended stays out of the tree", () => {
    const { group } = setup()
    const task = spawned(group, running("parent"))
    const inner = new Group(group.runtime, { name: "inner" })
    inner.endOwner()
    inner.moveUnder(task)
    expect(task.groups).toBeUndefined()
  })
})
