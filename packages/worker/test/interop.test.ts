import { CancelledError, createTaskGroup, gather, taskGroup } from "@soonify/interop"
import {
  createWorkerPool,
  defineCooperativeWorkerFn,
  defineWorkerFn,
  transfer,
  WorkerCrashedError,
  type WorkerFn,
  type WorkerPool
} from "@soonify/worker/interop"
import { afterAll, describe, expect, expectTypeOf, it } from "vitest"
import type * as Effects from "./fixtures/effects.worker.ts"
import type * as Tasks from "./fixtures/tasks.worker.ts"

const tasks = new URL("./fixtures/tasks.worker.ts", import.meta.url)
const effects = new URL("./fixtures/effects.worker.ts", import.meta.url)
const slowDouble = defineWorkerFn<typeof Tasks.slowDouble>(tasks, "slowDouble")
const parse = defineWorkerFn<typeof Tasks.parse>(tasks, "parse")
const hashFile = defineWorkerFn<typeof Effects.hashFile>(effects, "hashFile")
const spin = defineWorkerFn<typeof Tasks.spin>(tasks, "spin")
const block = defineWorkerFn<typeof Tasks.block>(tasks, "block", { cancel: "abandon" })
const exit = defineWorkerFn<typeof Tasks.exit>(tasks, "exit")
const byteLength = defineWorkerFn<typeof Tasks.byteLength>(tasks, "byteLength")
const spinCooperatively = defineCooperativeWorkerFn<typeof Tasks.spinCooperatively>(tasks, "spinCooperatively")

const counter = () => new Int32Array(new SharedArrayBuffer(8))
const started = async (c: Int32Array) => {
  while (Atomics.load(c, 0) === 0) await new Promise((resolve) => setTimeout(resolve, 2))
}

const pool: WorkerPool = createWorkerPool({ size: 2 })
afterAll(() => pool.close())

