import { it } from "@effect/vitest"
import { TaskGroup } from "@soonify/core"
import { WorkerCrashed, WorkerFn, WorkerPool } from "@soonify/worker"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { describe, expect, expectTypeOf } from "vitest"
import * as F from "./fixtures/fns.ts"

const pool = WorkerPool.layer({ size: 2 })

/** The single defect of a failed exit. */
const defectOf = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (exit._tag !== "Failure") throw new Error("expected a failure")
  const defects = exit.cause.reasons.filter(Cause.isDieReason)
  expect(defects).toHaveLength(1)
  return defects[0]!.defect
}

describe("WorkerFn.call", () => {
  it.live("runs calls on workers as tasks of a group, results in input order", () =>
    Effect.gen(function* () {
      const handles = yield* TaskGroup.run((group) =>
        Effect.forEach([40, 5, 20, 1], (ms, i) => group.soonify(WorkerFn.call(F.slowDouble))(i, ms))
      )
      const values = yield* Effect.forEach(handles, (soon) => soon.value)
      expect(values).toEqual([0, 2, 4, 6])
      expect(handles.map((soon) => soon.name)).toEqual(["slowDouble", "slowDouble", "slowDouble", "slowDouble"])
    }).pipe(Effect.provide(pool))
  )

  it.live("runs on threads other than the caller's, at most `size` of them", () =>
    Effect.gen(function* () {
      const threads = yield* TaskGroup.gather(Array.from({ length: 6 }, () => WorkerFn.call(F.whichThread)()))
      const distinct = new Set(threads)
      expect(distinct.has(0)).toBe(false)
      expect(distinct.size).toBeLessThanOrEqual(2)
      expect(yield* WorkerPool.WorkerPool.useSync((p) => p.threads)).toBeLessThanOrEqual(2)
    }).pipe(Effect.provide(pool))
  )

  it.live("fails with the typed error of the Effect the function returns, its fields kept", () =>
    Effect.gen(function* () {
      expect(yield* WorkerFn.call(F.hashFile)("a.txt")).toBe("hash(a.txt)")
      const error = yield* Effect.flip(WorkerFn.call(F.hashFile)("a.bin"))
      expect(error._tag).toBe("HashError")
      expect(error._tag === "HashError" && error.file).toBe("a.bin")
      expect(error.stack).toContain("effects.worker.ts")
      const caught = yield* WorkerFn.call(F.hashFile)("b.bin").pipe(
        Effect.catchTag("HashError", (e) => Effect.succeed(`caught ${e.file}`))
      )
      expect(caught).toBe("caught b.bin")
    }).pipe(Effect.provide(pool))
  )

  it.live("gives a plain function's throw as a defect with its name, message, stack, cause and fields", () =>
    Effect.gen(function* () {
      const error = defectOf(yield* Effect.exit(WorkerFn.call(F.parse)("x"))) as Error & Record<string, unknown>
      expect(error).toBeInstanceOf(Error)
      expect(error.name).toBe("ParseError")
      expect(error.message).toBe("not a number: x")
      expect(error.stack).toContain("tasks.worker.ts")
      expect(error.line).toBe(7)
      expect(error.code).toBe("E_PARSE")
      expect(error.cause).toBeInstanceOf(RangeError)
      expect((error.cause as Error).message).toBe("NaN")
    }).pipe(Effect.provide(pool))
  )

  it.live("rebuilds built-in error classes, and passes thrown non-errors as they are", () =>
    Effect.gen(function* () {
      const typeError = defectOf(yield* Effect.exit(WorkerFn.call(F.rejectWith)("bad input")))
      expect(typeError).toBeInstanceOf(TypeError)
      expect((typeError as Error).message).toBe("bad input")
      expect(defectOf(yield* Effect.exit(WorkerFn.call(F.throwString)()))).toBe("a plain string")
      const defect = defectOf(yield* Effect.exit(WorkerFn.call(F.dieInEffect)()))
      expect((defect as Error).message).toBe("effect defect")
    }).pipe(Effect.provide(pool))
  )

  it.live("dies with a message naming the module or the export when the definition is wrong", () =>
    Effect.gen(function* () {
      const notAFunction = defectOf(yield* Effect.exit(WorkerFn.call(F.notAFunction)())) as Error
      expect(notAFunction).toBeInstanceOf(TypeError)
      expect(notAFunction.message).toMatch(
        /has no export "notAFunction" that is a function \(its exported functions: .*add/
      )
      const missing = defectOf(yield* Effect.exit(WorkerFn.call(F.missingModule)())) as Error
      expect(missing.message).toMatch(/WorkerFn nothing: the worker could not load .*missing\.worker\.ts/)
    }).pipe(Effect.provide(pool))
  )

  it.live("dies with a clear message when the arguments cannot be sent", () =>
    Effect.gen(function* () {
      const error = defectOf(yield* Effect.exit(WorkerFn.call(F.echo)(() => 1))) as Error
      expect(error.message).toMatch(/WorkerFn echo: its arguments cannot be sent to a worker thread/)
      expect(yield* WorkerFn.call(F.echo)({ still: "works" })).toEqual({ still: "works" })
    }).pipe(Effect.provide(pool))
  )

  it.live("fails with WorkerCrashed when the result cannot be sent back", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(WorkerFn.call(F.returnFunction)())
      expect(error).toBeInstanceOf(WorkerCrashed)
      expect(error.reason).toBe("uncaughtError")
      expect(error.message).toMatch(/crashed on an uncaught error \(DataCloneError: .* could not be cloned/)
    }).pipe(Effect.provide(pool))
  )

  it.live("moves marked arguments and, with transferResult, the result's buffers", () =>
    Effect.gen(function* () {
      const moved = new Uint8Array(1 << 16)
      const copied = new Uint8Array(1 << 16)
      expect(yield* WorkerFn.call(F.byteLength)(WorkerFn.transfer(moved))).toBe(1 << 16)
      expect(yield* WorkerFn.call(F.byteLength)(copied)).toBe(1 << 16)
      expect(moved.byteLength).toBe(0)
      expect(copied.byteLength).toBe(1 << 16)
      const nested = new Uint8Array(1 << 10)
      expect(yield* WorkerFn.call(F.echo)({ image: { pixels: WorkerFn.transfer(nested) } })).toEqual({
        image: { pixels: new Uint8Array(1 << 10) }
      })
      expect(nested.byteLength).toBe(0)
      const result = yield* WorkerFn.call(F.makeBytes)(1 << 16)
      expect(result.n).toBe(1 << 16)
      expect(result.bytes[0]).toBe(7)
      expect(result.bytes.byteLength).toBe(1 << 16)
    }).pipe(Effect.provide(pool))
  )
})

