// Cancellation that reaches real I/O (DESIGN §3, §4 guarantee 7): a soonify'd `fetch` to
// a loopback server that never answers, cancelled by the group's timeout, a sibling's
// failure, `soon.cancel()` and its own `timeout`; each settles promptly and the server
// sees every connection closed. Without `taskSignal()` the cancellation cannot reach the
// fetch: the stuck task is reported and shown as "cancelling".
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import {
  CancelledError,
  createTaskGroup,
  taskGroup,
  type TaskSnapshot,
  taskSignal,
  TimeoutError
} from "@soonify/interop"
import { since, sleep } from "./sleep.ts"
import { requested, type SilentServer, startSilentServer } from "./silentServer.ts"

let server: SilentServer

beforeEach(async () => {
  server = await startSilentServer()
})

afterEach(async () => {
  await server.stop()
})

/** The README's p-limit migration, done right: the fetch takes the running task's signal. */
const fetchText = async (url: string) => (await fetch(url, { signal: taskSignal() })).text()

/** The same without the signal: nothing can stop it. */
const fetchTextDeaf = async (url: string) => (await fetch(url)).text()

/** Collects the process's SoonifyStuckTaskWarnings while `f` runs. */
const stuckWarnings = async <A>(f: () => Promise<A>): Promise<{ warnings: Array<Error>; result: A }> => {
  const warnings: Array<Error> = []
  const listener = (warning: Error) => {
    if (warning.name === "SoonifyStuckTaskWarning") warnings.push(warning)
  }
  process.on("warning", listener)
  try {
    const result = await f()
    // `emitWarning` delivers on the next tick.
    await sleep(5)
    return { warnings, result }
  } finally {
    process.off("warning", listener)
  }
}

describe("a soonify'd fetch with taskSignal() against a server that never answers", () => {
  it("is cancelled by the group's timeout: the group rejects with TimeoutError at once, no connection left", async () => {
    const start = performance.now()
    await expect(
      taskGroup(
        async (tg) => {
          tg.soonify(fetchText)(server.url)
          tg.soonify(fetchText)(server.url)
        },
        { timeout: 200 }
      )
    ).rejects.toBeInstanceOf(TimeoutError)
    expect(since(start)).toBeLessThan(1_000)
    expect(server.requests()).toBe(2)
    await server.closed()
    expect(server.open()).toBe(0)
  })

  it("is cancelled by a sibling's failure (fail fast): the group rejects with that failure", async () => {
    const failure = new Error("x")
    const start = performance.now()
    await expect(
      taskGroup(async (tg) => {
        tg.soonify(fetchText)(server.url)
        tg.spawn(async () => {
          await requested(server)
          throw failure
        })
      })
    ).rejects.toBe(failure)
    expect(since(start)).toBeLessThan(1_000)
    await server.closed()
  })

  it("is cancelled by soon.cancel(): it resolves once the fetch was aborted, the group goes on", async () => {
    const values = await taskGroup(async (tg) => {
      const slow = tg.soonify(fetchText)(server.url)
      await requested(server)
      const start = performance.now()
      await slow.cancel()
      expect(since(start)).toBeLessThan(500)
      expect(slow.status).toBe("cancelled")
      expect(slow.exception).toBeInstanceOf(CancelledError)
      return tg.soonify(async () => "still open")()
    })
    expect(values.value).toBe("still open")
    await server.closed()
  })

  it("is cancelled by its own timeout: the task fails with TimeoutError (fail fast), in settle mode its handle keeps it", async () => {
    const start = performance.now()
    const error = await taskGroup((tg) => void tg.soonify(fetchText, { name: "page", timeout: 300 })(server.url)).catch(
      (error: unknown) => error
    )
    expect(since(start)).toBeLessThan(1_000)
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).message).toBe(
      'Task "page" timed out after 300 ms: it was cancelled (its signal aborted with this error) and has settled'
    )
    expect((error as TimeoutError).timeout).toBe(300)
    // (The timeouts leave the requests time to arrive: a fetch aborted before its request
    // was sent leaves its connection idle in fetch's pool, which is not what is tested.)
    const soon = await taskGroup((tg) => tg.soonify(fetchText, { timeout: 300 })(server.url), { mode: "settle" })
    expect(soon.status).toBe("rejected")
    expect(soon.exception).toBeInstanceOf(TimeoutError)
    expect(server.requests()).toBe(2)
    await server.closed()
  })

  it("with retry, gives each attempt the timeout and retries a timed-out attempt", async () => {
    let attempts = 0
    const soon = await taskGroup((tg) =>
      tg.spawn(
        async (signal) => {
          if (++attempts < 3) return (await fetch(server.url, { signal })).text()
          return "answered"
        },
        { timeout: 300, retry: { times: 3, retryIf: (error) => error instanceof TimeoutError } }
      )
    )
    expect(soon.value).toBe("answered")
    expect(soon.attempt).toBe(3)
    expect(server.requests()).toBe(2)
    await server.closed()
  })
})

