// The checks the READMEs recommend against a forgotten `await` or `yield*`, run on
// src/: each must report exactly the lines marked `// wrong:` (the first line of code
// after such a comment), and nothing in src/fine.ts.
import { execFile } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("..", import.meta.url))

/** `file:line` of each line of code right after a `// wrong:` comment, in src/. */
const markedLines = (): Array<string> =>
  readdirSync(path.join(root, "src"))
    .toSorted()
    .flatMap((name) => {
      const lines = readFileSync(path.join(root, "src", name), "utf8").split("\n")
      const marked: Array<string> = []
      lines.forEach((line, i) => {
        if (!/^\s*\/\/ wrong:/.test(line)) return
        let next = i + 1
        while (/^\s*\/\//.test(lines[next]!)) next++
        marked.push(`src/${name}:${next + 1}`)
      })
      return marked
    })

/** Runs a tool of this package with Node; gives its stdout (it exits with 1 when it reports errors). */
const run = (script: string, args: ReadonlyArray<string>): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(root, "node_modules", script), ...args],
      { cwd: root },
      (error, stdout, stderr) => {
        if (error !== null && error.code !== 1) reject(new Error(`${script} failed: ${error.message}\n${stderr}`))
        else resolve(stdout)
      }
    )
  })

const relative = (file: string) => path.relative(root, file).split(path.sep).join("/")

describe("the checks that catch a forgotten await or yield*", () => {
  it("typescript-eslint's no-floating-promises reports each un-awaited Promise of src/forgottenAwait.ts", async () => {
    const output = await run("eslint/bin/eslint.js", ["--format", "json", "src"])
    const reported = (
      JSON.parse(output) as Array<{ filePath: string; messages: Array<{ line: number; ruleId: string }> }>
    )
      .flatMap((file) => file.messages.map((message) => `${relative(file.filePath)}:${message.line} ${message.ruleId}`))
      .toSorted()
    const expected = markedLines()
      .filter((at) => at.startsWith("src/forgottenAwait.ts:"))
      .map((at) => `${at} @typescript-eslint/no-floating-promises`)
      .toSorted()
    expect(expected).toHaveLength(2)
    expect(reported).toEqual(expected)
  }, 90_000)

  it("the Effect language service's floatingEffect reports each Effect of src/forgottenYield.ts left unrun", async () => {
    const output = await run("@effect/language-service/cli.js", [
      "diagnostics",
      "--project",
      "tsconfig.json",
      "--format",
      "json"
    ])
    const reported = (
      JSON.parse(output) as { diagnostics: Array<{ file: string; line: number; name: string }> }
    ).diagnostics
      .map((diagnostic) => `${relative(diagnostic.file)}:${diagnostic.line} ${diagnostic.name}`)
      .toSorted()
    const expected = markedLines()
      .filter((at) => at.startsWith("src/forgottenYield.ts:"))
      .map((at) => `${at} floatingEffect`)
      .toSorted()
    expect(expected).toHaveLength(2)
    expect(reported).toEqual(expected)
  }, 90_000)
})
