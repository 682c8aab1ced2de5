// The snapshot hook by platform: Node (and any runtime but a browser) gets the hook the
// `soonify` command reads (`#attach` → `src/internal/attach.ts`); a browser build, whose
// bundler resolves the `browser` condition, gets `attach.browser.ts`, which installs none.
import { readFileSync } from "node:fs"
import { expect, it } from "vitest"

type Attach = typeof import("../src/internal/attach.ts")

const load = async (file: string): Promise<Attach> => (await import(/* @vite-ignore */ file)) as Attach

const hookKey = Symbol.for("soonify.snapshot")

it("package.json's #attach gives the browser build under the browser condition, with the same exports", async () => {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    exports: Record<string, Record<string, unknown>>
    imports: Record<string, Record<string, unknown>>
  }
  // The package's browser entry is bundled with the browser files of its subpath imports.
  expect(manifest.exports["."]!["browser"]).toBe("./dist/index.browser.js")
  const attach = manifest.imports["#attach"]!
  expect(attach["browser"]).toBe("./dist/internal/attach.browser.js")
  expect(attach["default"]).toBe("./dist/internal/attach.js")
  expect(attach["@soonify/source"]).toEqual({
    browser: "./src/internal/attach.browser.ts",
    default: "./src/internal/attach.ts"
  })
  const [node, browser] = await Promise.all([
    load("../src/internal/attach.ts"),
    load("../src/internal/attach.browser.ts")
  ])
  expect(Object.keys(browser)).toEqual(Object.keys(node))
})

it("the browser build installs no hook, and leaves one found in place", async () => {
  const { attachSnapshotHook } = await load("../src/internal/attach.browser.ts")
  const installed = Object.getOwnPropertyDescriptor(globalThis, hookKey)
  try {
    delete (globalThis as Record<symbol, unknown>)[hookKey]
    attachSnapshotHook(() => [])
    expect(hookKey in globalThis).toBe(false)
    const other = () => []
    Object.defineProperty(globalThis, hookKey, { value: other, configurable: true, writable: true })
    attachSnapshotHook(() => [])
    expect((globalThis as Record<symbol, unknown>)[hookKey]).toBe(other)
  } finally {
    if (installed !== undefined) Object.defineProperty(globalThis, hookKey, installed)
  }
})
