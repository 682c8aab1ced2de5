// The README's app-lifetime recipe, run for real: the program in the README (a settle
// group with onTaskError, an HTTP server on a free port whose requests spawn into it,
// one group per request, a clean shutdown), taken from the README as it is and run in a
// Node process of its own.
import { describe, expect, it } from "vitest"
import { readmeBlockAfter, runTypeScript } from "../../../test-setup/readme-program.ts"

const packageDir = new URL("..", import.meta.url)
const readme = new URL("../README.md", import.meta.url)

describe("the README's app-lifetime recipe", () => {
  it(
    "serves, reports the failed job as it fails, shuts down cleanly, then refuses spawns",
    { timeout: 30_000 },
    async () => {
      const { code, stdout, stderr } = await runTypeScript(
        readmeBlockAfter(readme, "An app-lifetime group: a settle group"),
        packageDir
      )
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
