// `soonify top` in a real terminal: tmux runs it in a pane, `capture-pane` reads the
// screen, `send-keys` presses `q` or Ctrl-C. Skipped where tmux is missing, except under
// CI (CI=true), where a missing tmux fails the run (.ci/run installs it).
import { execFileSync, spawnSync } from "node:child_process"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { bin, build, type Child, listeningPorts, startTarget } from "./support.ts"

const hasTmux = spawnSync("tmux", ["-V"]).status === 0
const ci = process.env.CI === "true"

/** A tmux server of this test file's own (`-L`), so that nobody else's sessions are touched. */
const socket = `soonify-top-${process.pid}`
const tmux = (...args: Array<string>): string => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" })
const screen = (): string => tmux("capture-pane", "-p", "-t", "top")
const paneFlag = (flag: string): string => tmux("display-message", "-p", "-t", "top", `#{${flag}}`).trim()

const waitFor = async (what: string, test: () => boolean, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`waited ${ms} ms for ${what}; the screen:\n${screen()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The progress bar of the task "progress" on the screen, e.g. `[████░░░░░░░░]  40%`. */
const progressOnScreen = (): string | undefined => /\[[█░]{12}\] +\d+%/.exec(screen())?.[0]

describe.skipIf(!hasTmux && !ci)("soonify top in a terminal (tmux)", () => {
  let child: Child
  beforeAll(build, 120_000)
  afterEach(() => {
    child?.kill()
    spawnSync("tmux", ["-L", socket, "kill-server"])
  })
  afterAll(() => spawnSync("tmux", ["-L", socket, "kill-server"]))

  it("tmux is installed (under CI a missing tmux fails here)", () => {
    expect(hasTmux).toBe(true)
  })

  for (const [key, keys] of [
    ["q", ["q"]],
    ["Ctrl-C", ["C-c"]]
  ] as const) {
    it(`redraws in place, longest-running first, progress moving; ${key} quits and gives the terminal back`, async () => {
      child = await startTarget(["--moving"])
      tmux("new-session", "-d", "-s", "top", "-x", "150", "-y", "40", "bash --norc --noprofile")
      tmux(
        "send-keys",
        "-t",
        "top",
        `PS1='$ ' ${process.execPath} ${bin} top --interval 100 ${child.pid}; echo "exit=$?"`,
        "Enter"
      )
      await waitFor("top's header", () => screen().includes(`soonify top · pid ${child.pid}`))
      expect(paneFlag("alternate_on")).toBe("1")
      expect(paneFlag("cursor_flag")).toBe("0")

      // Progress moves between two looks at the same screen (redrawn in place, no scrolling).
      await waitFor("a progress bar", () => progressOnScreen() !== undefined)
      const first = progressOnScreen()
      await waitFor("the progress to move", () => progressOnScreen() !== first)
      const lines = screen().split("\n")
      expect(lines.filter((line) => line.includes("soonify top · pid"))).toHaveLength(1)
      expect(lines[0]).toMatch(
        /^soonify top · pid \d+ · \d\d:\d\d:\d\d · 5 groups, 9 tasks: 8 running, 0 queued, 1 cancelling · q quits/
      )
      expect(lines[2]).toMatch(/^ +RUNNING FOR +STATUS +PROGRESS +TASK +GROUP +KEY +ATTEMPT/)
      const rows = lines.slice(3).filter((line) => / s  /.test(line))
      expect(rows).toHaveLength(9)
      expect(rows[0]?.startsWith("▲")).toBe(true)
      const durations = rows.map((row) => Number(/(\d+(?:\.\d)?) s/.exec(row)?.[1]))
      expect(durations).toEqual(durations.toSorted((a, b) => b - a))
      expect(rows.find((row) => row.includes(" keyed "))).toContain("user-42")
      expect(rows.find((row) => row.includes(" retried "))).toMatch(/ 2$/)
      expect(rows.find((row) => row.includes(" interop-leaf "))).toContain(
        "core-root › opens-interop-group › interop-in-core"
      )

      tmux("send-keys", "-t", "top", ...keys)
      await waitFor("top to end", () => screen().includes("exit=0"))
      // The main screen again, with the command line above, the cursor shown, cooked mode.
      expect(paneFlag("alternate_on")).toBe("0")
      expect(paneFlag("cursor_flag")).toBe("1")
      expect(screen()).not.toContain("soonify top · pid")
      tmux("send-keys", "-t", "top", "stty -a | tr ' ' '\\n' | grep -x -e icanon -e echo -e -icanon -e -echo", "Enter")
      await waitFor("stty's answer", () => /^icanon$/m.test(screen()) && /^echo$/m.test(screen()))
      expect(screen()).not.toMatch(/^-icanon$|^-echo$/m)

      // The inspector top opened is closed, and the program finishes as it would have.
      expect(listeningPorts(child.pid)).toEqual([])
      child.send("finish")
      expect(await child.next()).toEqual({
        results: { core: [["interop leaf"], "keyed", "attempt 2"], interop: ["core leaf", "progressed", "cancelled"] }
      })
    }, 60_000)
  }

  it("gives the terminal back and says so when the process ends while shown", async () => {
    child = await startTarget()
    tmux("new-session", "-d", "-s", "top", "-x", "150", "-y", "40", "bash --norc --noprofile")
    tmux(
      "send-keys",
      "-t",
      "top",
      `PS1='$ ' ${process.execPath} ${bin} top --interval 100 ${child.pid}; echo "exit=$?"`,
      "Enter"
    )
    await waitFor("top's header", () => screen().includes(`soonify top · pid ${child.pid}`))
    child.send("finish")
    await child.exited()
    await waitFor("top to end", () => /exit=\d/.test(screen()))
    expect(screen()).toContain(`soonify: process ${child.pid} has ended`)
    expect(screen()).toContain("exit=3")
    expect(paneFlag("alternate_on")).toBe("0")
    expect(paneFlag("cursor_flag")).toBe("1")
  }, 60_000)
})
