import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Option } from "effect"
import { TaskGroup } from "@soonify/core"
import { DurableGroup } from "@soonify/cluster"
import { engineLayer, makeObserved, Work, WorkFailed, work } from "./durableGroupSupport.ts"
import { failuresOf } from "./support.ts"

/** Runs `body` against one in-memory engine that outlives the callers the test starts and stops. */
const withEngine = <A, E>(body: (observed: ReturnType<typeof makeObserved>) => Effect.Effect<A, E, any>) =>
  Effect.gen(function* () {
    const observed = makeObserved()
    return yield* body(observed).pipe(Effect.provide(engineLayer(observed)))
  }) as Effect.Effect<A, E>

/** Waits (real time) until `done()` holds, at most `ms`. */
const until = (done: () => boolean, ms = 5000) =>
  Effect.gen(function* () {
    const start = Date.now()
    while (!done()) {
      if (Date.now() - start > ms) return yield* Effect.die(new Error("timed out waiting"))
      yield* Effect.sleep("10 millis")
    }
  })

const memberOutcome = (id: string) =>
  Effect.flatMap(Work.executionId(work(id, 0)), (executionId) => Work.poll(executionId))

/** The member's result once its execution has recorded one (its compensations run just before), at most 2 s later. */
const memberEnded = (id: string) =>
  Effect.gen(function* () {
    for (let i = 0; i < 200; i++) {
      const result = yield* memberOutcome(id)
      if (Option.isSome(result) && result.value._tag === "Complete") return result
      yield* Effect.sleep("10 millis")
    }
    return yield* memberOutcome(id)
  })

