// DESIGN §3 "Long-lived groups lose nothing": a group that is no longer open refuses
// spawns from outside it with what closed it; `onTaskError` sees every failure of a
// settle group as it happens. (What is reported when a handle is collected unread, and
// a throwing `onTaskError`, are in undisposed.test.ts: they need a process of their own.)
import { describe, expect, it } from "vitest"
import {
  CancelledError,
  createTaskGroup,
  type SoonValue,
  TaskGroupClosedError,
  taskGroup,
  TimeoutError
} from "@soonify/interop"
import { sleep } from "./sleep.ts"
import { thrown } from "./support.ts"

/** A task that ignores its signal for `ms`: keeps its group shutting down that long. */
const stubborn = (ms: number) => () => sleep(ms)

describe("spawning into a group that is no longer open, from outside", () => {
  it("the issue's example: a fail-fast createTaskGroup whose job failed throws, with the failure as cause", async () => {
    const bg = createTaskGroup({ name: "background" })
    bg.spawn(stubborn(50))
    bg.spawn(async () => {
      throw new Error("one job failed")
    })
    await sleep(10)
    const error = thrown(() => bg.spawn(async () => "later", { name: "later" }))
    expect(error).toBeInstanceOf(TaskGroupClosedError)
    const closed = error as TaskGroupClosedError
    expect([closed.group, closed.task, closed.ended]).toEqual(["background", "later", false])
    expect((closed.cause as Error).message).toBe("one job failed")
    expect(closed.message).toMatch(
      /^Cannot spawn task "later" into task group "background": the group is shutting down after a failure \(Error: one job failed\), and this spawn comes from outside it/
    )
    // soonify refuses the same way, without calling the function; start rejects.
    let called = false
    const later = async () => (called = true)
    expect(thrown(() => bg.soonify(later)())).toBeInstanceOf(TaskGroupClosedError)
    expect(called).toBe(false)
    await expect(bg.start((started) => started())).rejects.toBeInstanceOf(TaskGroupClosedError)
    await expect(bg[Symbol.asyncDispose]()).rejects.toThrow("one job failed")
    // Ended now: still refused, with the same cause.
    const ended = thrown(() => bg.spawn(async () => "later")) as TaskGroupClosedError
    expect(ended.ended).toBe(true)
    expect((ended.cause as Error).message).toBe("one job failed")
    expect(ended.message).toMatch(/the group has ended after a failure \(Error: one job failed\)/)
  })

  it("several failures: the cause is the AggregateError the group rejects with", async () => {
    const bg = createTaskGroup()
    bg.spawn(stubborn(40))
    bg.spawn(() => Promise.reject(new Error("first")))
    bg.spawn(() => Promise.reject(new Error("second")))
    await sleep(5)
    const closed = thrown(() => bg.spawn(async () => 1)) as TaskGroupClosedError
    expect(closed.cause).toBeInstanceOf(AggregateError)
    expect((closed.cause as AggregateError).errors.map((error: Error) => error.message)).toEqual(["first", "second"])
    expect(closed.message).toMatch(/shutting down after a failure \(Error: first, and 1 more\)/)
    await expect(bg[Symbol.asyncDispose]()).rejects.toBeInstanceOf(AggregateError)
  })

  it("a settle group stays open after a failure; cancelled, its cause is the reason", async () => {
    const bg = createTaskGroup({ mode: "settle" })
    bg.spawn(stubborn(40))
    const failing = bg.spawn(async () => {
      throw new Error("one job failed")
    })
    await sleep(5)
    expect(bg.spawn(async () => 1).status).toBe("pending")
    void failing.exception
    bg.cancel(new Error("shutting down"))
    const closed = thrown(() => bg.spawn(async () => 1)) as TaskGroupClosedError
    expect((closed.cause as Error).message).toBe("shutting down")
    expect(closed.message).toMatch(/shutting down after it was cancelled \(Error: shutting down\)/)
    await expect(bg[Symbol.asyncDispose]()).rejects.toThrow("shutting down")
  })

  it("after tg.cancel(), a timeout or the signal: the cause is the cancellation reason", async () => {
    const cancelled = createTaskGroup()
    cancelled.spawn(stubborn(30))
    cancelled.cancel()
    const byCancel = thrown(() => cancelled.spawn(async () => 1)) as TaskGroupClosedError
    expect(byCancel.cause).toBeInstanceOf(CancelledError)

    const timed = createTaskGroup({ timeout: 5 })
    timed.spawn(stubborn(40))
    await sleep(15)
    const byTimeout = thrown(() => timed.spawn(async () => 1)) as TaskGroupClosedError
    expect(byTimeout.cause).toBeInstanceOf(TimeoutError)
    expect(byTimeout.message).toMatch(/shutting down after it timed out/)

    const controller = new AbortController()
    const signalled = createTaskGroup({ signal: controller.signal })
    signalled.spawn(stubborn(30))
    const reason = new Error("server stopping")
    controller.abort(reason)
    expect((thrown(() => signalled.spawn(async () => 1)) as TaskGroupClosedError).cause).toBe(reason)

    await Promise.allSettled([cancelled, timed, signalled].map((tg) => tg[Symbol.asyncDispose]()))
  })

  it("a taskGroup's tg kept after it ended: ended, with its failure as the cause", async () => {
    let kept: Parameters<Parameters<typeof taskGroup>[0]>[0] | undefined
    await expect(
      taskGroup(async (tg) => {
        kept = tg
        tg.spawn(async () => {
          throw new Error("boom")
        })
      })
    ).rejects.toThrow("boom")
    const closed = thrown(() => kept!.spawn(async () => 1)) as TaskGroupClosedError
    expect(closed.ended).toBe(true)
    expect((closed.cause as Error).message).toBe("boom")
  })
})

