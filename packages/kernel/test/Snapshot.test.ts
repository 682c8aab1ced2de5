import { describe, expect, it } from "vitest"
import {
  escapeText,
  Group,
  type GroupSnapshot,
  innerGroups,
  installSnapshotHooks,
  installSnapshotJsonHook,
  jsonText,
  type Registry,
  registry,
  renderSnapshot,
  stackDepth,
  reportProgress,
  type SnapshotParent,
  type SnapshotSource,
  snapshotAll,
  snapshotTree,
  type TaskSnapshot
} from "@soonify/kernel"
import { running, setup, spawned, TestRuntime, type TestTask } from "./support.ts"

const retryOnce = { delayBefore: (attempt: number) => (attempt <= 2 ? 100 : undefined) }

describe("a group's snapshot", () => {
  it("shows the settings, the counts and the live tasks in spawn order, with what each one has", () => {
    const { runtime, group } = setup({ name: "jobs", concurrency: 2, mode: "settle" })
    const done = spawned(group, running("done"))
    const keyed = running("keyed")
    keyed.key = 42
    spawned(group, keyed)
    runtime.advance(500)
    const retried = spawned(group, running("retried", { ends: [["failed", "x"]] }, { retry: retryOnce }))
    const waiting = spawned(group, running("waiting"))
    expect(group.snapshot().tasks.at(-1)).toStrictEqual({
      name: "waiting",
      status: "queued",
      waiting: "permit",
      groups: []
    })
    group.end(done, "succeeded", 1)
    reportProgress(keyed, 3, 10)
    spawned(group, running("cancelled"))
    group.cancelTask(group.tasks().at(-1)!)
    expect([retried.phase, waiting.phase]).toEqual(["retrying", "waiting"])
    group.cancelTask(keyed)
    expect(waiting.phase).toBe("running")
    expect(group.snapshot()).toStrictEqual({
      name: "jobs",
      state: "open",
      mode: "settle",
      concurrency: 2,
      counts: { queued: 0, running: 2, succeeded: 1, failed: 0, cancelled: 2 },
      tasks: [
        { name: "retried", status: "running", startedAt: 1500, attempt: 1, groups: [] },
        { name: "waiting", status: "running", startedAt: 1500, groups: [] }
      ]
    })
  })

  it("a cancelling task shows since when; the snapshot is plain JSON", () => {
    const { runtime, group } = setup()
    spawned(group, running("deaf", { onInterrupt: "ignore" }))
    runtime.advance(10)
    group.cancel()
    const snapshot = group.snapshot()
    expect(snapshot.state).toBe("closing")
    expect(snapshot.tasks[0]).toEqual({
      name: "deaf",
      status: "cancelling",
      startedAt: 1000,
      cancelledAt: 1010,
      groups: []
    })
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot)
  })

  it("shows the groups opened in a task under it, at any depth, without recursion (3,000 deep)", () => {
    const runtime = new TestRuntime()
    const root = new Group<TestTask>(runtime, { name: "level-0" })
    let parent: TestTask = spawned(root, running("task-0"))
    const levels: Array<[Group<TestTask>, TestTask]> = [[root, parent]]
    for (let level = 1; level < 3000; level++) {
      const group = new Group<TestTask>(runtime, { name: `level-${level}`, parent })
      parent = spawned(group, running(`task-${level}`))
      levels.push([group, parent])
    }
    let snapshot: GroupSnapshot = root.snapshot()
    let depth = 1
    while (snapshot.tasks[0].groups.length > 0) {
      snapshot = snapshot.tasks[0].groups[0]
      depth++
    }
    expect([depth, snapshot.name]).toEqual([3000, "level-2999"])
    const text = renderSnapshot(root.snapshot(), { now: 1000 })
    expect(text.split("\n")).toHaveLength(6000)
    expect(text.split("\n").at(-1)).toMatch(/^\[depth 2999\] .*└─ task "task-2999" · running · for 0\.0 s$/)
    expect(JSON.parse(jsonText(root.snapshot())).name).toBe("level-0")
    for (const [group, task] of levels.toReversed()) {
      group.end(task, "succeeded", undefined)
      group.endOwner()
    }
    expect(root.state).toBe("closed")
  })
})