describe("DurableGroup (in-memory engine)", () => {
  it.live("gives every member's typed result, in spawn order", () =>
    withEngine(() =>
      Effect.gen(function* () {
        const values = yield* DurableGroup.run("g-results", (group) =>
          Effect.gen(function* () {
            const a = yield* group.spawn(Work)(work("r-a", 20))
            const b = yield* group.spawn(Work)(work("r-b", 5))
            expect([a.index, b.index, a.name]).toEqual([0, 1, "Work"])
            return [yield* a.await, yield* b.await]
          })
        )
        expect(values).toEqual(["done r-a", "done r-b"])
      })
    )
  )

  it.live("concurrent spawns get distinct indexes, each its own result", () =>
    withEngine(() =>
      Effect.gen(function* () {
        const ids = ["cc-1", "cc-2", "cc-3", "cc-4"]
        const members = yield* DurableGroup.run("g-concurrent", (group) =>
          Effect.all(
            ids.map((id) => group.spawn(Work)(work(id, 10))),
            { concurrency: "unbounded" }
          )
        )
        expect(members.map((m) => m.index).toSorted()).toEqual([0, 1, 2, 3])
        expect(yield* Effect.forEach(members, (m) => m.value)).toEqual(ids.map((id) => `done ${id}`))
      })
    )
  )

  it.live(
    "fail fast: a member's failure interrupts the others, waits for their compensations, fails with the typed error",
    () =>
      withEngine((observed) =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(
            DurableGroup.run("g-failfast", (group) =>
              Effect.gen(function* () {
                const slow = yield* group.spawn(Work)(work("ff-slow", 60_000))
                yield* group.spawn(Work)(work("ff-bad", 300, true))
                return yield* slow.await
              })
            )
          )
          const ended = Date.now()
          assert(Exit.isFailure(exit))
          const [error] = failuresOf(exit.cause)
          assert(error instanceof WorkFailed)
          expect(error.id).toBe("ff-bad")
          expect(observed.workInterrupted).toEqual(["ff-slow"])
          expect(observed.compensated.toSorted()).toEqual(["ff-bad", "ff-slow"])
          expect(ended).toBeGreaterThanOrEqual(observed.compensatedAt.get("ff-slow")!)
        })
      )
  )

  it.live("a member fails while no caller runs: the engine interrupts its siblings and runs their compensations", () =>
    withEngine((observed) =>
      Effect.gen(function* () {
        const body = (group: DurableGroup.DurableGroup) =>
          Effect.gen(function* () {
            const members = [
              yield* group.spawn(Work)(work("nc-1", 60_000)),
              yield* group.spawn(Work)(work("nc-2", 60_000)),
              yield* group.spawn(Work)(work("nc-bad", 300, true))
            ]
            return yield* Effect.forEach(members, (member) => member.await)
          })
        // the caller starts the group, then dies (it stops; nothing more is sent)
        const caller = yield* Effect.forkChild(DurableGroup.run("g-nocaller", body, { onInterrupt: "detach" }))
        yield* until(() => observed.worked.size === 3)
        yield* Fiber.interrupt(caller)
        const died = Date.now()
        // no caller alive: the failure at 300 ms stops the siblings in the engine
        yield* until(() => observed.compensated.length === 3)
        expect(observed.workInterrupted.toSorted()).toEqual(["nc-1", "nc-2"])
        expect(Date.now() - died).toBeLessThan(5000)
        const sibling = yield* memberEnded("nc-1")
        assert(Option.isSome(sibling) && sibling.value._tag === "Complete")
        assert(Exit.isFailure(sibling.value.exit) && Cause.hasInterruptsOnly(sibling.value.exit.cause))
        // a new caller re-attaches and gets the group's outcome: the member's typed failure
        const exit = yield* Effect.exit(DurableGroup.run("g-nocaller", body))
        assert(Exit.isFailure(exit))
        expect(failuresOf(exit.cause)).toEqual([new WorkFailed({ id: "nc-bad" })])
        // nothing ran again
        expect([...observed.worked.values()]).toEqual([1, 1, 1])
      })
    )
  )

  it.live("re-attach by key: every typed result, no completed member run again, later members added in order", () =>
    withEngine((observed) =>
      Effect.gen(function* () {
        const ids = ["ra-1", "ra-2", "ra-3"]
        // first caller: spawns two members, then dies once the first has completed
        const first = yield* Effect.forkChild(
          DurableGroup.run(
            "g-reattach",
            (group) =>
              Effect.gen(function* () {
                yield* group.spawn(Work)(work(ids[0]!, 10))
                yield* group.spawn(Work)(work(ids[1]!, 400))
                return yield* Effect.never
              }),
            { onInterrupt: "detach" }
          )
        )
        yield* until(() => observed.worked.size === 2)
        yield* until(() => observed.worked.get(ids[0]!) === 1 && observed.compensated.length === 0)
        yield* Effect.sleep("50 millis")
        yield* Fiber.interrupt(first)
        // second caller: the same body, and a member added after the crash
        const members = yield* DurableGroup.run("g-reattach", (group) =>
          Effect.forEach(ids, (id, i) => group.spawn(Work)(work(id, i === 2 ? 10 : i === 1 ? 400 : 10)))
        )
        expect(members.map((m) => m.index)).toEqual([0, 1, 2])
        expect(yield* Effect.forEach(members, (m) => m.value)).toEqual(ids.map((id) => `done ${id}`))
        expect(ids.map((id) => observed.worked.get(id))).toEqual([1, 1, 1])
      })
    )
  )

  it.live("DurableGroup.cancel(key) cancels every member and returns after their compensations", () =>
    withEngine((observed) =>
      Effect.gen(function* () {
        const caller = yield* Effect.forkChild(
          DurableGroup.run(
            "g-cancel",
            (group) =>
              Effect.gen(function* () {
                const a = yield* group.spawn(Work)(work("c-1", 60_000))
                const b = yield* group.spawn(Work)(work("c-2", 60_000))
                return [yield* a.await, yield* b.await]
              }),
            { onInterrupt: "detach" }
          )
        )
        yield* until(() => observed.worked.size === 2)
        const before = Date.now()
        yield* DurableGroup.cancel("g-cancel")
        const after = Date.now()
        expect(observed.compensated.toSorted()).toEqual(["c-1", "c-2"])
        for (const at of observed.compensatedAt.values()) expect(after).toBeGreaterThanOrEqual(at)
        // long activities interrupted, not waited for
        expect(observed.workInterrupted.toSorted()).toEqual(["c-1", "c-2"])
        expect(after - before).toBeLessThan(5000)
        const exit = yield* Fiber.await(caller)
        assert(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
      })
    )
  )

  it.live("a long activity inside a member is interrupted by a cancellation, not waited for", () =>
    withEngine((observed) =>
      Effect.gen(function* () {
        const caller = yield* Effect.forkChild(
          DurableGroup.run(
            "g-long",
            (group) => Effect.flatMap(group.spawn(Work)(work("long-1", 600_000)), (m) => m.await),
            {
              onInterrupt: "detach"
            }
          )
        )
        yield* until(() => observed.worked.size === 1)
        const before = Date.now()
        yield* DurableGroup.cancel("g-long")
        // a 10-minute activity, cut off at once: its interruption seen inside it, its member compensated
        expect(Date.now() - before).toBeLessThan(2000)
        expect(observed.workInterrupted).toEqual(["long-1"])
        expect(observed.compensated).toEqual(["long-1"])
        const member = yield* memberEnded("long-1")
        assert(Option.isSome(member) && member.value._tag === "Complete")
        assert(Exit.isFailure(member.value.exit) && Cause.hasInterruptsOnly(member.value.exit.cause))
        yield* Fiber.interrupt(caller)
      })
    )
  )

  it.live("interrupting the caller cancels the group by default, and waits", () =>
    withEngine((observed) =>
      Effect.gen(function* () {
        const caller = yield* Effect.forkChild(
          DurableGroup.run("g-interrupt", (group) =>
            Effect.andThen(group.spawn(Work)(work("i-1", 60_000)), Effect.never)
          )
        )
        yield* until(() => observed.worked.size === 1)
        yield* Fiber.interrupt(caller)
        expect(observed.compensated).toEqual(["i-1"])
        expect(observed.workInterrupted).toEqual(["i-1"])
      })
    )
  )

  it.live("settle: failures stay in the handles, the others run to their end", () =>
    withEngine((observed) =>
      Effect.gen(function* () {
        const [ok, bad] = yield* DurableGroup.run(
          "g-settle",
          (group) => Effect.all([group.spawn(Work)(work("s-ok", 200)), group.spawn(Work)(work("s-bad", 10, true))]),
          { mode: "settle" }
        )
        expect(yield* ok.value).toBe("done s-ok")
        expect(yield* Effect.flip(bad.value)).toEqual(new WorkFailed({ id: "s-bad" }))
        expect(observed.workInterrupted).toEqual([])
      })
    )
  )

  it.live("cancelling a key with no group returns at once, and the group that key gets is cancelled", () =>
    withEngine((observed) =>
      Effect.gen(function* () {
        yield* DurableGroup.cancel("g-none")
        const exit = yield* Effect.exit(
          DurableGroup.run("g-none", (group) => Effect.flatMap(group.spawn(Work)(work("n-1", 10)), (m) => m.await))
        )
        assert(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
        expect(observed.worked.size).toBe(0)
      })
    )
  )
})

