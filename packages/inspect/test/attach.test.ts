// `soonify ps | pstree` attached to real processes with the built command: a program with
// nested groups of both packages, checked against its own in-process snapshot, left as
// it was (inspector closed, results unchanged); and each error with its exit code.
import { createServer, type Server } from "node:net"
import { TaskGroup } from "@soonify/core"
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest"
import { exitCodes } from "@soonify/inspect"
import { checkSignallable } from "../src/internal/target.ts"
import { build, Child, listeningPorts, soonify, startTarget, withoutDurations, runFile, bin } from "./support.ts"

const started: Array<Child> = []
const track = <C extends Child>(child: C): C => {
  started.push(child)
  return child
}
afterEach(() => {
  for (const child of started.splice(0)) child.kill()
})

beforeAll(build, 120_000)

const expectedResults = {
  core: [["interop leaf"], "keyed", "attempt 2"],
  interop: ["core leaf", "progressed", "cancelled"]
}

describe("soonify ps and pstree on a running program", () => {
  it("show the program's own snapshot, both packages in one tree, and leave the program as it was", async () => {
    const child = track(await startTarget())
    child.send("snapshot")
    const own = await child.next()
    // One tree: an interop group under a core task, a core group under an interop task.
    const byName = Object.fromEntries(own.groups.map((g: TaskGroup.GroupSnapshot) => [g.name, g]))
    expect(Object.keys(byName).toSorted()).toEqual(["core-root", "interop-root"])
    expect(byName["core-root"].tasks[0].groups.map((g: TaskGroup.GroupSnapshot) => g.name)).toEqual(["interop-in-core"])
    expect(byName["interop-root"].tasks[0].groups.map((g: TaskGroup.GroupSnapshot) => g.name)).toEqual([
      "core-in-interop"
    ])

    const json = await soonify(["pstree", "--json", String(child.pid)])
    expect({ code: json.code, stderr: json.stderr, child: child.process.signalCode ?? child.process.exitCode }).toEqual(
      {
        code: 0,
        stderr: "",
        child: null
      }
    )
    const seen = JSON.parse(json.stdout)
    expect(seen.pid).toBe(child.pid)
    expect(seen.groups).toEqual(own.groups)
    expect(seen.now).toBeGreaterThanOrEqual(own.now)

    const tree = await soonify(["pstree", String(child.pid)])
    expect({ code: tree.code, stderr: tree.stderr, child: child.process.signalCode ?? child.process.exitCode }).toEqual(
      { code: 0, stderr: "", child: null }
    )
    expect(withoutDurations(tree.stdout.trimEnd())).toBe(withoutDurations(own.text))
    expect(tree.stdout).toContain('task "keyed" · running · key "user-42"')
    expect(tree.stdout).toContain('task "retried" · running · attempt 2')
    expect(tree.stdout).toContain("3/10 (30%)")

    const psJson = await soonify(["ps", "--json", String(child.pid)])
    expect({
      code: psJson.code,
      stderr: psJson.stderr,
      child: child.process.signalCode ?? child.process.exitCode
    }).toEqual({ code: 0, stderr: "", child: null })
    const rows = JSON.parse(psJson.stdout)
    const row = (task: string) => rows.find((r: { task?: string }) => r.task === task)
    expect(row("interop-leaf")).toMatchObject({
      kind: "task",
      path: ["core-root", "opens-interop-group", "interop-in-core"],
      status: "running"
    })
    expect(row("core-leaf").path).toEqual(["interop-root", "opens-core-group", "core-in-interop"])
    expect(row("keyed").key).toBe("user-42")
    expect(row("retried").attempt).toBe(2)
    expect(row("progress").progress).toEqual({ done: 3, total: 10 })
    expect(row("stubborn").path).toEqual(["interop-root", "cancels-its-group", "cancelled-group"])
    expect(
      rows.find((r: { kind: string; group: string }) => r.kind === "group" && r.group === "cancelled-group").status
    ).toBe("closing")
    const tasks = own.groups.flatMap(function all(g: TaskGroup.GroupSnapshot): Array<string> {
      return g.tasks.flatMap((t) => [t.name, ...t.groups.flatMap(all)])
    })
    expect(rows.filter((r: { kind: string }) => r.kind === "task").map((r: { task: string }) => r.task)).toEqual(tasks)
    expect(rows.every((r: { runningFor?: number }) => r.runningFor === undefined || r.runningFor >= 0)).toBe(true)

    const table = await soonify(["ps", String(child.pid)])
    expect({
      code: table.code,
      stderr: table.stderr,
      child: child.process.signalCode ?? child.process.exitCode
    }).toEqual({ code: 0, stderr: "", child: null })
    const lines = table.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^GROUP +TASK +STATUS +RUNNING FOR +PROGRESS +KEY +ATTEMPT +WAITING$/)
    expect(lines.find((l) => l.includes("retried"))).toMatch(/^core-root +retried +running +\d+\.\d s +2$/)
    expect(lines.find((l) => l.includes(" progress "))).toContain("3/10 (30%)")
    expect(lines).toHaveLength(rows.length + 1)

    // Four attaches: each closed the inspector it opened, and the program carries on.
    expect(listeningPorts(child.pid)).toEqual([])
    // Each opened a new inspector (SIGUSR1 opens none while one is open): Node's own
    // "Debugger listening on …" line, four times.
    await expect.poll(() => child.stderr.match(/Debugger listening on ws:\/\/127\.0\.0\.1:9229\//g)?.length).toBe(4)
    child.send("finish")
    expect(await child.next()).toEqual({ results: expectedResults })
    expect(await child.exited()).toBe(0)
  }, 60_000)

  it("leaves the program's results as they are without an attach (the same values)", async () => {
    const child = track(await startTarget())
    child.send("finish")
    expect(await child.next()).toEqual({ results: expectedResults })
    expect(child.stderr).toBe("")
  }, 30_000)

  it("top --json streams one snapshot a line, -n of them, then closes the inspector", async () => {
    const child = track(await startTarget(["--moving"]))
    const run = await soonify(["top", "--json", "-n", "3", "--interval", "150", String(child.pid)])
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" })
    const frames = run.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line))
    expect(frames).toHaveLength(3)
    expect(frames.every((frame) => frame.pid === child.pid && frame.groups.length === 2)).toBe(true)
    expect(frames[2].now - frames[0].now).toBeGreaterThanOrEqual(300)
    const progress = (frame: { groups: Array<TaskGroup.GroupSnapshot> }) =>
      frame.groups.find((g) => g.name === "interop-root")?.tasks.find((t) => t.name === "progress")?.progress
    expect(progress(frames[0])).not.toEqual(progress(frames[2]))
    expect(listeningPorts(child.pid)).toEqual([])
  }, 30_000)

  it("uses an inspector opened with --inspect and leaves it open", async () => {
    const child = track(await startTarget([], ["--inspect=127.0.0.1:0"]))
    const [port] = listeningPorts(child.pid)
    expect(port).toBeGreaterThan(0)
    const run = await soonify(["pstree", "--json", String(child.pid)])
    expect(run.code).toBe(0)
    expect(
      JSON.parse(run.stdout)
        .groups.map((g: TaskGroup.GroupSnapshot) => g.name)
        .toSorted()
    ).toEqual(["core-root", "interop-root"])
    // Closing would have been asked for before the command ended: still open a moment later.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(listeningPorts(child.pid)).toEqual([port])
  }, 30_000)
})

