// V8 keeps a hidden class only while some object has it. As its first group opens,
// interop runs one small group of its own, once per process, and the kernel keeps what it
// gave back in the registry (src/internal/shapes.ts, packages/kernel/src/Layouts.ts), so
// that the classes of a task, a group and its context survive a full collection after
// every group of a program has ended. This file runs in a process of its own (one per file).
import { describe, expect, it } from "vitest"
import { keptLayouts, registry } from "@soonify/kernel"
import * as v8 from "node:v8"
import { Future, gather, SoonValue, snapshotAll, taskGroup } from "@soonify/interop"

/**
 * V8's own comparison of two objects' hidden classes, on Node. Bun (JavaScriptCore) has no
 * such classes and Deno does not take the flag, so under checks/src/runtimes.ts the two
 * layout assertions are left out and the rest of the file runs as it is.
 */
const onNode = process.versions.bun === undefined && !("Deno" in globalThis)
const sameLayout = onNode
  ? (v8.setFlagsFromString("--allow-natives-syntax"),
    new Function("a", "b", "return %HaveSameMap(a, b)") as (a: unknown, b: unknown) => boolean)
  : undefined

/** What interop's small group gave back, kept in the registry under interop's name. */
const keptShapes = (): unknown => keptLayouts("@soonify/interop")

describe("the shapes interop keeps", () => {
  it("are made as the first group opens: an ended group of interop's own and its ended handle, in no snapshot", async () => {
    expect(keptShapes()).toBeUndefined()
    const { group, handle } = await taskGroup(
      async (tg) => {
        const handle = tg.soonify(async (n: number) => n + 1)(1)
        expect(keptShapes()).toBeDefined()
        // What the user's tree shows is the user's group alone.
        expect(snapshotAll().map((snapshot) => snapshot.name)).toEqual(["users"])
        return { group: tg, handle }
      },
      { concurrency: 1, name: "users" }
    )
    expect(handle.value).toBe(2)
    const [keptGroup, keptHandle] = (await keptShapes()) as [unknown, SoonValue<number>]
    expect(keptHandle).toBeInstanceOf(SoonValue)
    expect([keptHandle.status, keptHandle.value]).toEqual(["fulfilled", 0])
    expect(snapshotAll()).toEqual([])
    // The point: they share the classes of the program's own group and handle.
    if (sameLayout !== undefined) {
      expect(sameLayout(keptGroup, group)).toBe(true)
      expect(sameLayout(keptHandle, handle)).toBe(true)
    }
  })

  it("are made once, not again for each group, whatever kind opens it", async () => {
    const kept = keptShapes()
    await gather([async () => 1, async () => 2])
    await taskGroup(async (tg) => tg.soonify(async () => 3)())
    expect(keptShapes()).toBe(kept)
  })
})

describe("Future names", () => {
  it("are counted by the kernel's registry, one count for every adapter", () => {
    const made = registry().futures?.made ?? 0
    expect([new Future().name, new Future().name]).toEqual([`future-${made + 1}`, `future-${made + 2}`])
    expect(registry().futures?.made).toBe(made + 2)
  })
})