describe("WorkerFn definitions", () => {
  it("types a call from the function's type: parameters, success and error", () => {
    const hash = WorkerFn.call(F.hashFile)
    expectTypeOf(hash).parameters.toEqualTypeOf<[file: string]>()
    expectTypeOf(hash("a")).toEqualTypeOf<
      Effect.Effect<string, import("./fixtures/effects.worker.ts").HashError | WorkerCrashed, WorkerPool.WorkerPool>
    >()
    expectTypeOf(WorkerFn.call(F.slowDouble)).returns.toEqualTypeOf<
      Effect.Effect<number, WorkerCrashed, WorkerPool.WorkerPool>
    >()
    // A function that never returns has no value and no error of its own.
    expectTypeOf(WorkerFn.call(F.spin)).returns.toEqualTypeOf<
      Effect.Effect<never, WorkerCrashed, WorkerPool.WorkerPool>
    >()
    // A cooperative function's signal is added by the worker: callers pass the rest.
    expectTypeOf(WorkerFn.call(F.ignoreSignal)).parameters.toEqualTypeOf<[ms: number, started: Int32Array]>()
    // @ts-expect-error: a string is not a number
    WorkerFn.call(F.add)("1", 2)
    // @ts-expect-error: without a function type, nothing can be passed
    WorkerFn.call(WorkerFn.make(F.tasks, "add"))(1, 2)
    class Config extends Context.Service<Config, { readonly level: number }>()("Config") {}
    const needsConfig = WorkerFn.make<(n: number) => Effect.Effect<number, never, Config>>(F.tasks, "add")
    // @ts-expect-error: the worker has no services to give an Effect that requires some
    WorkerFn.call(needsConfig)(1)
  })

  it("describes the definition", () => {
    expect(F.add.module).toBe(F.tasks.href)
    expect(F.add.exportName).toBe("add")
    expect(F.add.cancel).toBe("terminate")
    expect(F.spinCooperatively.cancel).toBe("cooperative")
    expect(F.abandonedBlock.cancel).toBe("abandon")
    expect(WorkerFn.isWorkerFn(F.add)).toBe(true)
    expect(WorkerFn.isWorkerFn({ module: "x" })).toBe(false)
    expect(String(F.add)).toContain('"exportName":"add"')
  })

  it("rejects bad arguments at once, naming them", () => {
    expect(() => WorkerFn.make("./hash.worker.ts", "hash")).toThrow(/WorkerFn.make: module must be a URL/)
    expect(() => WorkerFn.make(F.tasks, "")).toThrow(/WorkerFn.make: exportName must be a non-empty string/)
    expect(() => WorkerFn.make(F.tasks, "add", { cancel: "cooperative" as never })).toThrow(/use WorkerFn.cooperative/)
    expect(() => WorkerFn.make(F.tasks, "add", { transferResult: 1 as never })).toThrow(
      /option "transferResult" must be a boolean/
    )
    expect(() => WorkerFn.cooperative(42 as never, "add")).toThrow(/WorkerFn.cooperative: module must be a URL/)
    expect(() => WorkerFn.call({} as never)).toThrow(/WorkerFn.call: expected a WorkerFn/)
    expect(() => WorkerFn.transfer("text" as never)).toThrow(/WorkerFn.transfer: expected an ArrayBuffer/)
    expect(() => WorkerFn.make("./hash.worker.ts", "hash")).toThrow(Cause.IllegalArgumentError)
  })
})