describe("bad input", () => {
  it.live("DurableGroup.run and cancel die with an IllegalArgumentError naming the argument", () =>
    withEngine(() =>
      Effect.gen(function* () {
        const bad = [
          DurableGroup.run("", () => Effect.void),
          DurableGroup.run("k", "body" as any),
          DurableGroup.run("k", () => Effect.void, { mode: "fast" as any }),
          DurableGroup.run("k", () => Effect.void, { onInterrupt: "ignore" as any }),
          DurableGroup.cancel(42 as any)
        ]
        const messages = yield* Effect.forEach(bad, (effect) =>
          Effect.map(Effect.exit(effect), (exit) => {
            assert(Exit.isFailure(exit))
            const [defect] = exit.cause.reasons.filter(Cause.isDieReason).map((r) => r.defect)
            assert(defect instanceof Cause.IllegalArgumentError)
            return defect.message
          })
        )
        expect(messages[0]).toMatch(/DurableGroup.run: key must be a non-empty string/)
        expect(messages[1]).toMatch(/body must be a function/)
        expect(messages[2]).toMatch(/option "mode"/)
        expect(messages[3]).toMatch(/option "onInterrupt"/)
        expect(messages[4]).toMatch(/DurableGroup.cancel: key must be/)
        const thrown = yield* DurableGroup.run("k-bad", (group) =>
          Effect.sync(() => {
            try {
              group.spawn({} as any)
              return "no throw"
            } catch (error) {
              return String(error)
            }
          })
        )
        expect(thrown).toMatch(/DurableGroup spawn: expected a Workflow/)
      })
    )
  )
})

