import { describe, expect, expectTypeOf, it } from "vitest"
import { createTaskGroup, taskGroup } from "@soonify/interop"
import { sleep } from "./sleep.ts"

describe("names", () => {
  it("names each soonify'd task with a function of its arguments", async () => {
    const fetchPage = async (url: string, attempt: number) => `${url}#${attempt}`
    const names = await taskGroup(async (tg) => {
      const fetch = tg.soonify(fetchPage, {
        name: (url, attempt) => {
          expectTypeOf(url).toEqualTypeOf<string>()
          expectTypeOf(attempt).toEqualTypeOf<number>()
          return `fetch ${url} (${attempt})`
        }
      })
      return [fetch("https://a.example", 1).name, fetch("https://b.example", 2).name]
    })
    expect(names).toEqual(["fetch https://a.example (1)", "fetch https://b.example (2)"])
  })

  it("throws the name function's error from the call, and a TypeError for a name that is no string", async () => {
    await using tg = createTaskGroup()
    const boom = new Error("no name")
    const throwing = tg.soonify(async (n: number) => n, {
      name: () => {
        throw boom
      }
    })
    expect(() => throwing(1)).toThrow(boom)
    const numbered = tg.soonify(async (n: number) => n, { name: (n) => n as any })
    expect(() => numbered(7)).toThrow(/tg\.soonify: the "name" function must return a string, returned number 7/)
    // @ts-expect-error: a name function must give a string
    tg.soonify(async (url: string) => url, { name: (url: string) => url.length })
    await sleep(1)
  })
})
