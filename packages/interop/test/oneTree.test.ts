// interop's groups and core's are one tree in snapshots, whichever package opens a group
// inside the other's task (what `soonify pstree <pid>` shows).
import { Effect } from "effect"
import { TaskGroup as CoreTaskGroup } from "@soonify/core"
import { describe, expect, it } from "vitest"
import { snapshotAll, taskGroup, type GroupSnapshot } from "@soonify/interop"

const childGroups = (root: string, task: string): Array<string> | undefined =>
  snapshotAll()
    .find((g) => g.name === root)
    ?.tasks.find((t) => t.name === task)
    ?.groups.map((g: GroupSnapshot) => g.name)

describe("one tree across the packages", () => {
  it("shows a core group run inside an interop task under that task", async () => {
    snapshotAll()
    let seen: Array<string> | undefined
    await taskGroup(
      (tg) => {
        tg.spawn(
          () =>
            Effect.runPromise(
              CoreTaskGroup.run(
                () =>
                  Effect.sync(() => {
                    seen = childGroups("interop outer", "runs core")
                  }),
                { name: "core inner" }
              )
            ),
          { name: "runs core" }
        )
      },
      { name: "interop outer" }
    )
    expect(seen).toEqual(["core inner"])
  })

  it("shows an interop group opened by a core task's Promise code under that task", async () => {
    snapshotAll()
    const seen = await Effect.runPromise(
      CoreTaskGroup.run(
        (group) =>
          group.spawn(
            Effect.promise(() =>
              taskGroup(async () => childGroups("core outer", "runs interop"), { name: "interop inner" })
            ),
            { name: "runs interop" }
          ),
        { name: "core outer" }
      ).pipe(Effect.flatMap((soon) => soon.value))
    )
    expect(seen).toEqual(["interop inner"])
  })
})