describe("the registry", () => {
  it("holds each open root group from its first moment, and drops it when it ends", () => {
    const runtime = new TestRuntime()
    const group = new Group(runtime, { name: "registry-root" })
    const names = () => snapshotAll().map((snapshot) => snapshot.name)
    expect(names()).toContain("registry-root")
    group.endOwner()
    expect(names()).not.toContain("registry-root")
  })

  it("a group opened in a task shows under it, not among the roots, until it ends", () => {
    const { group } = setup({ name: "registry-parent" })
    const task = spawned(group, running("opener"))
    const inner = new Group(group.runtime, { name: "registry-inner", parent: task })
    expect(snapshotAll().map((snapshot) => snapshot.name)).not.toContain("registry-inner")
    expect(group.snapshot().tasks[0].groups.map((snapshot) => snapshot.name)).toEqual(["registry-inner"])
    inner.endOwner()
    expect(group.snapshot().tasks[0].groups).toEqual([])
    group.end(task, "succeeded", 1)
    group.endOwner()
  })

  it("a group opened in a task that has ended is a root", () => {
    const { group } = setup({ name: "registry-late" })
    const task = spawned(group, running("gone"))
    group.end(task, "succeeded", 1)
    const late = new Group(group.runtime, { name: "registry-orphan", parent: task })
    expect(snapshotAll().map((snapshot) => snapshot.name)).toContain("registry-orphan")
    late.endOwner()
    group.endOwner()
  })

  it("moves an open group under a task", () => {
    const { group } = setup({ name: "registry-mover" })
    const task = spawned(group, running("adopter"))
    const moved = new Group(group.runtime, { name: "registry-moved" })
    moved.moveUnder(task)
    expect(snapshotAll().map((snapshot) => snapshot.name)).not.toContain("registry-moved")
    expect(group.snapshot().tasks[0].groups[0].name).toBe("registry-moved")
    moved.endOwner()
    group.end(task, "succeeded", 1)
    group.endOwner()
  })

  it("is one object on globalThis, shared by every copy of the kernel, with the inspector hooks", () => {
    const global = globalThis as Record<symbol, unknown>
    expect(global[Symbol.for("soonify.registry")]).toBe(registry())
    // The kernel installs the snapshot hook as it loads; the serialised one, whoever carries the writer.
    expect(global[Symbol.for("soonify.snapshotJson")]).toBeUndefined()
    installSnapshotJsonHook()
    const { group } = setup({ name: "registry-hooked" })
    const hook = global[Symbol.for("soonify.snapshot")] as () => Array<GroupSnapshot>
    const json = global[Symbol.for("soonify.snapshotJson")] as () => string
    expect(hook().map((snapshot) => snapshot.name)).toContain("registry-hooked")
    expect(JSON.parse(json())).toEqual(hook())
    group.endOwner()
  })

  it("shows groups of other implementations (any SnapshotSource) in the same tree, both ways", () => {
    const { group } = setup({ name: "registry-kernel" })
    const task = spawned(group, running("kernel task"))
    // A group of another package, placed under the kernel's task, with its own task
    // holding a kernel group.
    const foreignTask: SnapshotParent = { groups: undefined, ready: false }
    const foreign: SnapshotSource = {
      ownSnapshot: (inner) => ({
        name: "foreign",
        state: "open",
        mode: "failFast",
        concurrency: "unbounded",
        counts: { queued: 0, running: 1, succeeded: 0, failed: 0, cancelled: 0 },
        tasks: [{ name: "foreign task", status: "running", groups: innerGroups(foreignTask.groups, inner) }]
      })
    }
    const place = registry().place(foreign, task)
    const nested = new Group(group.runtime, { name: "kernel under foreign", parent: foreignTask })
    const tree = snapshotTree(group)
    expect(tree.tasks[0].groups[0].name).toBe("foreign")
    expect(tree.tasks[0].groups[0].tasks[0].groups[0].name).toBe("kernel under foreign")
    nested.endOwner()
    registry().unplace(foreign, place)
    expect(group.snapshot().tasks[0].groups).toEqual([])
    group.end(task, "succeeded", 1)
    group.endOwner()
  })
})

const range = (from: number, to: number): Array<string> =>
  Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i))

