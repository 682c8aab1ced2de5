// Corners of the contract (DESIGN §3, §5, §6) that the rest of the suite reaches only by
// the way: whose code a function runs as, keyed and retried tasks' options, thenables
// that are functions, the completion order of watched promises and handles.
import { describe, expect, it } from "vitest"
import { isTaskGroupClosed } from "@soonify/core"
import {
  asCompleted,
  createTaskGroup,
  Future,
  gather,
  type GroupSnapshot,
  reportProgress,
  snapshotAll,
  type SoonValue,
  type TaskGroup,
  taskGroup,
  TaskGroupClosedError,
  TimeoutError
} from "@soonify/interop"
import { after, sleep, untilAborted } from "./sleep.ts"
import { thrown } from "./support.ts"

const names = (groups: ReadonlyArray<GroupSnapshot>) => groups.map((g) => g.name)

describe("whose code a function runs as", () => {
  it("a gather function is code of the gather: a group it opens shows under the task the gather is in", async () => {
    let opened!: () => void
    const open = new Promise<void>((resolve) => (opened = resolve))
    let release!: () => void
    const released = new Promise<void>((resolve) => (release = resolve))
    const [outer, all] = await taskGroup(async (tg) => {
      tg.spawn(() => gather([() => taskGroup(async () => (opened(), await released), { name: "in-gather" })]), {
        name: "gathering"
      })
      await open
      const snapshots = [tg.snapshot(), snapshotAll()] as const
      release()
      return snapshots
    })
    expect(names(outer.tasks[0]!.groups)).toEqual(["gather", "in-gather"])
    expect(names(all)).not.toContain("in-gather")
  })

  it("a soonify'd call with a key, a retry or a name function is a task of its own: it reports progress", async () => {
    const [keyed, retried, named] = await taskGroup(async (tg) => {
      const work = async (done: number) => {
        await sleep(1)
        reportProgress(done, 3)
      }
      return [
        tg.soonify(work, { key: "k" })(1),
        tg.soonify(work, { retry: { times: 1 } })(2),
        tg.soonify(work, { name: (done) => `work ${done}` })(3)
      ]
    })
    expect(keyed.progress).toEqual({ done: 1, total: 3 })
    expect(retried.progress).toEqual({ done: 2, total: 3 })
    expect(named.progress).toEqual({ done: 3, total: 3 })
    expect(named.name).toBe("work 3")
  })
})

describe("keyed and retried tasks", () => {
  it("keep their name", async () => {
    const [keyed, retried, soonified] = await taskGroup(async (tg) => [
      tg.spawn(async () => 1, { key: "k", name: "keyed" }),
      tg.spawn(async () => 2, { retry: { times: 1 }, name: "retried" }),
      tg.soonify(
        async function fetchUser() {
          return 3
        },
        { key: "user" }
      )()
    ])
    expect([keyed.name, retried.name, soonified.name]).toEqual(["keyed", "retried", "fetchUser"])
  })

  it("soonify with a constant key: every call while one runs gets that one", async () => {
    let calls = 0
    const [a, b] = await taskGroup(async (tg) => {
      const load = tg.soonify(
        async (id: number) => {
          calls++
          await sleep(5)
          return id
        },
        { key: "the-one" }
      )
      return [load(1), load(2)]
    })
    expect(a).toBe(b)
    expect(a.value).toBe(1)
    expect(calls).toBe(1)
  })

  it("one error object that fails the group two ways (a throwing retryIf, a rejection) is reported once", async () => {
    const fatal = new Error("fatal")
    const failed = taskGroup(async (tg) => {
      tg.spawn(
        async () => {
          throw new Error("retried")
        },
        {
          retry: {
            times: 1,
            retryIf: () => {
              throw fatal
            }
          }
        }
      )
      tg.spawn(async (signal) => {
        await untilAborted(signal).catch(() => undefined)
        throw fatal
      })
    })
    await expect(failed).rejects.toBe(fatal)
  })

  it("retry with delay 0 retries at once, before a timer set earlier fires", async () => {
    let timerFired = false
    const firedAtRetry: Array<boolean> = []
    await taskGroup(async (tg) => {
      setTimeout(() => (timerFired = true), 0)
      tg.spawn(
        async () => {
          firedAtRetry.push(timerFired)
          if (firedAtRetry.length === 1) throw new Error("again")
        },
        { retry: { times: 1, delay: 0 } }
      )
    })
    expect(firedAtRetry).toEqual([false, false])
  })

  it("retry multiplies the delay by factor from one retry to the next", async () => {
    const at: Array<number> = []
    await taskGroup(async (tg) => {
      tg.spawn(
        async () => {
          at.push(performance.now())
          if (at.length < 3) throw new Error("again")
        },
        { retry: { times: 2, delay: 5, factor: 20 } }
      )
    })
    expect(at).toHaveLength(3)
    // 5 ms, then 100 ms (the default factor, 2, would make it 10 ms)
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(90)
  })
})

