// A million tasks in one group (`pnpm test:stress` only: each takes several seconds).
import { describe, expect, it } from "vitest"
import { gather, taskGroup } from "@soonify/interop"

const count = 1_000_000
const range = Array.from({ length: count }, (_, i) => i)

describe(`${count} tasks in one group`, () => {
  it("async functions: each gives its index back", { timeout: 300_000 }, async () => {
    const handles = await taskGroup((tg) => range.map((i) => tg.spawn(async () => i)))
    expect(handles.length).toBe(count)
    expect(handles.filter((soon, i) => soon.value !== i)).toEqual([])
  })

  it("plain functions, with concurrency 1,000", { timeout: 300_000 }, async () => {
    const handles = await taskGroup((tg) => range.map((i) => tg.spawn(() => i)), { concurrency: 1_000 })
    expect(handles.filter((soon, i) => soon.value !== i)).toEqual([])
  })

  it("gathered: values in input order", { timeout: 300_000 }, async () => {
    const values = await gather(range.map((i) => async () => i))
    expect(values.length).toBe(count)
    expect(values.every((value, i) => value === i)).toBe(true)
  })

  it(
    "the last one fails: the others are cancelled and the group rejects with that error",
    { timeout: 300_000 },
    async () => {
      const error = new Error("last")
      let settled = 0
      const pending = taskGroup((tg) => {
        for (const i of range) {
          tg.spawn(async (signal) => {
            if (i === count - 1) throw error
            try {
              await new Promise((_, reject) =>
                signal.addEventListener("abort", () => reject(signal.reason), { once: true })
              )
            } finally {
              settled++
            }
          })
        }
      })
      await expect(pending).rejects.toBe(error)
      expect(settled).toBe(count - 1)
    }
  )
})