describe("renderSnapshot", () => {
  const snapshot = (name: string, key: string): GroupSnapshot => ({
    name,
    state: "open",
    mode: "failFast",
    concurrency: "unbounded",
    counts: { queued: 1, running: 1, succeeded: 0, failed: 0, cancelled: 0 },
    tasks: [
      { name: "fetch", status: "running", startedAt: 0, key, attempt: 2, cancelledAt: 500, groups: [] },
      { name: "later", status: "queued", progress: { done: 3 }, groups: [] }
    ]
  })

  it("draws one line per group and task, with what each task has", () => {
    expect(renderSnapshot(snapshot("jobs", "k"), { now: 5000 })).toBe(
      [
        'TaskGroup "jobs" open · failFast · 1 queued, 1 running, 0 succeeded, 0 failed, 0 cancelled',
        '├─ task "fetch" · running · key "k" · attempt 2 · for 5.0 s · asked to stop 4.5 s ago',
        '└─ task "later" · queued · 3 done'
      ].join("\n")
    )
    expect(renderSnapshot(snapshot("jobs", "k")).split("\n")[1]).toContain("since 1970-01-01T00:00:00.000Z")
  })

  it("escapes every control, separator and bidi control in names and keys: one line each", () => {
    const unsafe = [
      ...range(0x00, 0x1f),
      "\u007f",
      ...range(0x80, 0x9f),
      "\u2028",
      "\u2029",
      ...range(0x202a, 0x202e),
      ...range(0x2066, 0x2069),
      "\u200e",
      "\u200f",
      "\u061c"
    ]
    for (const char of unsafe) {
      const lines = renderSnapshot(snapshot(`jobs${char}`, `k${char}`)).split("\n")
      expect(lines).toHaveLength(3)
      expect(lines.some((line) => line.includes(char))).toBe(false)
    }
    expect(escapeText("a\\u2028")).toBe("a\\\\u2028")
    expect(escapeText("x\ud800y")).toBe("x\\ud800y")
    expect(escapeText("é ✓ 😀\u200d👍 日本")).toBe("é ✓ 😀\u200d👍 日本")
    expect(renderSnapshot(snapshot('say "hi"', "k"))).toContain('TaskGroup "say \\"hi\\""')
  })

  it("several snapshots, or none", () => {
    expect(renderSnapshot([])).toBe("(no open task groups)")
    expect(renderSnapshot([snapshot("a", "k"), snapshot("b", "k")]).split("\n")).toHaveLength(6)
  })
})