describe("values", () => {
  it("a function with a then method is a thenable, adopted as Promise.resolve adopts it", async () => {
    const callable = Object.assign(() => "the function itself", {
      then: (resolve: (value: string) => void) => resolve("adopted")
    })
    const soon = await taskGroup(async (tg) => tg.spawn(() => callable))
    expect(soon.value).toBe("adopted")
  })

  it("TaskGroupClosedError names the task, and has no cause for a group that ended without failing", async () => {
    const tg = await taskGroup(async (tg) => tg)
    const error = thrown(() => tg.spawn(async () => 1, { name: "late" }))
    expect(error).toBeInstanceOf(TaskGroupClosedError)
    expect((error as TaskGroupClosedError).task).toBe("late")
    expect((error as TaskGroupClosedError).ended).toBe(true)
    expect((error as Error).cause).toBeUndefined()
    expect(isTaskGroupClosed((error as Error).cause)).toBe(false)
  })
})

describe("completion order", () => {
  it("asCompleted yields promises as they settle, not in input order", async () => {
    const order: Array<string> = []
    const slow = sleep(20).then(() => "slow")
    const fast = sleep(1).then(() => "fast")
    for await (const value of asCompleted([slow, fast])) order.push(value)
    expect(order).toEqual(["fast", "slow"])
  })

  it("asCompleted yields SoonValues and Futures as they end after the loop started", async () => {
    const a = new Future<string>()
    const b = new Future<string>()
    setTimeout(() => b.setResult("b"), 5)
    setTimeout(() => a.setResult("a"), 10)
    const order: Array<string> = []
    for await (const value of asCompleted([a, b])) order.push(value)
    expect(order).toEqual(["b", "a"])
  })

  it("a promise that settled while waiting for a concurrency slot gives its value", async () => {
    const settled = Promise.resolve("settled")
    await expect(gather([after(5, "first"), settled], { concurrency: 1 })).resolves.toEqual(["first", "settled"])
  })
})

describe("failing while being stopped", () => {
  it("a task that fails another way when its own timeout stops it fails with both errors, the TimeoutError first", async () => {
    const cleanup = new Error("cleanup failed")
    let handle!: SoonValue<never>
    const failed = taskGroup(async (tg) => {
      handle = tg.spawn(
        async (signal) => {
          await untilAborted(signal).catch(() => undefined)
          throw cleanup
        },
        { name: "slow", timeout: 5 }
      )
    })
    const error = await failed.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AggregateError)
    const [timedOut, other] = (error as AggregateError).errors
    expect(timedOut).toBeInstanceOf(TimeoutError)
    expect(other).toBe(cleanup)
    expect((error as AggregateError).errors).toHaveLength(2)
    expect(handle.status).toBe("rejected")
    const own = handle.exception as AggregateError
    expect(own).toBeInstanceOf(AggregateError)
    expect(own.message).toBe('Task "slow" failed with 2 errors')
    expect(own.errors).toEqual([timedOut, cleanup])
  })

  it("a body that fails another way once its group is cancelled fails the group with that error", async () => {
    const cleanup = new Error("the body's cleanup failed")
    const failed = taskGroup(async (tg) => {
      tg.cancel(new Error("stop"))
      await sleep(1)
      throw cleanup
    })
    await expect(failed).rejects.toBe(cleanup)
  })

  it("a body that rejects with the group's cancellation once cancelled ends the group cancelled", async () => {
    const reason = new Error("stop")
    const cancelled = taskGroup(async (tg) => {
      tg.cancel(reason)
      await untilAborted(tg.signal)
    })
    await expect(cancelled).rejects.toBe(reason)
  })
})

describe("tg.start from a cancelled task", () => {
  it("rejects with the caller's reason when the caller was cancelled already, and cancels the starting task", async () => {
    const outer = createTaskGroup({ name: "outer" })
    let callerReason: unknown
    let rejection: unknown
    let startSignal: AbortSignal | undefined
    await taskGroup(async (tg) => {
      const caller = tg.spawn(async (signal) => {
        await untilAborted(signal).catch(() => undefined)
        callerReason = signal.reason
        // The caller goes on after its cancellation, and starts a task in another group.
        rejection = await outer
          .start(async (_started, signal) => {
            startSignal = signal
            await sleep(50, signal)
          })
          .catch((error: unknown) => error)
      })
      await sleep(1)
      await caller.cancel()
    })
    await outer[Symbol.asyncDispose]()
    expect(callerReason).toBeInstanceOf(Error)
    expect(rejection).toBe(callerReason)
    expect(startSignal?.aborted).toBe(true)
  })
})