describe("interop worker pool", () => {
  it("runs calls as tasks of a group and with gather, results in input order", async () => {
    const handles = await taskGroup((tg) => [30, 1, 10].map((ms, i) => tg.spawn(pool.task(slowDouble, i, ms))))
    expect(handles.map((soon) => soon.value)).toEqual([0, 2, 4])
    expect(handles[0]!.name).toBe("slowDouble")
    expect(await gather([pool.task(slowDouble, 5, 1), pool.task(slowDouble, 6, 1)])).toEqual([10, 12])
    expect(await pool.run(slowDouble, [21, 0])).toBe(42)
  })

  it("rejects with the function's own error, its fields kept", async () => {
    const error = await pool.run(parse, ["x"]).catch((e: unknown) => e)
    expect(error).toMatchObject({ name: "ParseError", message: "not a number: x", line: 7, code: "E_PARSE" })
    expect((error as Error).stack).toContain("tasks.worker.ts")
    const tagged = await pool.run(hashFile, ["a.bin"]).catch((e: unknown) => e)
    expect(tagged).toMatchObject({ _tag: "HashError", file: "a.bin" })
    await expect(taskGroup((tg) => tg.spawn(pool.task(parse, "y")))).rejects.toMatchObject({ name: "ParseError" })
  })

  it("rejects with WorkerCrashedError when the worker dies, and goes on", async () => {
    const error = await pool.run(exit, [5]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(WorkerCrashedError)
    expect(error).toMatchObject({ name: "WorkerCrashedError", reason: "exit", exitCode: 5, fn: "exit" })
    expect(await pool.run(slowDouble, [1, 0])).toBe(2)
  })

  it("a signal cancels a call by its mode, and the call rejects with signal.reason", async () => {
    const spinning = counter()
    const controller = new AbortController()
    const call = pool.run(spin, [spinning], { signal: controller.signal })
    await started(spinning)
    controller.abort(new Error("enough"))
    await expect(call).rejects.toThrow("enough")
    const stoppedAt = Atomics.load(spinning, 0)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(Atomics.load(spinning, 0)).toBe(stoppedAt)

    const cooperating = counter()
    const cooperative = new AbortController()
    const stopping = pool.run(spinCooperatively, [cooperating], { signal: cooperative.signal })
    await started(cooperating)
    cooperative.abort()
    await expect(stopping).rejects.toMatchObject({ name: "AbortError" })
    expect(Atomics.load(cooperating, 1)).toBe(1)

    const aborted = AbortSignal.abort(new Error("before"))
    await expect(pool.run(slowDouble, [1, 0], { signal: aborted })).rejects.toThrow("before")
  })

  it("fail fast in a group cancels worker tasks; a cancelled one is not a failure", async () => {
    const spinning = counter()
    await expect(
      taskGroup(async (tg) => {
        tg.spawn(pool.task(spin, spinning))
        await started(spinning)
        throw new Error("body failed")
      })
    ).rejects.toThrow("body failed")
    const stoppedAt = Atomics.load(spinning, 0)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(Atomics.load(spinning, 0)).toBe(stoppedAt)

    const done = counter()
    const soon = await taskGroup(async (tg) => {
      const soon = tg.spawn(pool.task(block, 200, done))
      await new Promise((resolve) => setTimeout(resolve, 20))
      const before = performance.now()
      await soon.cancel()
      expect(performance.now() - before).toBeLessThan(150) // abandoned: at once
      return soon
    })
    expect(soon.status).toBe("cancelled")
    expect(soon.exception).toBeInstanceOf(CancelledError)
  })

  it("a call made without a signal in a soonify'd function is cancelled with its task (taskSignal)", async () => {
    const spinning = counter()
    const failure = new Error("sibling failed")
    const spinIn = async (c: Int32Array) => pool.run(spin, [c])
    const settled = await taskGroup(async (tg) => {
      const soon = tg.soonify(spinIn)(spinning)
      await started(spinning)
      tg.spawn(async () => {
        throw failure
      })
      return soon
    }).catch((error: unknown) => error)
    expect(settled).toBe(failure) // the worker call counted as cancelled, not as a second failure
    const stoppedAt = Atomics.load(spinning, 0)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(Atomics.load(spinning, 0)).toBe(stoppedAt)
    // Outside any task, taskSignal() never aborts: the call simply runs.
    expect(await pool.run(slowDouble, [4, 0])).toBe(8)
  })

  it("a group's timeout terminates its worker calls, then rejects with TimeoutError", async () => {
    const spinning = counter()
    await pool.run(slowDouble, [0, 0]) // a thread, warm: the spin starts well before the timeout
    await expect(taskGroup((tg) => tg.spawn(pool.task(spin, spinning)), { timeout: 1000 })).rejects.toMatchObject({
      name: "TimeoutError"
    })
    const stoppedAt = Atomics.load(spinning, 0)
    expect(stoppedAt).toBeGreaterThan(0)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(Atomics.load(spinning, 0)).toBe(stoppedAt)
  })

  it("moves marked buffers", async () => {
    const data = new Uint8Array(1 << 16)
    expect(await pool.run(byteLength, [transfer(data)])).toBe(1 << 16)
    expect(data.byteLength).toBe(0)
  })

  it("await using closes the pool: its threads have exited", async () => {
    let closed: WorkerPool
    {
      await using own = createWorkerPool({ size: 1 })
      closed = own
      expect(await own.run(slowDouble, [2, 0])).toBe(4)
      expect(own.threads).toBe(1)
    }
    expect(closed.threads).toBe(0)
    await expect(closed.run(slowDouble, [2, 0])).rejects.toThrow(
      "WorkerFn slowDouble: the worker pool of createWorkerPool is closed: no call starts on it. " +
        "A pool must outlive the calls on it: dispose of it (the end of its `await using` block) only after they have settled."
    )
    await expect(
      (async () => {
        await using group = createTaskGroup()
        group.spawn(closed.task(slowDouble, 1, 0))
      })()
    ).rejects.toThrow(/is closed/)
  })

  it("rejects or throws at once on bad input, naming it", async () => {
    await expect(pool.run({} as never, [])).rejects.toThrow(/pool.run: expected a worker function/)
    await expect(pool.run(slowDouble, 1 as never)).rejects.toThrow(/pool.run: args must be an array/)
    await expect(pool.run(slowDouble, [1, 2], { signal: 1 as never })).rejects.toThrow(
      /option "signal" must be an AbortSignal/
    )
    expect(() => pool.task({} as never)).toThrow(/pool.task: expected a worker function/)
    expect(() => createWorkerPool({ size: -1 })).toThrow(RangeError)
    expect(() => createWorkerPool({ name: 1 as never })).toThrow(TypeError)
    expect(() => defineWorkerFn("relative.ts", "f")).toThrow(/defineWorkerFn: module must be a URL/)
    expect(() => defineWorkerFn(tasks, "f", { cancel: "cooperative" as never })).toThrow(/defineCooperativeWorkerFn/)
    expect(() => transfer(1 as never)).toThrow(/transfer: expected an ArrayBuffer/)
  })

  it("types calls from the function's type", () => {
    expectTypeOf(slowDouble).toEqualTypeOf<WorkerFn<[n: number, ms: number], number>>()
    expectTypeOf(spinCooperatively).toEqualTypeOf<WorkerFn<[counter: Int32Array], never>>()
    expectTypeOf(pool.task(slowDouble, 1, 2)).toEqualTypeOf<(signal: AbortSignal) => Promise<number>>()
    const typesOnly = () => {
      // @ts-expect-error: the arguments are checked
      void pool.run(slowDouble, ["1", 2])
    }
    expect(typesOnly).toBeTypeOf("function")
  })
})