describe("DurableGroup in snapshots", () => {
  it.live("a running group shows in snapshots: named after its key, each member a task, gone once it ends", () =>
    withEngine((observed) =>
      Effect.gen(function* () {
        const name = "DurableGroup g-snapshot"
        const shown = () => TaskGroup.snapshotAllUnsafe().find((group) => group.name === name)
        const caller = yield* Effect.forkChild(
          DurableGroup.run(
            "g-snapshot",
            (group) =>
              Effect.gen(function* () {
                yield* group.spawn(Work)(work("sn-bad", 5, true))
                const slow = yield* group.spawn(Work)(work("sn-slow", 60_000))
                return yield* slow.await
              }),
            { mode: "settle" }
          )
        )
        yield* until(() => observed.worked.has("sn-slow") && shown()?.counts.failed === 1)
        const snapshot = shown()!
        expect({ ...snapshot, tasks: snapshot.tasks.map(({ startedAt: _, ...task }) => task) }).toEqual({
          name,
          state: "open",
          mode: "settle",
          concurrency: "unbounded",
          counts: { queued: 0, running: 1, succeeded: 0, failed: 1, cancelled: 0 },
          tasks: [{ name: "Work", status: "running", key: "#1 sn-slow @ engine", groups: [] }]
        })
        expect(typeof snapshot.tasks[0]?.startedAt).toBe("number")
        // what `soonify ps | pstree <pid>` reads in the process, through its inspector
        const hook = (globalThis as Record<symbol, unknown>)[
          Symbol.for("soonify.snapshot")
        ] as () => Array<TaskGroup.GroupSnapshot>
        expect(
          hook()
            .find((group) => group.name === name)
            ?.tasks.map((task) => task.key)
        ).toEqual(["#1 sn-slow @ engine"])
        expect(TaskGroup.renderSnapshot(snapshot, { now: Date.now() })).toMatch(
          /^TaskGroup "DurableGroup g-snapshot" open · settle · 0 queued, 1 running, 0 succeeded, 1 failed, 0 cancelled\n└─ task "Work" · running · key "#1 sn-slow @ engine" · for \d/
        )
        yield* Fiber.interrupt(caller)
        expect(observed.compensated).toContain("sn-slow")
        expect(shown()).toBeUndefined()
      })
    )
  )

  it.live("a group run inside a task shows under that task", () =>
    withEngine((observed) =>
      Effect.gen(function* () {
        const outer = yield* Effect.forkChild(
          TaskGroup.run(
            (tasks) =>
              tasks.spawn(
                DurableGroup.run("g-nested", (group) =>
                  Effect.andThen(group.spawn(Work)(work("nest-1", 60_000)), Effect.never)
                ),
                { name: "billing" }
              ),
            { name: "outer" }
          )
        )
        const billing = () =>
          TaskGroup.snapshotAllUnsafe()
            .find((group) => group.name === "outer")
            ?.tasks.find((task) => task.name === "billing")
        yield* until(() => observed.worked.has("nest-1") && billing()?.groups[0]?.tasks.length === 1)
        const [durable] = billing()!.groups
        expect(durable?.name).toBe("DurableGroup g-nested")
        expect(durable?.tasks.map((task) => [task.name, task.key, task.status])).toEqual([
          ["Work", "#0 nest-1 @ engine", "running"]
        ])
        expect(TaskGroup.snapshotAllUnsafe().some((group) => group.name === "DurableGroup g-nested")).toBe(false)
        yield* Fiber.interrupt(outer)
        expect(observed.compensated).toEqual(["nest-1"])
        expect(TaskGroup.snapshotAllUnsafe().some((group) => group.name === "outer")).toBe(false)
      })
    )
  )

  it.live("the group leaves the snapshots when run ends: at the end of its members, and when it detaches", () =>
    withEngine((observed) =>
      Effect.gen(function* () {
        const named = (key: string) =>
          TaskGroup.snapshotAllUnsafe().some((group) => group.name === `DurableGroup ${key}`)
        let seenWhileRunning = false
        const value = yield* DurableGroup.run("g-ends", (group) =>
          Effect.gen(function* () {
            const member = yield* group.spawn(Work)(work("end-1", 20))
            seenWhileRunning = named("g-ends")
            return yield* member.await
          })
        )
        expect([value, seenWhileRunning, named("g-ends")]).toEqual(["done end-1", true, false])
        const caller = yield* Effect.forkChild(
          DurableGroup.run(
            "g-detached",
            (group) => Effect.andThen(group.spawn(Work)(work("det-1", 60_000)), Effect.never),
            {
              onInterrupt: "detach"
            }
          )
        )
        yield* until(() => observed.worked.has("det-1") && named("g-detached"))
        yield* Fiber.interrupt(caller)
        expect(named("g-detached")).toBe(false)
        expect(observed.workInterrupted).toEqual([])
        yield* DurableGroup.cancel("g-detached")
      })
    )
  )
})
