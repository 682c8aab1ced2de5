// The programs under examples/ (shown in the README) run as users run them: in a Node
// process of their own, from the package's sources.
import { execFile } from "node:child_process"
import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const example = (name: string, args: ReadonlyArray<string> = []): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ["--conditions=@soonify/source", fileURLToPath(new URL(`../examples/${name}`, import.meta.url)), ...args],
      { encoding: "utf8", timeout: 60_000 },
      (error, stdout, stderr) =>
        error === null ? resolve(stdout) : reject(new Error(`${name}: ${error.message}\n${stderr}`))
    )
  )

describe("examples", () => {
  it("hashFiles.ts hashes every file on workers while the event loop keeps ticking", async () => {
    const fixtures = fileURLToPath(new URL("./fixtures/built", import.meta.url))
    const lines = (await example("hashFiles.ts", [fixtures])).trim().split("\n")
    const summary = lines.pop()!
    const [ticks] = /ticked (\d+) times/.exec(summary)!.slice(1).map(Number)
    expect(summary).toMatch(/^2 files hashed/)
    expect(ticks).toBeGreaterThan(0)
    for (const line of lines) {
      const [digest, file] = line.split("  ")
      expect(digest).toBe(createHash("sha256").update(readFileSync(file!)).digest("hex"))
    }
  }, 60_000)

  it("responsive.ts: the timer never ticks while the loop hashes, and keeps ticking while workers do", async () => {
    const [loop, workers] = (await example("responsive.ts")).trim().split("\n")
    expect(loop).toMatch(/^on the event loop: 0 ticks in \d+ ms$/)
    const [ticks] = /^on worker threads: (\d+) ticks/.exec(workers!)!.slice(1).map(Number)
    expect(ticks).toBeGreaterThan(0)
  }, 60_000)

  it("thumbnails.ts makes thumbnails on workers, moving the pixels", async () => {
    const lines = (await example("thumbnails.ts")).trim().split("\n")
    expect(lines).toHaveLength(8)
    for (const line of lines) expect(line).toMatch(/: 0 bytes left here \(moved\), thumbnail 512×384$/)
  }, 60_000)
})
