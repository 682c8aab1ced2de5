// The README's app-lifetime recipe, run for real: the program in the README (a settle
// group with onTaskError, an HTTP server on a free port whose requests spawn into it,
// one group per request, a clean shutdown), taken from the README as it is and run in a
// Node process of its own.
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

/** The first TypeScript block after `marker` in the package's README. */
const recipe = (marker: string): string => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
  const at = readme.indexOf(marker)
  expect(at, `README has "${marker}"`).toBeGreaterThanOrEqual(0)
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at))
  return block![1]!
}

const runTypeScript = (
  code: string
): Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=@soonify/source", "--input-type=module-typescript", "-e", code],
      { cwd: packageDir },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    )
  })

describe("the README's app-lifetime recipe", () => {
  it(
    "serves, reports the failed job as it fails, shuts down cleanly, then refuses spawns",
    { timeout: 30_000 },
    async () => {
      const { code, stdout, stderr } = await runTypeScript(recipe("An app-lifetime group: a settle group"))
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" })
      const lines = stdout.trim().split("\n")
      expect(lines.filter((line) => line.startsWith("to="))).toEqual([
        "to=ada@example.com: 200 user and orders",
        "to=nobody: 200 user and orders"
      ])
      expect(stdout).toMatch(/INFO \(#\d+\): email sent to ada@example\.com/)
      expect(stdout).toMatch(/ERROR \(#\d+\): email to nobody failed Error: no mailbox "nobody"/)
      expect(lines.slice(-2)).toEqual(["shut down", "a spawn after the shutdown: TaskGroupClosed"])
    }
  )
})
