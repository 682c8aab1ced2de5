// The kernel runs each adapter's layout keeper once per process and keeps what it gave
// back in the registry (src/Layouts.ts); the registry also counts the futures made without
// a name, for every adapter.
import { describe, expect, it } from "vitest"
import { futureName, keepLayouts, keptLayouts, type Registry, registry, setLayoutKeeper } from "@soonify/kernel"

/** Waits until the microtasks queued so far have run. */
const afterMicrotasks = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** Runs `f` with a registry made by an older copy of the kernel (one without `layouts` and `futures`), then puts the process's back. */
const withOlderRegistry = (f: () => void): void => {
  const key = Symbol.for("soonify.registry")
  const global = globalThis as Record<symbol, unknown>
  const own = global[key]
  try {
    delete global[key]
    const older: Registry = { ...registry() }
    delete older.layouts
    delete older.futures
    Object.defineProperty(globalThis, key, { value: older, configurable: true, writable: false })
    f()
  } finally {
    delete global[key]
    Object.defineProperty(globalThis, key, { value: own, configurable: true, writable: false })
  }
}

describe("an adapter's kept layouts", () => {
  it("are made by its keeper once, inside the first call that asks for them now, and kept in the registry", () => {
    let runs = 0
    const kept = { group: "ended" }
    setLayoutKeeper("test/now", () => {
      runs++
      return kept
    })
    expect([runs, keptLayouts("test/now")]).toEqual([0, undefined])
    keepLayouts("test/now", "now")
    expect(runs).toBe(1)
    expect(keptLayouts("test/now")).toBe(kept)
    expect(registry().layouts?.get("test/now")?.kept).toBe(kept)
    keepLayouts("test/now", "now")
    keepLayouts("test/now", "soon")
    expect(runs).toBe(1)
  })

  it("asked for soon, are made in a microtask after the call", async () => {
    let runs = 0
    setLayoutKeeper("test/soon", () => ++runs)
    keepLayouts("test/soon", "soon")
    keepLayouts("test/soon", "soon")
    expect([runs, keptLayouts("test/soon")]).toEqual([0, undefined])
    await afterMicrotasks()
    expect([runs, keptLayouts("test/soon")]).toEqual([1, 1])
  })

  it("are made by the first keeper given: a later one (another copy of the adapter) stays out", () => {
    setLayoutKeeper("test/copies", () => "first copy")
    setLayoutKeeper("test/copies", () => "second copy")
    keepLayouts("test/copies", "now")
    setLayoutKeeper("test/copies", () => "after it ran")
    keepLayouts("test/copies", "now")
    expect(keptLayouts("test/copies")).toBe("first copy")
  })

  it("are not asked for by a call made before the adapter gave its keeper", () => {
    keepLayouts("test/late", "now")
    setLayoutKeeper("test/late", () => "kept")
    expect(keptLayouts("test/late")).toBeUndefined()
    keepLayouts("test/late", "now")
    expect(keptLayouts("test/late")).toBe("kept")
  })

  it("are made once even when the keeper's own group asks for them again", () => {
    let runs = 0
    setLayoutKeeper("test/reentrant", () => {
      runs++
      keepLayouts("test/reentrant", "now")
      return runs
    })
    keepLayouts("test/reentrant", "now")
    expect([runs, keptLayouts("test/reentrant")]).toEqual([1, 1])
  })

  it("are nothing when the keeper throws, which reaches no caller and is not tried again", () => {
    let runs = 0
    setLayoutKeeper("test/throws", () => {
      runs++
      throw new Error("no layouts")
    })
    expect(() => keepLayouts("test/throws", "now")).not.toThrow()
    keepLayouts("test/throws", "now")
    expect([runs, keptLayouts("test/throws")]).toEqual([1, undefined])
  })

  it("are kept in a registry made by an older copy too", () => {
    withOlderRegistry(() => {
      setLayoutKeeper("test/older", () => "kept")
      keepLayouts("test/older", "now")
      expect(registry().layouts?.get("test/older")?.kept).toBe("kept")
    })
  })
})

describe("futureName", () => {
  it("counts the futures made without a name over the process, in the registry", () => {
    const made = registry().futures?.made ?? 0
    expect([futureName(), futureName()]).toEqual([`future-${made + 1}`, `future-${made + 2}`])
    expect(registry().futures?.made).toBe(made + 2)
  })

  it("counts in a registry made by an older copy too, from 1", () => {
    withOlderRegistry(() => {
      expect(futureName()).toBe("future-1")
      expect(registry().futures).toEqual({ made: 1 })
    })
  })
})
