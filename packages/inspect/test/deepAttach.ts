// `soonify ps | pstree` attached to a program whose groups nest `depth` deep (alternately
// core and interop groups): the tree crosses the attach whole at any depth groups run
// (attach.deep.test.ts runs it 3,000 deep in `pnpm test`, attach.stress.test.ts 10,000
// deep in `pnpm test:stress`). JSON.stringify in the target overflowed the stack at about
// 2,000 nested groups, and `ps` copied the whole path into every row.
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { flatSnapshot } from "./fixtures/flatSnapshot.ts"
import { build, type Child, listeningPorts, soonify, startDeepTarget, withoutDurations } from "./support.ts"

export const describeDeepAttach = (depth: number, timeout: number): void => {
  const started: Array<Child> = []
  afterEach(() => {
    for (const child of started.splice(0)) child.kill()
  })
  beforeAll(build, 120_000)

  describe(`soonify ps and pstree on groups nested ${depth} deep`, () => {
    it(
      "show the program's own snapshot, and leave the program as it was",
      async () => {
        const child = await startDeepTarget(depth)
        started.push(child)
        child.send("snapshot")
        const own = await child.next()
        expect(own.flat).toHaveLength(2 * depth)
        const alive = () => child.process.signalCode ?? child.process.exitCode

        const json = await soonify(["pstree", "--json", String(child.pid)])
        expect({ code: json.code, stderr: json.stderr, child: alive() }).toEqual({ code: 0, stderr: "", child: null })
        const seen = JSON.parse(json.stdout)
        expect(seen.pid).toBe(child.pid)
        expect(seen.now).toBeGreaterThanOrEqual(own.now)
        // Compared flat: a recursive comparison of two trees this deep overflows the stack.
        expect(flatSnapshot(seen.groups)).toEqual(own.flat)
        // Indented as JSON.stringify(…, null, 2) does, down to a bounded indentation.
        expect(json.stdout.startsWith(`{\n  "pid": ${child.pid},\n  "now": ${seen.now},\n  "groups": [\n    {\n`)).toBe(
          true
        )
        const indents = json.stdout.split("\n").map((line) => line.length - line.trimStart().length)
        expect(indents.reduce((deepest, indent) => Math.max(deepest, indent), 0)).toBe(96)

        const tree = await soonify(["pstree", String(child.pid)])
        expect({ code: tree.code, stderr: tree.stderr, child: alive() }).toEqual({ code: 0, stderr: "", child: null })
        expect(withoutDurations(tree.stdout.trimEnd())).toBe(withoutDurations(own.text))

        const psJson = await soonify(["ps", "--json", String(child.pid)])
        expect({ code: psJson.code, stderr: psJson.stderr, child: alive() }).toEqual({
          code: 0,
          stderr: "",
          child: null
        })
        const rows = JSON.parse(psJson.stdout)
        expect(rows).toHaveLength(2 * depth)
        expect(rows[0]).toMatchObject({ kind: "group", path: ["group 0"], depth: 1, group: "group 0", status: "open" })
        const last = depth - 1
        // The path's last six names and its length, not the whole path in every row.
        expect(rows.at(-1)).toMatchObject({
          kind: "task",
          path: [
            `task ${last - 3}`,
            `group ${last - 2}`,
            `task ${last - 2}`,
            `group ${last - 1}`,
            `task ${last - 1}`,
            `group ${last}`
          ],
          depth: 2 * depth - 1,
          group: `group ${last}`,
          task: `task ${last}`,
          status: "running"
        })
        expect(rows.map((row: { task?: string; group: string }) => row.task ?? row.group)).toEqual(
          own.flat.map((record: { name: string }) => record.name)
        )

        const table = await soonify(["ps", String(child.pid)])
        expect({ code: table.code, stderr: table.stderr, child: alive() }).toEqual({ code: 0, stderr: "", child: null })
        const lines = table.stdout.trimEnd().split("\n")
        expect(lines).toHaveLength(2 * depth + 1)
        expect(lines.at(-1)).toMatch(
          new RegExp(
            `^… › task ${last - 3} › group ${last - 2} › task ${last - 2} › group ${last - 1} › task ${last - 1} › group ${last} +task ${last} +running +\\d+(\\.\\d)? s$`
          )
        )

        const top = await soonify(["top", "--json", "-n", "1", String(child.pid)])
        expect({ code: top.code, stderr: top.stderr, child: alive() }).toEqual({ code: 0, stderr: "", child: null })
        expect(top.stdout.trimEnd().split("\n")).toHaveLength(1)
        expect(flatSnapshot(JSON.parse(top.stdout).groups)).toEqual(own.flat)

        // Five attaches: each closed the inspector it opened, and the program carries on.
        expect(listeningPorts(child.pid)).toEqual([])
        child.send("finish")
        expect(await child.next()).toEqual({ result: depth })
        expect(await child.exited()).toBe(0)
      },
      timeout
    )
  })
}