describe("deep nesting", () => {
  /** Opens `depth` groups, each in a task of the one before, all in one synchronous run; `atBottom` is the last body. */
  const nest = <A>(depth: number, atBottom: (tg: TaskGroup) => A): Promise<A> =>
    taskGroup(async (tg) =>
      depth === 0 ? atBottom(tg) : (tg.spawn(() => nest(depth - 1, atBottom)).wait() as Promise<A>)
    )

  it("a task cancelled as it is spawned ends cancelled, its function never called after the cancel, however deep the groups", async () => {
    // Deep group work goes on from a fresh stack (a task spawned there starts a moment
    // later, and one cancelled meanwhile is never called): one of these depths spawns
    // the task there, whatever the threshold.
    const statuses: Array<string> = []
    let calledCancelled = 0
    for (let depth = 1; depth <= 30; depth++) {
      const [soon] = await nest(depth, (tg) =>
        tg
          .spawn(() => {
            const soon = tg.spawn((signal) => {
              if (signal.aborted) calledCancelled++
              return sleep(5, signal)
            })
            void soon.cancel()
            return [soon] as const
          })
          .wait()
      )
      statuses.push(soon.status)
    }
    expect(statuses).toEqual(Array.from({ length: 30 }, () => "cancelled"))
    expect(calledCancelled).toBe(0)
  })
})

describe("when a group ends, and who may still spawn into it", () => {
  it("a body that returns a plain value, with no tasks, has ended the group when taskGroup returns", async () => {
    let group!: TaskGroup
    const result = taskGroup((tg) => {
      group = tg
      return "done"
    })
    expect(thrown(() => group.spawn(async () => 1))).toBeInstanceOf(TaskGroupClosedError)
    await expect(result).resolves.toBe("done")
  })

  it("a spawn into a shutting-down group from a task of another group is refused, as from outside", async () => {
    const closing = createTaskGroup({ name: "closing" })
    closing.spawn(async (signal) => {
      await untilAborted(signal).catch(() => undefined)
      await sleep(20)
    })
    closing.cancel()
    const refused = await taskGroup((tg) => tg.spawn(async () => thrown(() => closing.spawn(async () => 1))).wait())
    expect(refused).toBeInstanceOf(TaskGroupClosedError)
    expect((refused as TaskGroupClosedError).ended).toBe(false)
    await closing[Symbol.asyncDispose]().catch(() => undefined)
  })
})

describe("what a gather only watches", () => {
  it("a gather that fails stops watching the handles it was given: it does not wait for them to end", async () => {
    const never = new Future<number>()
    const boom = new Error("boom")
    const outcome = Promise.race([
      gather([
        never,
        async () => {
          throw boom
        }
      ]),
      sleep(200).then(() => "still waiting")
    ])
    await expect(outcome).rejects.toBe(boom)
    expect(never.ready).toBe(false)
  })
})

describe("tg.start, once started", () => {
  it("a task that calls started(value) at once keeps running when its caller is cancelled afterwards", async () => {
    const outer = createTaskGroup({ name: "outer" })
    let started: SoonValue<string> | undefined
    await taskGroup(async (tg) => {
      const caller = tg.spawn(async () => {
        const [value, soon] = await outer.start(async (started: (value: number) => void) => {
          started(1)
          await sleep(30)
          return "served"
        })
        started = soon
        expect(value).toBe(1)
        await sleep(100)
      })
      await sleep(5)
      await caller.cancel()
    })
    await outer[Symbol.asyncDispose]()
    expect(started?.status).toBe("fulfilled")
    expect(started?.value).toBe("served")
  })

  it("spawn and start name a task after its named function when no name is given", async () => {
    const outer = createTaskGroup()
    const spawned = outer.spawn(async function load() {
      return 1
    })
    const [, serving] = await outer.start(async function serve(started: (value: void) => void) {
      started()
    })
    await outer[Symbol.asyncDispose]()
    expect([spawned.name, serving.name]).toEqual(["load", "serve"])
  })
})

describe("the TaskGroupClosedError of a group that failed with several errors", () => {
  it("has an AggregateError of them as its cause, naming the group and how many", async () => {
    const group = createTaskGroup({ name: "two" })
    const first = new Error("first")
    const second = new Error("second")
    group.spawn(async (signal) => {
      await untilAborted(signal).catch(() => undefined)
      throw second
    })
    group.spawn(async () => {
      await sleep(1)
      throw first
    })
    await group[Symbol.asyncDispose]().catch(() => undefined)
    const closed = thrown(() => group.spawn(async () => 1)) as TaskGroupClosedError
    expect(closed).toBeInstanceOf(TaskGroupClosedError)
    const cause = closed.cause as AggregateError
    expect(cause).toBeInstanceOf(AggregateError)
    expect(cause.message).toBe('Task group "two" failed with 2 errors')
    expect(cause.errors).toEqual([first, second])
  })
})

describe("tg.start whose task returns without calling started", () => {
  it("rejects with an error that says so, and how to call started", async () => {
    const outer = createTaskGroup()
    const error = await outer.start(async function quick() {}).catch((e: unknown) => e)
    await outer[Symbol.asyncDispose]()
    expect((error as Error).message).toBe(
      'tg.start: task "quick" ended without calling started(value); ' +
        "call started once the task is ready, before it returns"
    )
  })
})
