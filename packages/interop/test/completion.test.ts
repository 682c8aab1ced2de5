// `allEnded`, the wait under `soon.wait()`, `soon.cancel()` and `waitAll` (src/internal/completion.ts),
// on its own: its callers never give it handles that have all ended, nor keep what it
// leaves behind in view, so these pin down what it promises them.
import { describe, expect, it } from "vitest"

type Completion = typeof import("../src/internal/completion.ts")
type Handle = Parameters<Completion["allEnded"]>[0][number]

const completionPath = "../src/internal/completion.ts"
const load = async (): Promise<Completion> => (await import(/* @vite-ignore */ completionPath)) as Completion

/** Handles that end when the test says, and an `observe` that counts who watches them. */
const watched = (count: number) => {
  const handles = Array.from({ length: count }, () => ({ ready: false, observers: new Set<() => void>() }))
  const observe = (soon: Handle, f: () => void): (() => void) => {
    const handle = soon as unknown as (typeof handles)[number]
    handle.observers.add(f)
    return () => handle.observers.delete(f)
  }
  const end = (i: number): void => {
    const handle = handles[i]!
    handle.ready = true
    for (const f of Array.from(handle.observers)) f()
    handle.observers.clear()
  }
  const watchers = (): number => handles.reduce((sum, handle) => sum + handle.observers.size, 0)
  return { handles: handles as unknown as Array<Handle>, observe, end, watchers }
}

describe("allEnded", () => {
  it("resolves at once when every handle has ended, even with a signal aborted already", async () => {
    const { allEnded } = await load()
    const { handles, observe, end } = watched(2)
    end(0)
    end(1)
    await expect(allEnded(handles, observe, AbortSignal.abort(new Error("too late")))).resolves.toBeUndefined()
  })

  it("resolves once the last handle ends, and leaves no listener on the signal", async () => {
    const { allEnded } = await load()
    const { handles, observe, end } = watched(2)
    const controller = new AbortController()
    const listeners: Array<unknown> = []
    const signal = controller.signal
    const add = signal.addEventListener.bind(signal)
    const remove = signal.removeEventListener.bind(signal)
    signal.addEventListener = (type: string, listener: any, options?: any) => {
      listeners.push(listener)
      add(type, listener, options)
    }
    signal.removeEventListener = (type: string, listener: any, options?: any) => {
      if (type === "abort") listeners.splice(listeners.indexOf(listener), 1)
      remove(type, listener, options)
    }
    const waiting = allEnded(handles, observe, signal)
    expect(listeners).toHaveLength(1)
    end(1)
    end(0)
    await expect(waiting).resolves.toBeUndefined()
    expect(listeners).toEqual([])
  })

  it("rejects with the signal's reason once it aborts first, and stops watching the handles", async () => {
    const { allEnded } = await load()
    const { handles, observe, end, watchers } = watched(3)
    end(0)
    const controller = new AbortController()
    const waiting = allEnded(handles, observe, controller.signal)
    expect(watchers()).toBe(2)
    const reason = new Error("stop waiting")
    controller.abort(reason)
    await expect(waiting).rejects.toBe(reason)
    expect(watchers()).toBe(0)
  })
})