describe("renderSnapshot, in detail", () => {
  const group = (
    name: string,
    tasks: Array<TaskSnapshot>,
    concurrency: number | "unbounded" = "unbounded"
  ): GroupSnapshot => ({
    name,
    state: "open",
    mode: "settle",
    concurrency,
    counts: { queued: 0, running: tasks.length, succeeded: 0, failed: 0, cancelled: 0 },
    tasks
  })
  const task = (name: string, more: Partial<TaskSnapshot> = {}): TaskSnapshot => ({
    name,
    status: "running",
    groups: [],
    ...more
  })

  it("shows progress as done, done/total with a percentage, or done/0", () => {
    const lines = renderSnapshot(
      group("g", [
        task("a", { progress: { done: 3 } }),
        task("b", { progress: { done: 1, total: 3 } }),
        task("c", { progress: { done: 0, total: 0 } })
      ])
    ).split("\n")
    expect(lines.slice(1)).toEqual([
      '├─ task "a" · running · 3 done',
      '├─ task "b" · running · 1/3 (33%)',
      '└─ task "c" · running · 0/0'
    ])
  })

  it("shows a limit only for a bounded group, and seconds with a decimal below 10 s", () => {
    expect(renderSnapshot(group("g", [], 3))).toBe(
      'TaskGroup "g" open · settle · concurrency 3 · 0 queued, 0 running, 0 succeeded, 0 failed, 0 cancelled'
    )
    const at = (ms: number) => renderSnapshot(group("g", [task("t", { startedAt: 0 })]), { now: ms }).split("\n")[1]
    expect([at(9_999), at(10_000), at(-5)]).toEqual([
      '└─ task "t" · running · for 10.0 s',
      '└─ task "t" · running · for 10 s',
      '└─ task "t" · running · for 0.0 s'
    ])
  })

  it("draws the groups of a task under it, each with its own branch", () => {
    const tree = group("top", [
      task("first", { groups: [group("one", [task("x")]), group("two", [task("y")])] }),
      task("last", { groups: [group("three", [])] })
    ])
    expect(
      renderSnapshot(tree)
        .split("\n")
        .map((line) => line.replace(/ ·.*$/, ""))
    ).toEqual([
      'TaskGroup "top" open',
      '├─ task "first"',
      '│  ├─ TaskGroup "one" open',
      '│  │  └─ task "x"',
      '│  └─ TaskGroup "two" open',
      '│     └─ task "y"',
      '└─ task "last"',
      '   └─ TaskGroup "three" open'
    ])
  })

  it("draws the indentation in full up to 96 columns, then the depth and the last 48", () => {
    let inner = group("g17", [task("t17")])
    for (let depth = 16; depth >= 0; depth--) inner = group(`g${depth}`, [task(`t${depth}`, { groups: [inner] })])
    const lines = renderSnapshot(inner).split("\n")
    const prefix = (line: string) => line.slice(0, line.search(/(TaskGroup|task) "/))
    // Group 16 is 16 groups deep: its line has 16 × 6 = 96 columns of indentation, drawn in full.
    expect(prefix(lines[32])).toBe("   ".repeat(31) + "└─ ")
    expect(prefix(lines[33])).toBe("[depth 16] " + "   ".repeat(15) + "└─ ")
    expect(prefix(lines[31])).toBe("   ".repeat(30) + "└─ ")
    expect(prefix(lines[34])).toBe("[depth 17] " + "   ".repeat(15) + "└─ ")
  })

  it("quotes a name that is plain but has a quote, escapes each unsafe range at its edges only", () => {
    expect(renderSnapshot(group('a"b', []))).toContain('TaskGroup "a\\"b"')
    const kept = [" ", "~", "\u00a0", "\u061b", "ÿ"]
    const escaped = ["\u001f", "\\", "\u007f", "\u009f", "\u061c"]
    for (const char of kept) expect(escapeText(`x${char}`)).toBe(`x${char}`)
    for (const char of escaped) expect(escapeText(`x${char}`)).not.toBe(`x${char}`)
    expect(escapeText("\u001f")).toBe("\\u001f")
  })
})

describe("the registry, in detail", () => {
  const global = globalThis as Record<symbol, unknown>
  const hookKey = Symbol.for("soonify.snapshot")

  it("composes the hooks with another copy's hook found before, once", () => {
    const open = setup({ name: "composed" }).group
    const own = global[hookKey]
    const other: GroupSnapshot = {
      name: "from another copy",
      state: "open",
      mode: "settle",
      concurrency: "unbounded",
      counts: { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 },
      tasks: []
    }
    try {
      Object.defineProperty(globalThis, hookKey, { value: () => [other], configurable: true, writable: true })
      installSnapshotHooks()
      const composed = global[hookKey] as () => Array<GroupSnapshot>
      expect(composed()).toEqual([other, ...snapshotAll()])
      installSnapshotHooks()
      expect(global[hookKey]).toBe(composed)
      expect(composed().map((snapshot) => snapshot.name)).toContain("composed")
      installSnapshotJsonHook()
      expect((global[Symbol.for("soonify.snapshotJson")] as () => string)()).toBe(JSON.stringify(composed()))
    } finally {
      Object.defineProperty(globalThis, hookKey, { value: own, configurable: true, writable: true })
      open.endOwner()
    }
  })

  it("is made by the first copy that asks, when none is there", () => {
    const key = Symbol.for("soonify.registry")
    const own = global[key]
    try {
      delete global[key]
      const made = registry()
      expect(made).not.toBe(own)
      expect([made.version, registry()]).toEqual([1, made])
    } finally {
      delete global[key]
      Object.defineProperty(globalThis, key, { value: own, configurable: true, writable: false })
    }
  })

  it("keeps the process's stack depth of group work: one count, also in a registry made by an older copy", () => {
    expect(stackDepth()).toBe(registry().stack)
    const key = Symbol.for("soonify.registry")
    const own = global[key]
    try {
      delete global[key]
      const older = { ...registry() }
      delete older.stack
      Object.defineProperty(globalThis, key, { value: older, configurable: true, writable: false })
      const depth = stackDepth()
      expect(depth).toEqual({ depth: 0 })
      depth.depth++
      expect(stackDepth().depth).toBe(1)
    } finally {
      delete global[key]
      Object.defineProperty(globalThis, key, { value: own, configurable: true, writable: false })
    }
  })

  it("unplacing from a task that holds no groups does nothing", () => {
    const parent: SnapshotParent = { ready: false }
    const source: SnapshotSource = { ownSnapshot: () => ({}) as GroupSnapshot }
    registry().unplace(source, parent)
    expect(parent.groups).toBeUndefined()
  })
})

describe("a registry of its own (as the first copy of the kernel makes it)", () => {
  const global = globalThis as Record<symbol, unknown> & { WeakRef: typeof WeakRef }
  const key = Symbol.for("soonify.registry")

  /** References the test can let go of, as the collector would. */
  class Reference<T extends object> {
    static all: Array<Reference<object>> = []
    target: T | undefined
    constructor(target: T) {
      this.target = target
      Reference.all.push(this)
    }
    deref(): T | undefined {
      return this.target
    }
  }

  /** Runs `f` with a registry made afresh, whose weak references the test controls. */
  const fresh = (f: (registry: Registry) => void): void => {
    const own = global[key]
    const weakRef = global.WeakRef
    try {
      delete global[key]
      global.WeakRef = Reference as unknown as typeof WeakRef
      Reference.all = []
      f(registry())
    } finally {
      global.WeakRef = weakRef
      delete global[key]
      Object.defineProperty(globalThis, key, { value: own, configurable: true, writable: false })
    }
  }

  const source = (name: string, inner: SnapshotParent | undefined = undefined): SnapshotSource => ({
    ownSnapshot: (groups) => ({
      name,
      state: "open",
      mode: "failFast",
      concurrency: "unbounded",
      counts: { queued: 0, running: 1, succeeded: 0, failed: 0, cancelled: 0 },
      tasks: [{ name: `${name} task`, status: "running", groups: innerGroups(inner?.groups, groups) }]
    })
  })

  it("places roots and groups in tasks, moves and removes them; snapshots walk the tree", () => {
    fresh((fresh) => {
      expect(() => {
        ;(globalThis as Record<symbol, unknown>)[key] = "another"
      }).toThrow(TypeError)
      const task: SnapshotParent = { ready: false }
      const [a, b, c] = [source("a", task), source("b"), source("c")]
      const placeA = fresh.place(a, undefined)
      const placeB = fresh.place(b, task)
      const ended: SnapshotParent = { ready: true }
      const placeC = fresh.place(c, ended)
      expect([placeB, ended.groups]).toEqual([task, undefined])
      expect(fresh.openRoots()).toEqual([a, c])
      expect(
        fresh.snapshotAll().map((snapshot) => [snapshot.name, snapshot.tasks[0].groups.map((g) => g.name)])
      ).toEqual([
        ["a", ["b"]],
        ["c", []]
      ])
      const moved = fresh.move(c, placeC, task)
      expect([moved, fresh.openRoots(), [...task.groups!]]).toEqual([task, [a], [b, c]])
      fresh.unplace(b, placeB)
      fresh.unplace(a, placeA)
      expect([fresh.openRoots(), [...task.groups!]]).toEqual([[], [c]])
    })
  })

  it("drops the entries of collected groups as it reads them, and sweeps them out as roots pile up", () => {
    fresh((fresh) => {
      for (let i = 0; i < 1023; i++) fresh.place(source(`abandoned ${i}`), undefined)
      expect(fresh.roots.size).toBe(1023)
      for (const reference of Reference.all) reference.target = undefined
      const kept = source("kept")
      fresh.place(kept, undefined)
      // The 1,024th root sweeps the 1,023 collected ones out.
      expect(fresh.roots.size).toBe(1)
      for (let i = 0; i < 2047; i++) fresh.place(source(`more ${i}`), undefined)
      expect(fresh.roots.size).toBe(2048)
      for (const reference of Reference.all.slice(1025)) reference.target = undefined
      // No sweep before 4,096 roots: the threshold doubles with the roots a sweep leaves (2,048 here).
      fresh.place(source("one more"), undefined)
      expect(fresh.roots.size).toBe(2049)
      expect(fresh.openRoots().map((s) => s.ownSnapshot([]).name)).toEqual(["kept", "more 0", "one more"])
      expect(fresh.roots.size).toBe(3)
    })
  })
})

describe("the serialised hook", () => {
  const key = Symbol.for("soonify.snapshotJson")
  const global = globalThis as Record<symbol, unknown>

  it("keeps one found on globalThis; its own can be replaced and removed, as the others", () => {
    const own = global[key]
    try {
      delete global[key]
      installSnapshotJsonHook()
      const descriptor = Object.getOwnPropertyDescriptor(globalThis, key)!
      expect([typeof descriptor.value, descriptor.configurable, descriptor.writable, descriptor.enumerable]).toEqual([
        "function",
        true,
        true,
        false
      ])
      const foreign = () => "[]"
      global[key] = foreign
      installSnapshotJsonHook()
      expect(global[key]).toBe(foreign)
    } finally {
      delete global[key]
      if (own !== undefined) Object.defineProperty(globalThis, key, { value: own, configurable: true, writable: true })
    }
  })
})
