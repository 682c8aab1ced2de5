// Groups nested ten thousand deep: starting, ending, failing and being aborted all go
// on without overflowing the stack (a task starts synchronously, and a group's body
// too, so a naive implementation starts 10,000 groups in one call chain).
import { describe, expect, it } from "vitest"
import { gather, taskGroup } from "@soonify/interop"
import { untilAborted } from "./sleep.ts"

const depth = 10_000

describe(`groups nested ${depth} deep`, () => {
  it("a task in each, awaited by the body: every level's value comes back", async () => {
    const nest = (n: number): Promise<number> =>
      n === 0
        ? Promise.resolve(0)
        : taskGroup(
            async (tg) =>
              (await tg
                .soonify(nest)(n - 1)
                .wait()) + 1
          )
    expect(await nest(depth)).toBe(depth)
  })

  it("a task in each, not awaited: each group waits for it anyway", async () => {
    let deepest = false
    const nest = (n: number): Promise<number> =>
      n === 0
        ? Promise.resolve()
            .then(() => (deepest = true))
            .then(() => 0)
        : taskGroup((tg) => {
            tg.spawn(() => nest(n - 1))
            return n
          })
    expect(await nest(depth)).toBe(depth)
    expect(deepest).toBe(true)
  })

  it("a task in each of groups limited to one task at a time", async () => {
    const nest = (n: number): Promise<number> =>
      n === 0
        ? Promise.resolve(0)
        : taskGroup(async (tg) => (await tg.spawn(() => nest(n - 1)).wait()) + 1, { concurrency: 1 })
    expect(await nest(depth)).toBe(depth)
  })

  it("a gather in each, with and without a concurrency limit", async () => {
    const limited = (n: number): Promise<number> =>
      n === 0 ? Promise.resolve(0) : gather([() => limited(n - 1)], { concurrency: 2 }).then(([x]) => x + 1)
    expect(await limited(depth)).toBe(depth)
  })

  it("a gather in each", async () => {
    const nest = (n: number): Promise<number> =>
      n === 0 ? Promise.resolve(0) : gather([() => nest(n - 1)]).then(([x]) => x + 1)
    expect(await nest(depth)).toBe(depth)
  })

  it("the deepest task throws: the group at the top rejects with that error, every level settled", async () => {
    const error = new Error("deepest")
    let settled = 0
    const nest = async (n: number, signal?: AbortSignal): Promise<unknown> => {
      try {
        if (n === 0) throw error
        return await taskGroup(
          async (tg) => {
            tg.spawn((signal) => nest(n - 1, signal))
            await untilAborted(tg.signal)
          },
          { signal }
        )
      } finally {
        settled++
      }
    }
    await expect(nest(depth)).rejects.toBe(error)
    expect(settled).toBe(depth + 1)
  })

  it("each group listening to its parent's tg.signal, aborted from outside: every level settles", async () => {
    const controller = new AbortController()
    const reason = new Error("stop")
    let reached!: () => void
    const deepest = new Promise<void>((resolve) => (reached = resolve))
    let settled = 0
    const nest = async (n: number, signal: AbortSignal): Promise<unknown> => {
      try {
        if (n === 0) {
          reached()
          return await untilAborted(signal)
        }
        return await taskGroup(
          (tg) => {
            tg.spawn(() => nest(n - 1, tg.signal))
          },
          { signal }
        )
      } finally {
        settled++
      }
    }
    const top = nest(depth, controller.signal)
    await deepest
    controller.abort(reason)
    await expect(top).rejects.toBe(reason)
    expect(settled).toBe(depth + 1)
  })

  it("aborted from outside: the top rejects with the reason once every level has settled", async () => {
    const controller = new AbortController()
    const reason = new Error("stop")
    let reached!: () => void
    const deepest = new Promise<void>((resolve) => (reached = resolve))
    let settled = 0
    const nest = async (n: number, signal: AbortSignal): Promise<unknown> => {
      try {
        if (n === 0) {
          reached()
          return await untilAborted(signal)
        }
        return await taskGroup((tg) => tg.spawn((signal) => nest(n - 1, signal)), { signal })
      } finally {
        settled++
      }
    }
    const top = nest(depth, controller.signal)
    await deepest
    controller.abort(reason)
    await expect(top).rejects.toBe(reason)
    expect(settled).toBe(depth + 1)
  })
})

describe("many tasks waiting for a few permits", () => {
  // Each take and release of Effect's Semaphore (behind `concurrency`) scanned every
  // waiter: 40,000 tasks limited to 8 at a time took 17 s, 100,000 many minutes.
  it("50,000 tasks with concurrency 4 start in spawn order, quickly", async () => {
    const order: Array<number> = []
    const started = Date.now()
    await taskGroup(
      (tg) => {
        for (let i = 0; i < 50_000; i++) {
          tg.spawn(async () => {
            order.push(i)
          })
        }
      },
      { concurrency: 4 }
    )
    const elapsed = Date.now() - started
    expect(order.length).toBe(50_000)
    expect(order.every((value, i) => value === i)).toBe(true)
    expect(elapsed).toBeLessThan(10_000)
  })
})
