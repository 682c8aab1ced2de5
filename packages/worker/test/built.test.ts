// The published build: dist/ (plain JavaScript) with a .js worker module, run by Node
// without the @soonify/source condition, as a user's program runs it.
import { execFile, execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { accessSync, constants } from "node:fs"
import { delimiter, join } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"
import { effectOrCore, importIn, ownGraph } from "./fixtures/graph.ts"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const tsc = fileURLToPath(new URL("../../../node_modules/.bin/tsc", import.meta.url))

const run = (file: string, args: ReadonlyArray<string>, cwd = packageDir): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(file, args, { cwd, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) =>
      error === null ? resolve(stdout) : reject(new Error(`${file} failed: ${error.message}\n${stdout}\n${stderr}`))
    )
  )

/**
 * The machine's own `node` (20 on a CI machine), not the workspace's 24 that `pnpm`
 * puts first on PATH: `SOONIFY_SYSTEM_NODE` (set by .ci/run), else the first `node` on
 * PATH outside any `node_modules`.
 */
const systemNode = (): string | undefined => {
  const fromEnv = process.env["SOONIFY_SYSTEM_NODE"]
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "" || dir.split(/[\\/]/).includes("node_modules")) continue
    try {
      accessSync(join(dir, "node"), constants.X_OK)
      return join(dir, "node")
    } catch {
      // not here
    }
  }
  return undefined
}
const machineNode = systemNode()
const machineNodeVersion =
  machineNode === undefined ? undefined : execFileSync(machineNode, ["--version"], { encoding: "utf8" }).trim()
const machineNodeIsOld = machineNodeVersion !== undefined && Number(/^v(\d+)/.exec(machineNodeVersion)?.[1]) < 22

describe("the built package", () => {
  beforeAll(async () => {
    // Up to date after `pnpm build`; builds core, interop and this package otherwise.
    await run(tsc, ["-b", "tsconfig.src.json"])
  }, 60_000)

  it("runs .js worker modules from dist, in both APIs, with terminate and errors working", async () => {
    const stdout = await run(process.execPath, [fileURLToPath(new URL("./fixtures/built/main.js", import.meta.url))])
    const seen = JSON.parse(stdout)
    expect(seen.resolved).toMatch(/packages\/worker\/dist\/index\.js$/)
    const sha = (data: string) => createHash("sha256").update(data).digest("hex")
    expect(seen.core).toEqual([sha("a"), sha("b")])
    expect(seen.stopped).toBe(true)
    expect(seen.error).toEqual({ isRangeError: true, message: "boom", code: "E_FAIL" })
  }, 60_000)

  it("loads no effect and no @soonify/core module from the Promise entry's own imports (dist)", async () => {
    const graph = ownGraph(await importIn("@soonify/worker/interop", []))
    expect([...graph].some((url) => url.endsWith("/packages/worker/dist/internal/pool.js"))).toBe(true)
    expect(effectOrCore(graph)).toEqual([])
  }, 60_000)

  // Runs only where the machine's Node is older than 22 (CI's is 20).
  it.runIf(machineNodeIsOld)(
    `fails at once on the machine's ${machineNodeVersion ?? "Node"}, naming the Node it needs, from both entries`,
    async () => {
      const program = `
        const seen = []
        for (const entry of ["@soonify/worker", "@soonify/worker/interop"]) {
          await import(entry).then(
            () => seen.push({ entry, imported: true }),
            (error) => seen.push({ entry, name: error.name, message: error.message })
          )
        }
        console.log(JSON.stringify(seen))`
      const seen = JSON.parse(await run(machineNode as string, ["--input-type=module", "-e", program]))
      const message = `@soonify/worker needs Node 22 or later, and this is Node ${(machineNodeVersion as string).slice(1)}: `
      expect(seen).toEqual([
        { entry: "@soonify/worker", name: "Error", message: expect.stringContaining(message) },
        { entry: "@soonify/worker/interop", name: "Error", message: expect.stringContaining(message) }
      ])
    },
    60_000
  )
})
