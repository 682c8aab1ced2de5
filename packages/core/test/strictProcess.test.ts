// The strict-process setup (test-setup/strict-process.ts) fails a test file on any
// unhandled rejection or uncaught exception: this checks that it is applied to every
// test file of both packages, and that it works, by running a child Vitest over a
// fixture whose tests pass but leak a rejection or an exception.
import { execFile } from "node:child_process"
import { mkdtemp, readFile, rm } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { describe, expect, it } from "vitest"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const vitest = join(dirname(createRequire(import.meta.url).resolve("vitest/package.json")), "vitest.mjs")

interface JsonReport {
  readonly testResults: ReadonlyArray<{ readonly name: string; readonly status: string; readonly message: string }>
}

/** Runs the fixture in a child Vitest; gives its exit code and JSON report. */
const runFixture = async (): Promise<{ readonly code: number; readonly report: JsonReport }> => {
  const dir = await mkdtemp(join(tmpdir(), "soonify-strict-process-"))
  const outputFile = join(dir, "report.json")
  try {
    const code = await new Promise<number>((resolve) => {
      // The child must not think it is a worker of this run.
      const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")))
      execFile(
        process.execPath,
        [vitest, "run", "--root", "test-setup/stray-fixture", "--reporter=json", `--outputFile=${outputFile}`],
        { cwd: root, env: { ...env, SOONIFY_STRESS: "" }, maxBuffer: 16 << 20 },
        (error) => resolve(error === null ? 0 : typeof error.code === "number" ? error.code : 1)
      )
    })
    return { code, report: JSON.parse(await readFile(outputFile, "utf8")) as JsonReport }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe("the strict-process setup", () => {
  it("is applied to every test file of both packages", async () => {
    for (const pkg of ["core", "interop"]) {
      const config = (await import(pathToFileURL(join(root, "packages", pkg, "vitest.config.ts")).href)).default
      expect(config.test.setupFiles).toContain("../../test-setup/strict-process.ts")
      // Every test file the project runs is under the include; nothing opts out of the setup.
      expect(config.test.include).toContain("test/**/*.test.ts")
    }
    const shared = await import(pathToFileURL(join(root, "vitest.shared.ts")).href)
    expect(shared.sharedProject("x").test.setupFiles).toEqual(["../../test-setup/strict-process.ts"])
  })

  it(
    "fails a file whose tests pass but leak a rejection or an exception, and only that file",
    { timeout: 60_000 },
    async () => {
      const { code, report } = await runFixture()
      expect(code).not.toBe(0)
      const byFile = Object.fromEntries(report.testResults.map((file) => [file.name.split("/").pop(), file]))
      expect(byFile["clean.test.ts"].status).toBe("passed")
      expect(byFile["rejection.test.ts"].status).toBe("failed")
      expect(byFile["rejection.test.ts"].message).toMatch(
        /Stray errors during this file:\nunhandledRejection: Error: leaked rejection/
      )
      expect(byFile["exception.test.ts"].status).toBe("failed")
      expect(byFile["exception.test.ts"].message).toMatch(/uncaughtException: Error: leaked exception/)
    }
  )
})
