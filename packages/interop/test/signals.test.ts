// A group made inside a task with a `signal` of its own answers to both: its own signal
// and the enclosing task's cancellation, whichever comes first.
import { describe, expect, it } from "vitest"
import { taskGroup } from "@soonify/interop"
import { untilAborted } from "./sleep.ts"

describe("a group made inside a task, with a signal of its own", () => {
  it("is cancelled by its own signal, and rejects with that signal's reason", async () => {
    const own = new AbortController()
    const reason = new Error("own signal")
    const outcome = await taskGroup(async (outer) => {
      const inner = outer.spawn(() =>
        taskGroup((tg) => tg.spawn((signal) => untilAborted(signal)).wait(), { signal: own.signal }).catch(
          (error: unknown) => error
        )
      )
      await Promise.resolve()
      own.abort(reason)
      return inner.wait()
    })
    expect(outcome).toBe(reason)
  })

  it("is cancelled with the enclosing task, and rejects with the task's reason", async () => {
    const own = new AbortController()
    const outcome = await taskGroup(async (outer) => {
      let seen: unknown
      const task = outer.spawn((taskSignal) =>
        taskGroup((tg) => tg.spawn((signal) => untilAborted(signal)).wait(), { signal: own.signal }).catch(
          (error: unknown) => {
            seen = { error, taskReason: taskSignal.reason }
          }
        )
      )
      await Promise.resolve()
      task.cancel()
      await task.wait().catch(() => undefined)
      return seen as { readonly error: unknown; readonly taskReason: unknown }
    })
    expect(own.signal.aborted).toBe(false)
    expect(outcome.taskReason).toBeDefined()
    expect(outcome.error).toBe(outcome.taskReason)
  })

  it("given the enclosing task's own signal, is cancelled with the task", async () => {
    const outcome = await taskGroup(async (outer) => {
      let seen: unknown
      const task = outer.spawn((taskSignal) =>
        taskGroup((tg) => tg.spawn((signal) => untilAborted(signal)).wait(), { signal: taskSignal }).catch(
          (error: unknown) => {
            seen = { error, taskReason: taskSignal.reason }
          }
        )
      )
      await Promise.resolve()
      task.cancel()
      await task.wait().catch(() => undefined)
      return seen as { readonly error: unknown; readonly taskReason: unknown }
    })
    expect(outcome.taskReason).toBeDefined()
    expect(outcome.error).toBe(outcome.taskReason)
  })
})
