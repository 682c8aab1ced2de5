// An error for bad input says what it received, whatever its kind (guarantee 5): each
// kind of value is described by its type and, when short enough to read, the value.
import { describe, expect, it } from "vitest"
import {
  asCompleted,
  CancelledError,
  createTaskGroup,
  Future,
  gather,
  PendingValueError,
  taskGroup,
  TimeoutError
} from "@soonify/interop"
import { describedValues } from "../../../test-setup/described-values.ts"

/** What `createTaskGroup` throws for the `concurrency` option `concurrency`. */
const concurrencyError = (concurrency: unknown): unknown => {
  try {
    createTaskGroup({ concurrency } as any)
  } catch (error) {
    return error
  }
  throw new Error("expected createTaskGroup to throw")
}

describe("an error for bad input describes the value it received", () => {
  for (const [kind, value, received] of describedValues) {
    it(`${kind}`, () => {
      const error = concurrencyError(value)
      // A number out of range is a RangeError; a value of the wrong kind, a TypeError.
      expect(error).toBeInstanceOf(typeof value === "number" ? RangeError : TypeError)
      expect((error as Error).message).toBe(
        `createTaskGroup: option "concurrency" must be a positive integer or Infinity, ${received}`
      )
    })
  }
})

describe("a group's messages name it as the user knows it: by its name, else by the call that made it", () => {
  /** A task that settles only once its signal aborts. */
  const untilAborted = (signal: AbortSignal) =>
    new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason), { once: true }))
  const rejection = (promise: Promise<unknown>): Promise<Error> =>
    promise.then(
      () => expect.fail("expected a rejection"),
      (error: unknown) => error as Error
    )
  const ranOut = "its tasks were cancelled and have ended"

  it("a timeout: a named group, an unnamed taskGroup or createTaskGroup, a gather, an asCompleted loop", async () => {
    const named = await rejection(taskGroup(async (tg) => void tg.spawn(untilAborted), { timeout: 5, name: "crawler" }))
    expect(named.message).toBe(`Task group "crawler" timed out after 5 ms: ${ranOut}`)
    const unnamed = await rejection(taskGroup(async (tg) => void tg.spawn(untilAborted), { timeout: 5 }))
    expect(unnamed.message).toBe(`taskGroup(…) timed out after 5 ms: ${ranOut}`)
    const created = createTaskGroup({ timeout: 5 })
    created.spawn(untilAborted)
    expect((await rejection(created[Symbol.asyncDispose]())).message).toBe(
      `createTaskGroup(…) timed out after 5 ms: ${ranOut}`
    )
    const gathered = await rejection(gather([untilAborted], { timeout: 5 }))
    expect(gathered).toBeInstanceOf(TimeoutError)
    expect(gathered.message).toBe(`gather(…) timed out after 5 ms: ${ranOut}`)
    const loop = async () => {
      for await (const _ of asCompleted([untilAborted], { timeout: 5 })) expect.fail("nothing completes")
    }
    expect((await rejection(loop())).message).toBe(`asCompleted(…) timed out after 5 ms: ${ranOut}`)
  })

  it("a late slot of a gather with returnExceptions says that its task was cancelled, not to use returnExceptions", async () => {
    const [late, inTime] = await gather([untilAborted, async () => "in time"], { timeout: 5, returnExceptions: true })
    expect(inTime).toBe("in time")
    expect(late).toBeInstanceOf(TimeoutError)
    expect((late as Error).message).toBe(
      "gather(…) timed out after 5 ms: this task had not settled and was cancelled at the deadline"
    )
  })

  it("a cancellation, and the signal's reason after a failure", async () => {
    expect((await rejection(taskGroup((tg) => tg.cancel()))).message).toBe("taskGroup(…) was cancelled")
    expect((await rejection(taskGroup((tg) => tg.cancel(), { name: "jobs" }))).message).toBe(
      'Task group "jobs" was cancelled'
    )
    let reason: unknown
    await gather([
      async () => {
        throw new Error("boom")
      },
      (signal: AbortSignal) => untilAborted(signal).catch(() => (reason = signal.reason))
    ]).catch(() => undefined)
    expect(reason).toBeInstanceOf(CancelledError)
    expect((reason as Error).message).toBe("gather(…) was cancelled after a failure")
  })

  it("several failures", async () => {
    const fail = (message: string) => async () => {
      throw new Error(message)
    }
    const both = async (tg: { spawn: (f: () => Promise<never>) => unknown }) => {
      tg.spawn(fail("a"))
      tg.spawn(fail("b"))
    }
    const unnamed = await rejection(taskGroup(both))
    expect(unnamed).toBeInstanceOf(AggregateError)
    expect(unnamed.message).toBe("taskGroup(…) failed with 2 errors")
    expect((await rejection(taskGroup(both, { name: "jobs" }))).message).toBe('Task group "jobs" failed with 2 errors')
  })
})

describe("reading a value too early says what to do, for a task and for a Future", () => {
  it("a task: read it after the group, or wait", async () => {
    await taskGroup(async (tg) => {
      const soon = tg.spawn(() => new Promise((resolve) => setTimeout(resolve, 5)), { name: "slow" })
      expect(() => soon.value).toThrow(
        'The value of task "slow" is still pending: it was read before the task ended, most likely inside the task ' +
          "group block. Read it after the group has ended, check `soon.ready` first, or use `await soon.wait()`."
      )
    })
  })

  it("a Future: set it first (no group, no task in sight)", () => {
    const future = new Future<number>({ name: "answer" })
    expect(() => future.value).toThrow(PendingValueError)
    expect(() => future.value).toThrow(
      'The value of Future "answer" is still pending: it was read before anything set it. ' +
        "Set it first (setResult, setException), check `future.ready`, or use `await future.wait()`."
    )
  })
})

describe("spawning into a group that has ended names the group as the user knows it", () => {
  it("by its name, or as a task group without a name", async () => {
    const named = await taskGroup(async (tg) => tg, { name: "jobs" })
    expect(() => named.spawn(async () => 1, { name: "late" })).toThrow(
      'Cannot spawn task "late" into task group "jobs": the group has ended'
    )
    const unnamed = await taskGroup(async (tg) => tg)
    expect(() => unnamed.spawn(async () => 1, { name: "late" })).toThrow(
      'Cannot spawn task "late" into a task group without a name: the group has ended'
    )
  })
})
