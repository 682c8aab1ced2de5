// What counts as a task's cancellation and what as its failure once its signal is
// aborted (DESIGN §3), which reason each party sees, and the cancellation of code a
// task leaves behind.
import { describe, expect, it } from "vitest"
import { CancelledError, createTaskGroup, type SoonValue, taskGroup } from "@soonify/interop"
import { setTimeout as nodeSleep } from "node:timers/promises"
import { sleep, untilAborted } from "./sleep.ts"

describe("a rejection after the signal is aborted", () => {
  it("is a cancellation only when it is the reason, or an Error named AbortError caused by the reason", async () => {
    const reason = new Error("stop")
    const made: Array<unknown> = []
    const error = await taskGroup(async (tg) => {
      // Each rejects with something that resembles the cancellation without being it.
      const lookalikes: Array<(reason: unknown) => unknown> = [
        (reason) => new Error("wrapped", { cause: reason }), // caused by it, but no AbortError
        (reason) => ({ name: "AbortError", cause: reason }), // no Error at all
        (reason) => ({ cause: reason }),
        () => new DOMException("aborted elsewhere", "AbortError") // an AbortError with another cause
      ]
      for (const lookalike of lookalikes) {
        tg.spawn(async (signal) => {
          await untilAborted(signal).catch(() => undefined)
          const error = lookalike(signal.reason)
          made.push(error)
          throw error
        })
      }
      // And the real ones: the reason itself, and Node's AbortError caused by it.
      tg.spawn((signal) => untilAborted(signal))
      tg.spawn((signal) => nodeSleep(1000, undefined, { signal }))
      await sleep(1)
      tg.cancel(reason)
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AggregateError)
    expect((error as AggregateError).errors).toEqual(made)
    expect((error as AggregateError).errors).toHaveLength(4)
  })

  it("with the reason the task was first cancelled with is its cancellation, though its group is cancelled after", async () => {
    // The task alone is cancelled (a CancelledError), then its group (another reason):
    // Node's AbortError caused by the first reason is still the task's cancellation.
    const reason = new Error("group cancelled")
    let first: unknown
    const error = await taskGroup(async (tg) => {
      const soon = tg.spawn(async (signal) => {
        try {
          await nodeSleep(1000, undefined, { signal })
        } finally {
          first = signal.reason
        }
      })
      await sleep(1)
      void soon.cancel()
      tg.cancel(reason)
    }).catch((e: unknown) => e)
    expect(error).toBe(reason)
    expect(first).toBeInstanceOf(CancelledError)
    expect((first as Error).message).toBe("The task was cancelled")
  })
})

describe("tg.cancel(reason)", () => {
  it("called again, keeps the first reason, also 60 groups deep (where core shuts down from a fresh stack)", async () => {
    for (const depth of [1, 60]) {
      const top = new Error("top")
      const seen: Array<unknown> = []
      let ready!: () => void
      const deepest = new Promise<void>((resolve) => (ready = resolve))
      // Each group runs in a task of the one above and is cancelled with that task's
      // signal: cancelling the top cancels each in turn, on one stack, until core goes on
      // from a fresh one. Each is then cancelled again, by a listener called after its own.
      const level = (n: number) => (signal: AbortSignal) =>
        taskGroup(async (tg) => {
          signal.addEventListener("abort", () => tg.cancel(new Error("second")))
          if (n > 0) return void tg.spawn(level(n - 1))
          ready()
          await untilAborted(tg.signal)
        }).catch((e: unknown) => {
          seen.push(e)
          throw e
        })
      const tg = createTaskGroup()
      tg.spawn(level(depth))
      await deepest
      tg.cancel(top)
      await expect(tg[Symbol.asyncDispose]()).rejects.toBe(top)
      expect(seen).toHaveLength(depth + 1)
      for (const error of seen) expect(error).toBe(top)
    }
  })
})

describe("code a cancelled task leaves behind", () => {
  it("is cancelled with the task, even after the task ended and its group closed", async () => {
    // A soonify'd task is not given its signal: the ambient operations it leaves behind
    // ask for it later, once the task has ended cancelled.
    let late: Promise<unknown> | undefined
    let soon: SoonValue<void> | undefined
    await taskGroup(async (tg) => {
      soon = tg.soonify(async () => {
        await sleep(5)
        setTimeout(() => {
          late = taskGroup(async () => "ran").catch((e: unknown) => e)
        }, 10)
      })()
      await soon.cancel()
    })
    expect(soon?.status).toBe("cancelled")
    await sleep(30)
    expect(late).toBeDefined()
    const error = await late
    expect(error).toBeInstanceOf(CancelledError)
    expect((error as Error).message).toBe("The task was cancelled")
  })

  it("of a task that ended uncancelled belongs to its group: it runs", async () => {
    let late: Promise<string> | undefined
    await taskGroup(async (tg) => {
      tg.soonify(async () => {
        setTimeout(() => {
          late = taskGroup(async () => "ran")
        }, 10)
      })()
    })
    await sleep(30)
    await expect(late).resolves.toBe("ran")
  })
})

describe("tg.start's caller", () => {
  it("called outside any task, sees the group's reason when the group is cancelled before the start", async () => {
    const reason = new Error("closing")
    const tg = createTaskGroup()
    const starting = tg.start((_started, signal) => untilAborted(signal))
    tg.cancel(reason)
    await expect(starting).rejects.toBe(reason)
    await expect(tg[Symbol.asyncDispose]()).rejects.toBe(reason)
  })

  it("cancelled itself before the start, sees its own reason, and the starting task is cancelled", async () => {
    const other = createTaskGroup({ name: "other" })
    let startingSignal: AbortSignal | undefined
    let callerReason: unknown
    let seen: unknown
    await taskGroup(async (tg) => {
      const caller = tg.spawn(async (signal) => {
        try {
          await other.start((_started, signal) => ((startingSignal = signal), untilAborted(signal)), { name: "server" })
        } catch (error) {
          seen = error
          callerReason = signal.reason
        }
      })
      await sleep(5)
      await caller.cancel()
    })
    await other[Symbol.asyncDispose]()
    expect(callerReason).toBeInstanceOf(CancelledError)
    expect(seen).toBe(callerReason)
    expect(startingSignal?.aborted).toBe(true)
  })
})
