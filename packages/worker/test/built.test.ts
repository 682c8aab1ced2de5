// The published build: dist/ (plain JavaScript) with a .js worker module, run by Node
// without the @soonify/source condition, as a user's program runs it.
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const tsc = fileURLToPath(new URL("../../../node_modules/.bin/tsc", import.meta.url))

const run = (file: string, args: ReadonlyArray<string>, cwd = packageDir): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(file, args, { cwd, encoding: "utf8", timeout: 60_000 }, (error, stdout, stderr) =>
      error === null ? resolve(stdout) : reject(new Error(`${file} failed: ${error.message}\n${stdout}\n${stderr}`))
    )
  )

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
})
