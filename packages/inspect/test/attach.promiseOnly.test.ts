// `soonify pstree` attached to a program that loads no @soonify/core: its groups are the
// kernel's, shown by the snapshot hook the kernel installs; with no serialised hook in the
// process, the command sends the kernel's JSON writer along, which does not recurse.
import { fileURLToPath } from "node:url"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { build, Child, soonify } from "./support.ts"

const promiseOnlyTarget = fileURLToPath(new URL("./fixtures/promiseOnlyTarget.ts", import.meta.url))

const started: Array<Child> = []
afterEach(() => {
  for (const child of started.splice(0)) child.kill()
})
beforeAll(build, 120_000)

describe("soonify pstree on a Promise-only program", () => {
  it("shows its groups nested 3,000 deep, written by the writer the command sends", { timeout: 60_000 }, async () => {
    const depth = 3000
    const child = new Child(process.execPath, [promiseOnlyTarget, String(depth)])
    started.push(child)
    const ready = await child.next()
    expect(ready).toEqual({ ready: child.pid, serialised: "undefined" })
    child.send("snapshot")
    const own = await child.next()
    expect(own.flat).toHaveLength(2 * depth)

    const json = await soonify(["pstree", "--json", String(child.pid)])
    expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 0, stderr: "" })
    const { flatSnapshot } = await import("./fixtures/flatSnapshot.ts")
    const seen = JSON.parse(json.stdout)
    expect(flatSnapshot(seen.groups)).toEqual(own.flat)

    child.send("finish")
    expect(await child.next()).toEqual({ result: depth })
  })
})
