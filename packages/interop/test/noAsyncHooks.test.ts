// Where the platform has no `node:async_hooks` (browsers, until `AsyncContext` ships),
// nothing is ambient (DESIGN §3): the ambient module, loaded afresh with
// `process.getBuiltinModule` hidden, finds no enclosing task and runs code as it is.
import { expect, it } from "vitest"

type Ambient = typeof import("../src/internal/ambient.ts")

/** The ambient module as a platform without `getBuiltinModule` loads it: a fresh instance. */
const loadWithoutAsyncHooks = async (): Promise<Ambient> => {
  const processObject = process as { getBuiltinModule?: unknown }
  const original = processObject.getBuiltinModule
  processObject.getBuiltinModule = undefined
  try {
    const path = "../src/internal/ambient.ts?without-async-hooks"
    return (await import(/* @vite-ignore */ path)) as Ambient
  } finally {
    processObject.getBuiltinModule = original
  }
}

it("without async_hooks nothing is ambient, and an operation stops on its own signal only", async () => {
  const ambient = await loadWithoutAsyncHooks()
  const context = { signal: new AbortController().signal }
  expect(ambient.enclosing()).toBeUndefined()
  // Code run as code of a context gets its result, and sees no enclosing context.
  expect(ambient.runIn(context, (x: number) => [x, ambient.enclosing()], 1)).toEqual([1, undefined])
  expect(ambient.enclosing()).toBeUndefined()
  const explicit = new AbortController().signal
  expect(ambient.runIn(context, ambient.stopSignal, explicit)).toBe(explicit)
  expect(ambient.runIn(context, ambient.stopSignal, undefined)).toBeUndefined()
})
