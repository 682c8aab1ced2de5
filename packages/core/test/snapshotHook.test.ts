// What `soonify ps | pstree | top <pid>` (@soonify/inspect) relies on in the process: the
// snapshot hook on globalThis, groups opened by code outside Effect placed under the
// task that runs it, and dumpOnSignal for processes it may not attach to.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Scope } from "effect"
import { TaskGroup } from "@soonify/core"
import { installSnapshotHook } from "../src/internal/snapshotHook.ts"

const hook = () => (globalThis as { [key: symbol]: unknown })[Symbol.for("soonify.snapshot")]

describe("the snapshot hook", () => {
  it.effect("is one function on globalThis, not enumerable, giving what snapshotAll gives", () =>
    Effect.gen(function* () {
      assert.strictEqual(typeof hook(), "function")
      assert.isFalse(Object.keys(globalThis).some((key) => key.includes("soonify")))
      const gate = yield* Deferred.make<void>()
      const group = TaskGroup.makeUnsafe({ name: "hooked" })
      TaskGroup.spawnUnsafe(group, Deferred.await(gate), { name: "waits" })
      const seen = (hook() as () => Array<TaskGroup.GroupSnapshot>)()
      assert.deepStrictEqual(seen, TaskGroup.snapshotAllUnsafe())
      assert.deepStrictEqual(
        seen.find((g) => g.name === "hooked")?.tasks.map((t) => t.name),
        ["waits"]
      )
      yield* Deferred.succeed(gate, undefined)
      yield* TaskGroup.join(group)
      assert.isFalse((hook() as () => Array<TaskGroup.GroupSnapshot>)().some((g) => g.name === "hooked"))
    })
  )

  it("adds the groups of another copy of the package to the hook it finds there (two versions in one program)", () => {
    const key = Symbol.for("soonify.snapshot")
    const global = globalThis as { [key: symbol]: unknown }
    const own = global[key]
    const other: TaskGroup.GroupSnapshot = {
      name: "from another copy",
      state: "open",
      mode: "settle",
      concurrency: "unbounded",
      counts: { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 },
      tasks: []
    }
    try {
      Object.defineProperty(globalThis, key, { value: () => [other], configurable: true, writable: true })
      installSnapshotHook()
      const seen = (global[key] as () => Array<TaskGroup.GroupSnapshot>)()
      assert.deepStrictEqual(seen, [other, ...TaskGroup.snapshotAllUnsafe()])
      const composed = global[key]
      installSnapshotHook()
      assert.strictEqual(global[key], composed)
    } finally {
      Object.defineProperty(globalThis, key, { value: own, configurable: true, writable: true })
    }
  })

  it.effect("shows a group opened by Promise code that a task runs under that task", () =>
    Effect.gen(function* () {
      TaskGroup.snapshotAllUnsafe()
      const names = yield* TaskGroup.run(
        (group) =>
          group.spawn(
            Effect.promise(async () => {
              const inner = TaskGroup.makeUnsafe({ name: "opened outside Effect" })
              const outer = TaskGroup.snapshotAllUnsafe().find((g) => g.name === "outer")
              await Effect.runPromise(TaskGroup.join(inner))
              return outer?.tasks[0]?.groups.map((g) => g.name)
            }),
            { name: "runs Promise code" }
          ),
        { name: "outer" }
      ).pipe(Effect.flatMap((soon) => soon.value))
      assert.deepStrictEqual(names, ["opened outside Effect"])
    })
  )
})

describe("TaskGroup.dumpOnSignal", () => {
  it.effect("listens while its scope is open", () =>
    Effect.gen(function* () {
      const before = process.listenerCount("SIGUSR2")
      const scope = yield* Scope.make()
      yield* TaskGroup.dumpOnSignal().pipe(Scope.provide(scope))
      assert.strictEqual(process.listenerCount("SIGUSR2"), before + 1)
      yield* Scope.close(scope, Exit.void)
      assert.strictEqual(process.listenerCount("SIGUSR2"), before)
    })
  )

  it("dumpOnSignalUnsafe gives the function that uninstalls it, once", () => {
    const before = process.listenerCount("SIGWINCH")
    const uninstall = TaskGroup.dumpOnSignalUnsafe("SIGWINCH")
    assert.strictEqual(process.listenerCount("SIGWINCH"), before + 1)
    uninstall()
    uninstall()
    assert.strictEqual(process.listenerCount("SIGWINCH"), before)
  })

  it("refuses what is no signal to listen for, naming the argument", () => {
    const problem = (signal: unknown) => {
      try {
        TaskGroup.dumpOnSignalUnsafe(signal as string)
        return "none"
      } catch (error) {
        assert.isTrue(Cause.isIllegalArgumentError(error))
        return (error as Error).message
      }
    }
    assert.strictEqual(
      problem("USR2"),
      'TaskGroup.dumpOnSignalUnsafe: "signal" must be a signal name such as "SIGUSR2", received string "USR2"'
    )
    assert.match(problem("SIGUSR1"), /cannot be SIGUSR1: SIGUSR1 opens Node.s inspector/)
    assert.match(problem(7), /received number 7/)
  })
})
