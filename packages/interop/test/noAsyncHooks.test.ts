// Where the platform has no `node:async_hooks` (browsers, until `AsyncContext` ships),
// nothing is ambient (DESIGN §3): the ambient module, loaded afresh with
// `process.getBuiltinModule` hidden, finds no enclosing task and runs code as it is.
// (Loaded afresh in the test, not at import, the module's own setup is tested too.)
import { readFileSync } from "node:fs"
import type { Task } from "@soonify/kernel"
import { expect, it } from "vitest"
import { sleep } from "./sleep.ts"

type Ambient = typeof import("../src/internal/ambient.ts")

/** Where the ambient module tells core the running code's task (`Symbol.for("soonify.ambientTask")`). */
const bridge = Symbol.for("soonify.ambientTask")

/** The bridge the last copy loaded by {@link load} installed. */
let installedBridge: PropertyDescriptor | undefined

let loads = 0

/**
 * A fresh copy of the ambient module (each call loads one). Loading it installs its own
 * bridge to core (kept in {@link installedBridge}); the one of the copy the rest of the
 * process uses is put back, so that other test files run in the same process see theirs.
 */
const load = async (variant: string): Promise<Ambient> => {
  const path = `../src/internal/ambient.ts?${variant}-${++loads}`
  const installed = Object.getOwnPropertyDescriptor(globalThis, bridge)
  try {
    return (await import(/* @vite-ignore */ path)) as Ambient
  } finally {
    installedBridge = Object.getOwnPropertyDescriptor(globalThis, bridge)
    if (installed !== undefined) Object.defineProperty(globalThis, bridge, installed)
  }
}

/** The ambient module as a platform without `getBuiltinModule` loads it. */
const loadWithoutAsyncHooks = async (): Promise<Ambient> => {
  const processObject = process as { getBuiltinModule?: unknown }
  const original = processObject.getBuiltinModule
  processObject.getBuiltinModule = undefined
  try {
    return await load("without-async-hooks")
  } finally {
    processObject.getBuiltinModule = original
  }
}

it("with async_hooks, code run as code of a context finds it, also after an await", async () => {
  // The same fresh loading, with the platform's module in place: the contrast to the test below.
  const ambient = await load("with-async-hooks")
  const context = { signal: new AbortController().signal }
  expect(ambient.enclosing()).toBeUndefined()
  expect(ambient.runIn(context, () => ambient.enclosing(), undefined)).toBe(context)
  const later = ambient.runIn(
    context,
    async () => {
      await sleep(1)
      return ambient.enclosing()
    },
    undefined
  )
  await expect(later).resolves.toBe(context)
  expect(ambient.enclosing()).toBeUndefined()
  const explicit = new AbortController().signal
  expect(ambient.runIn(context, ambient.stopSignal, undefined)).toBe(context.signal)
  expect(ambient.runIn(context, ambient.stopSignal, explicit)).not.toBe(explicit)
})

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

it("without async_hooks taskSignal() is one shared signal that never aborts, also inside a context", async () => {
  const ambient = await loadWithoutAsyncHooks()
  const controller = new AbortController()
  const context = { signal: controller.signal }
  controller.abort()
  const outside = ambient.taskSignal()
  expect(outside.aborted).toBe(false)
  expect(ambient.runIn(context, ambient.taskSignal, undefined)).toBe(outside)
  expect(ambient.runIn(context, ambient.taskSignal, undefined).aborted).toBe(false)
})

it("with async_hooks taskSignal() is the context's signal inside it, after an await too", async () => {
  const ambient = await load("with-async-hooks")
  const context = { signal: new AbortController().signal }
  expect(ambient.runIn(context, ambient.taskSignal, undefined)).toBe(context.signal)
  const later = ambient.runIn(context, async () => (await sleep(1), ambient.taskSignal()), undefined)
  await expect(later).resolves.toBe(context.signal)
  expect(ambient.taskSignal()).not.toBe(context.signal)
})

it("tells core the task the running code is in, through a bridge the next copy of the module replaces", async () => {
  // Core cannot import interop: a core group opened in interop code asks this bridge.
  const ambient = await load("with-async-hooks")
  const find = installedBridge?.value as () => unknown
  const task = { name: "the enclosing task" } as unknown as Task<any>
  expect(ambient.runIn({ signal: new AbortController().signal, task }, find, undefined)).toBe(task)
  expect(find()).toBeUndefined()
  // Another copy of the package in the process (another version bundled): its bridge takes over.
  const other = await load("with-async-hooks")
  const otherFind = installedBridge?.value as () => unknown
  expect(otherFind).not.toBe(find)
  expect(other.runIn({ signal: new AbortController().signal, task }, otherFind, undefined)).toBe(task)
})

// A browser build (the `browser` condition of `#ambient` in package.json) takes
// `ambient.browser.ts` instead: the behaviour above without async_hooks, without the code
// that looks for them (and so smaller, DESIGN §9).
type BrowserAmbient = typeof import("../src/internal/ambient.browser.ts")

const browserPath = "../src/internal/ambient.browser.ts"
const loadBrowser = async (): Promise<BrowserAmbient> =>
  (await import(/* @vite-ignore */ browserPath)) as BrowserAmbient

it("the browser build's ambient module is the one package.json's #ambient gives under the browser condition, with the same exports", async () => {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    exports: Record<string, Record<string, unknown>>
    imports: Record<string, Record<string, unknown>>
  }
  // The package's browser entry is bundled with the browser files of its subpath imports.
  expect(manifest.exports["."]!["browser"]).toBe("./dist/index.browser.js")
  const ambientImport = manifest.imports["#ambient"]!
  expect(ambientImport["browser"]).toBe("./dist/internal/ambient.browser.js")
  expect(ambientImport["@soonify/source"]).toEqual({
    browser: "./src/internal/ambient.browser.ts",
    default: "./src/internal/ambient.ts"
  })
  const browser = await loadBrowser()
  const node = await load("with-async-hooks")
  expect(Object.keys(browser).toSorted()).toEqual(Object.keys(node).toSorted())
})

it("in the browser build nothing is ambient, and taskSignal() never aborts, as without async_hooks", async () => {
  const ambient = await loadBrowser()
  const controller = new AbortController()
  const context = { signal: controller.signal }
  controller.abort()
  expect(ambient.runIn(context, (x: number) => [x, ambient.enclosing()], 1)).toEqual([1, undefined])
  const explicit = new AbortController().signal
  expect(ambient.runIn(context, ambient.stopSignal, explicit)).toBe(explicit)
  expect(ambient.runIn(context, ambient.stopSignal, undefined)).toBeUndefined()
  const outside = ambient.taskSignal()
  expect(outside.aborted).toBe(false)
  expect(ambient.runIn(context, ambient.taskSignal, undefined)).toBe(outside)
})