describe("soonify's errors, each with its exit code", () => {
  it("no such process: 3", async () => {
    const run = await soonify(["ps", String(2 ** 22 + 1)])
    expect(run).toMatchObject({ code: exitCodes["no-such-process"], stdout: "" })
    expect(run.stderr).toBe(`soonify: no process ${2 ** 22 + 1}\n`)
  })

  it("a process of another user: 4", async () => {
    if (process.getuid?.() === 0) {
      // As root every process may be signalled: run soonify as nobody against one of ours,
      // where nobody can reach this checkout (not in a private folder, such as one made by
      // `mktemp -d`: then the mapping of the kernel's EPERM is checked in this process).
      const nobody = { uid: 65534 }
      if ((await runFile(process.execPath, ["-e", "0"], nobody)).code === 0) {
        const child = track(new Child(process.execPath, ["-e", "setInterval(() => {}, 1000); console.log('{}')"]))
        await child.next()
        const run = await runFile(process.execPath, [bin, "ps", String(child.pid)], nobody)
        expect(run.code).toBe(exitCodes["other-user"])
        expect(run.stderr).toContain(`process ${child.pid} belongs to another user`)
      } else {
        const denied = Object.assign(new Error("kill EPERM"), { code: "EPERM" })
        const kill = vi.spyOn(process, "kill").mockImplementation(() => {
          throw denied
        })
        try {
          expect(() => checkSignallable(4242)).toThrow(
            expect.objectContaining({ reason: "other-user", exitCode: exitCodes["other-user"], cause: denied })
          )
          expect(() => checkSignallable(4242)).toThrow("process 4242 belongs to another user")
        } finally {
          kill.mockRestore()
        }
      }
    } else {
      // Not root: process 1 (init, root's) is another user's.
      const run = await soonify(["ps", "1"])
      expect(run.code).toBe(exitCodes["other-user"])
      expect(run.stderr).toContain("process 1 belongs to another user")
    }
  })

  it("a Node process without soonify: 5, and its inspector is closed again", async () => {
    const child = track(new Child(process.execPath, ["-e", "setInterval(() => {}, 1000); console.log('{}')"]))
    await child.next()
    // A generous bound: on a loaded machine opening the inspector alone took over 5 s once.
    const run = await soonify(["pstree", "--timeout", "20000", String(child.pid)])
    expect(run.code).toBe(exitCodes["no-soonify"])
    expect(run.stderr).toContain("has not loaded soonify")
    expect(listeningPorts(child.pid)).toEqual([])
  })

  it("a snapshot that fails in the process: its error, and the inspector is closed again", async () => {
    // As an older soonify fails on groups nested deeper than its JSON.stringify goes.
    const script =
      'globalThis[Symbol.for("soonify.snapshot")] = () => { throw new RangeError("too deep") }; ' +
      "setInterval(() => {}, 1000); console.log('{}')"
    const child = track(new Child(process.execPath, ["-e", script]))
    await child.next()
    const run = await soonify(["ps", String(child.pid)])
    expect({ code: run.code, child: child.process.signalCode ?? child.process.exitCode }).toEqual({
      code: 1,
      child: null
    })
    expect(run.stderr).toContain(`process ${child.pid}: RangeError: too deep`)
    expect(listeningPorts(child.pid)).toEqual([])
  })

  it("a process that does not catch SIGUSR1: 6, and no signal is sent (it would end it)", async () => {
    const child = track(new Child("sleep", ["30"]))
    await new Promise((resolve) => setTimeout(resolve, 100))
    const run = await soonify(["ps", String(child.pid)])
    expect(run.code).toBe(exitCodes["not-attachable"])
    expect(run.stderr).toContain("does not catch SIGUSR1")
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(child.process.exitCode).toBe(null)
    expect(child.process.signalCode).toBe(null)
  })

  describe("the inspector port held by another process: 7", () => {
    let server: Server
    beforeAll(() => new Promise<void>((resolve) => (server = createServer().listen(9229, "127.0.0.1", resolve))))
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

    it("says which port, and does not connect to the process holding it", async () => {
      const child = track(await startTarget())
      const run = await soonify(["ps", "--timeout", "3000", String(child.pid)])
      expect(run.code).toBe(exitCodes["port-taken"])
      expect(run.stderr).toContain("port 9229 on 127.0.0.1 is held by another process")
    }, 20_000)
  })

  it("no answer within --timeout: 8 (a stopped process)", async () => {
    const child = track(await startTarget())
    process.kill(child.pid, "SIGSTOP")
    const began = Date.now()
    const run = await soonify(["ps", "--timeout", "1000", String(child.pid)])
    expect(run.code).toBe(exitCodes.timeout)
    expect(run.stderr).toContain("did not open its inspector within 1000 ms")
    expect(Date.now() - began).toBeLessThan(5000)
    process.kill(child.pid, "SIGCONT")
  }, 20_000)

  it("a Node without the global WebSocket: 9, before anything is sent to the process", async () => {
    const child = track(await startTarget())
    const run = await soonify(["ps", String(child.pid)], ["--no-experimental-websocket"])
    expect(run.code).toBe(exitCodes["unsupported-node"])
    expect(run.stderr).toContain("soonify needs Node 22.4 or later")
    expect(child.stderr).toBe("")
  })

  it("bad usage: 2, with the usage text", async () => {
    for (const args of [[], ["kill", "1"], ["ps"], ["ps", "12x"], ["ps", "1", "2"], ["top", "1", "--interval", "0"]]) {
      const run = await soonify(args)
      expect(run.code, args.join(" ")).toBe(exitCodes.usage)
      expect(run.stderr).toContain("Usage: soonify <ps|pstree|top> <pid>")
    }
    expect((await soonify(["--bogus"])).code).toBe(2)
    const help = await soonify(["--help"])
    expect(help).toMatchObject({ code: 0, stderr: "" })
    expect(help.stdout).toContain("Exit codes:")
  })
})