describe("a started task's own timeout", () => {
  it("rejects start with the TimeoutError before started(); after it, fails the group with it", async () => {
    await taskGroup(async (tg) => {
      const early = await tg
        .start(async (_started, signal) => (await fetch(server.url, { signal })).text(), { timeout: 300 })
        .catch((error: unknown) => error)
      expect(early).toBeInstanceOf(TimeoutError)
    })
    const late = await taskGroup(async (tg) => {
      const [ready] = await tg.start<string>(
        async (started) => {
          started("listening")
          return (await fetch(server.url, { signal: taskSignal() })).text()
        },
        { name: "listener", timeout: 300 }
      )
      expect(ready).toBe("listening")
    }).catch((error: unknown) => error)
    expect(late).toBeInstanceOf(TimeoutError)
    expect((late as Error).message).toContain('Task "listener" timed out after 300 ms')
    await server.closed()
  })
})

describe("a task that ignores its cancellation", () => {
  it("is reported once with a SoonifyStuckTaskWarning after stuckAfter, and shown as cancelling", async () => {
    let snapshotDuring: TaskSnapshot | undefined
    const { warnings, result } = await stuckWarnings(async () => {
      const tg = createTaskGroup({ name: "crawler", stuckAfter: 100 })
      const soon = tg.soonify(fetchTextDeaf, { name: "fetch page 1" })(server.url)
      await requested(server)
      const cancelled = Date.now()
      tg.cancel()
      await sleep(50)
      snapshotDuring = tg.snapshot().tasks[0]
      await sleep(150)
      // What finally ends the fetch: the server drops the connection.
      await server.stop()
      const outcome = await tg[Symbol.asyncDispose]().then(
        () => "resolved",
        (error: unknown) => error
      )
      return { soon, cancelled, outcome }
    })
    expect(snapshotDuring).toMatchObject({ name: "fetch page 1", status: "cancelling" })
    expect(snapshotDuring!.cancelledAt).toBeGreaterThanOrEqual(result.cancelled - 5)
    expect(snapshotDuring!.cancelledAt).toBeLessThanOrEqual(result.cancelled + 5)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]!.message).toMatch(
      /^Task "fetch page 1" of task group "crawler" was cancelled 0\.\d s ago and has not settled: it ignores its AbortSignal/
    )
    expect(warnings[0]!.message).toContain("fetch(url, { signal: taskSignal() })")
    // Cancelled, then failed with the fetch's own error when the connection dropped: reported, not lost.
    expect(result.outcome).toBeInstanceOf(TypeError)
    expect(result.soon.status).toBe("rejected")
  })

  it("is not reported with stuckAfter: Infinity, nor when the fetch takes taskSignal()", async () => {
    const { warnings } = await stuckWarnings(async () => {
      const deaf = createTaskGroup({ stuckAfter: Infinity })
      deaf.soonify(fetchTextDeaf)(server.url)
      const heard = createTaskGroup({ stuckAfter: 20 })
      heard.soonify(fetchText)(server.url)
      await requested(server, 2)
      deaf.cancel()
      heard.cancel()
      await expect(heard[Symbol.asyncDispose]()).rejects.toBeInstanceOf(CancelledError)
      await sleep(60)
      await server.stop()
      await deaf[Symbol.asyncDispose]().catch(() => undefined)
    })
    expect(warnings).toEqual([])
  })

  it("rejects a bad stuckAfter or task timeout with a RangeError naming it", async () => {
    expect(() => createTaskGroup({ stuckAfter: -1 })).toThrow(
      /createTaskGroup: option "stuckAfter" must be between 0 and 2147483647 milliseconds, or Infinity, received number -1/
    )
    await expect(taskGroup(async () => 1, { stuckAfter: Number.NaN })).rejects.toThrow(RangeError)
    await expect(taskGroup(async () => 1, { stuckAfter: "1s" as any })).rejects.toThrow(TypeError)
    await taskGroup(async (tg) => {
      expect(() => tg.soonify(fetchText, { timeout: -1 })).toThrow(/tg\.soonify: option "timeout" must be between 0/)
      expect(() => tg.spawn(async () => 1, { timeout: Number.NaN })).toThrow(RangeError)
      await expect(tg.start(async () => 1, { timeout: -5 })).rejects.toThrow(/tg\.start: option "timeout"/)
    })
  })
})
