// Snapshots of groups nested `depth` deep, as deep as groups run (deep.test.ts runs it
// 3,000 deep in `pnpm test`, snapshots.stress.test.ts 10,000 deep in `pnpm test:stress`):
// taking, rendering and dumping one never recurses on the depth (a recursive walk
// overflowed the stack at about 2,000 nested groups, and rendering at 1,000–2,000).
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber } from "effect"
import { TaskGroup } from "@soonify/core"

/** The levels of a snapshot's single chain, root first: each group's name and its one task's. */
const chainOf = (root: TaskGroup.GroupSnapshot | undefined): Array<[string, string]> => {
  const chain: Array<[string, string]> = []
  for (let group = root; group !== undefined;) {
    const task: TaskGroup.TaskSnapshot | undefined = group.tasks[0]
    chain.push([group.name, task?.name ?? ""])
    group = task?.groups[0]
  }
  return chain
}

const expectedChain = (depth: number): Array<[string, string]> =>
  Array.from({ length: depth }, (_, n) => [`group ${n}`, `task ${n}`])

/**
 * Runs `inspect` on groups nested `depth` deep, each with one task that opens the next,
 * the deepest task waiting for ever; `inspect` gets the outermost group.
 */
const whileNested = <A>(depth: number, inspect: (root: TaskGroup.TaskGroup) => Effect.Effect<A>): Effect.Effect<A> =>
  Effect.gen(function* () {
    const reached = yield* Deferred.make<TaskGroup.TaskGroup>()
    let root: TaskGroup.TaskGroup | undefined
    const level = (n: number): Effect.Effect<unknown> =>
      n === depth
        ? Effect.andThen(Deferred.succeed(reached, root!), Effect.never)
        : TaskGroup.run(
            (group) => {
              root ??= group
              return group.spawn(
                Effect.suspend(() => level(n + 1)),
                { name: `task ${n}` }
              )
            },
            { name: `group ${n}` }
          )
    const fiber = yield* Effect.forkChild(level(0))
    const result = yield* Effect.flatMap(Deferred.await(reached), inspect)
    yield* Fiber.interrupt(fiber)
    return result
  })

/** A snapshot of groups nested `depth` deep, built as plain data: what a process far away could send. */
const chain = (depth: number): TaskGroup.GroupSnapshot => {
  let below: Array<TaskGroup.GroupSnapshot> = []
  const root = level(0, below)
  for (let n = 1; n < depth; n++) {
    const inner: Array<TaskGroup.GroupSnapshot> = []
    below.push(level(n, inner))
    below = inner
  }
  return root
}

/** Level `n` of `chain`: a group with one running task, whose groups are `inner`. */
const level = (n: number, inner: Array<TaskGroup.GroupSnapshot>): TaskGroup.GroupSnapshot => ({
  name: `group ${n}`,
  state: "open",
  mode: "failFast",
  concurrency: "unbounded",
  counts: { queued: 0, running: 1, succeeded: 0, failed: 0, cancelled: 0 },
  tasks: [{ name: `task ${n}`, status: "running", startedAt: 1_000, groups: inner }]
})

/** Defines the deep-snapshot cases at `depth`. */
export const describeDeepSnapshots = (depth: number): void => {
  describe(`snapshots of groups nested ${depth} deep`, () => {
    it.live(
      "TaskGroup.snapshot, snapshotUnsafe, snapshotAll and the snapshot hook reach the deepest task",
      () =>
        whileNested(depth, (root) =>
          Effect.gen(function* () {
            assert.deepStrictEqual(chainOf(yield* TaskGroup.snapshot(root)), expectedChain(depth))
            assert.deepStrictEqual(chainOf(TaskGroup.snapshotUnsafe(root)), expectedChain(depth))
            const all = yield* TaskGroup.snapshotAll
            assert.deepStrictEqual(chainOf(all.find((group) => group.name === "group 0")), expectedChain(depth))
            const hook = (globalThis as Record<symbol, unknown>)[Symbol.for("soonify.snapshot")]
            assert.isFunction(hook, "the snapshot hook is installed")
            const hooked = (hook as () => Array<TaskGroup.GroupSnapshot>)()
            assert.deepStrictEqual(chainOf(hooked.find((group) => group.name === "group 0")), expectedChain(depth))
          })
        ),
      60_000
    )

    it("renderSnapshot draws every level, deep lines with their depth and a bounded indentation", () => {
      const lines = TaskGroup.renderSnapshot(chain(depth), { now: 2_000 }).split("\n")
      assert.strictEqual(lines.length, 2 * depth)
      lines.forEach((line, i) => {
        const n = Math.floor(i / 2)
        const what = i % 2 === 0 ? `TaskGroup "group ${n}" open` : `task "task ${n}" · running · for 1.0 s`
        if (!line.includes(what)) assert.fail(`line ${i} does not show ${what}: ${line}`)
      })
      // Drawn in full down to 96 columns of indentation; below, the depth and the last 48.
      assert.isTrue(lines[31]!.startsWith(`${"   ".repeat(30)}└─ task "task 15"`), lines[31])
      assert.isTrue(lines.at(-1)!.startsWith(`[depth ${depth - 1}] ${" ".repeat(45)}└─ task`), lines.at(-1))
      assert.isTrue(lines.at(-2)!.startsWith(`[depth ${depth - 1}] ${" ".repeat(45)}└─ TaskGroup`), lines.at(-2))
      // The text grows with the number of lines, not with the square of the depth.
      assert.isBelow(Math.max(...lines.map((line) => line.length)), 200)
    })
  })
}
