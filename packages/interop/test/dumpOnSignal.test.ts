// dumpOnSignal: the in-process dump for processes where `soonify pstree <pid>` may not
// attach. A real child process gets real signals.
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "vitest"
import { dumpOnSignal } from "@soonify/interop"

const probe = fileURLToPath(new URL("dumpOnSignal/probe.ts", import.meta.url))

describe("dumpOnSignal", () => {
  it("prints the tree to stderr on SIGUSR2 until uninstalled", { timeout: 30_000 }, async () => {
    const child = spawn(process.execPath, ["--conditions=@soonify/source", probe], { stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (data) => (stdout += String(data)))
    child.stderr.on("data", (data) => (stderr += String(data)))
    const until = async (test: () => boolean) => {
      while (!test()) await new Promise((resolve) => setTimeout(resolve, 10))
    }
    await until(() => stdout.includes("ready"))
    child.kill("SIGUSR2")
    await until(() => stderr.includes("import batch"))
    expect(stderr).toMatch(
      /^TaskGroup "importer" open · failFast · 0 queued, 1 running, 0 succeeded, 0 failed, 0 cancelled\n└─ task "import batch" · running · for \d+\.\d s · 1\/4 \(25%\)\n$/
    )
    child.kill("SIGUSR2")
    await until(() => stderr.split("importer").length === 3)
    child.stdin.write("uninstall\n")
    await until(() => stdout.includes("uninstalled"))
    const exited = new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)))
    child.kill("SIGUSR2")
    // With the dump gone, SIGUSR2 does what it does to a Node process by default: ends it.
    expect(await exited).toBe("SIGUSR2")
  })

  it("gives an uninstall function that removes its listener once", () => {
    const before = process.listenerCount("SIGUSR2")
    const uninstall = dumpOnSignal()
    const other = dumpOnSignal("SIGWINCH")
    expect(process.listenerCount("SIGUSR2")).toBe(before + 1)
    uninstall()
    uninstall()
    expect(process.listenerCount("SIGUSR2")).toBe(before)
    other()
    expect(process.listenerCount("SIGWINCH")).toBe(0)
  })

  it("refuses what is no signal to listen for, naming the argument", () => {
    expect(() => dumpOnSignal(2 as never)).toThrow(
      new TypeError('dumpOnSignal: "signal" must be a signal name such as "SIGUSR2", received number 2')
    )
    expect(() => dumpOnSignal("USR2")).toThrow(
      new RangeError('dumpOnSignal: "signal" must be a signal name such as "SIGUSR2", received string "USR2"')
    )
    expect(() => dumpOnSignal("SIGUSR1")).toThrow(RangeError)
    expect(() => dumpOnSignal("SIGUSR1")).toThrow(/opens Node's inspector/)
    expect(() => dumpOnSignal("SIGKILL")).toThrow(/cannot be caught/)
  })
})