describe("spawning into a group that is shutting down, from inside", () => {
  it("its block, its tasks (after an await) and groups opened in them get handles that are cancelled at once", async () => {
    const late: Array<SoonValue<unknown>> = []
    const spawnLater = (tg: { spawn: (fn: () => Promise<number>) => SoonValue<number> }) => async () => {
      await sleep(20)
      late.push(tg.spawn(async () => 1))
    }
    await expect(
      taskGroup(async (tg) => {
        tg.spawn(spawnLater(tg))
        tg.soonify(spawnLater(tg))()
        tg.spawn(() => taskGroup(async () => spawnLater(tg)()))
        tg.spawn(async () => {
          throw new Error("boom")
        })
        await sleep(20)
        late.push(tg.spawn(async () => 1))
      })
    ).rejects.toThrow("boom")
    // From a spawned task, a soonify'd one, a group opened in a task, and the block.
    expect(late.map((soon) => soon.status)).toEqual(["cancelled", "cancelled", "cancelled", "cancelled"])
  })
})

describe("onTaskError", () => {
  it("is called once for each task that fails in a settle group, when it fails, with its error and its handle", async () => {
    const seen: Array<[string, unknown, SoonValue<unknown>]> = []
    const failure = new Error("job 2 failed")
    let whenFirstSeen = -1
    let spawned: Array<SoonValue<unknown>> = []
    const start = Date.now()
    const bg = createTaskGroup({
      mode: "settle",
      onTaskError: (error, soon) => {
        if (whenFirstSeen < 0) whenFirstSeen = Date.now() - start
        seen.push([soon.name, error, soon])
      }
    })
    const job = async (n: number) => {
      await sleep(n * 5)
      if (n === 2) throw failure
      if (n === 3) throw new Error("job 3 failed")
      return n
    }
    spawned = [1, 2, 3].map((n) => bg.soonify(job, { name: `job ${n}` })(n))
    const cancelled = bg.spawn((signal) => sleep(1000, signal), { name: "cancelled" })
    const [, started] = await bg.start<void>(async (ready) => {
      ready()
      throw new Error("started job failed")
    })
    await sleep(30)
    await cancelled.cancel()
    await bg[Symbol.asyncDispose]()
    expect(seen.map(([name]) => name).toSorted()).toEqual(["job 2", "job 3", "task-1"])
    const byName = (name: string) => seen.find(([n]) => n === name)!
    // The task's own error, and the very handle the spawn gave.
    expect(byName("job 2")[1]).toBe(failure)
    expect(byName("job 2")[2]).toBe(spawned[1])
    expect(seen.some(([, , soon]) => soon === started)).toBe(true)
    // Called as it failed, not when the group ended.
    expect(whenFirstSeen).toBeLessThan(25)
    // The handles still hold the failures.
    expect(spawned[1]!.exception).toBe(failure)
  })

  it("is not called for the tasks a failing block cancels, nor for a group cancelled from outside", async () => {
    const seen: Array<string> = []
    const onTaskError = (_error: unknown, soon: SoonValue<unknown>) => void seen.push(soon.name)
    await expect(
      taskGroup(
        async (tg) => {
          tg.spawn((signal) => sleep(1000, signal), { name: "cancelled" })
          await sleep(5)
          throw new Error("block failed")
        },
        { mode: "settle", onTaskError }
      )
    ).rejects.toThrow("block failed")
    const controller = new AbortController()
    const cancelled = taskGroup((tg) => tg.spawn((signal) => sleep(1000, signal)), {
      mode: "settle",
      onTaskError,
      signal: controller.signal
    })
    controller.abort(new Error("stop"))
    await expect(cancelled).rejects.toThrow("stop")
    expect(seen).toEqual([])
  })

  it("is a TypeError naming the option when not a function, or given to a failFast group", async () => {
    expect(() => createTaskGroup({ mode: "settle", onTaskError: 42 as never })).toThrow(
      new TypeError(
        'createTaskGroup: option "onTaskError" must be a function (error, handle) => void, received number 42'
      )
    )
    expect(() => createTaskGroup({ onTaskError: () => undefined })).toThrow(
      /^createTaskGroup: option "onTaskError" is for groups in settle mode, and this group is in failFast mode .* add mode: "settle"/
    )
    await expect(taskGroup(() => 1, { mode: "failFast", onTaskError: () => undefined })).rejects.toThrow(
      /^taskGroup: option "onTaskError" is for groups in settle mode/
    )
  })
})
