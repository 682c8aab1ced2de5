/**
 * The configurations measured: each spawns one task per input and hands back every
 * result, in input order, the way its users would write it.
 *
 * `load` gives a string instead of a runner when the configuration cannot run here
 * (a missing export, say); the driver prints it and skips that configuration.
 */
import { type SoonValue, TaskGroup } from "@soonify/core"
import * as Interop from "@soonify/interop"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberSet from "effect/FiberSet"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"
import { run as runEffection, spawn, type Task } from "effection"
import pLimit from "p-limit"
import pMap, { pMapIterable } from "p-map"
import { floorGroup, type FloorHandle } from "./floor.ts"
import type { EffectionTask, EffectTask, PromiseTask, WorkerTask } from "./tasks.ts"
import { workerConfigs } from "./workerConfigs.ts"

export type World = "promise" | "effect" | "effection" | "worker"

type Results = Promise<ReadonlyArray<number>>

/** Spawns `task(i)` for every input and gives the results in input order. */
export type Runner<T> = (inputs: ReadonlyArray<number>, task: T) => Results

interface Base {
  /** Stable id, used on the command line and in the JSON results. */
  readonly id: string
  readonly label: string
  readonly family: "soonify core" | "soonify interop" | "soonify worker" | "reference" | "peer" | "bare Effect"
  /** At most this many tasks run at once; the others wait (unbounded when absent). */
  readonly concurrency?: number
}

export type Config =
  | (Base & { readonly world: "promise"; readonly load: () => Promise<Runner<PromiseTask> | string> })
  | (Base & { readonly world: "effect"; readonly load: () => Promise<Runner<EffectTask> | string> })
  | (Base & { readonly world: "effection"; readonly load: () => Promise<Runner<EffectionTask> | string> })
  | (Base & { readonly world: "worker"; readonly load: () => Promise<Runner<WorkerTask> | string> })

// -----------------------------------------------------------------------------
// the configurations
// -----------------------------------------------------------------------------

/** core's seed program: a group, a soonify'd task per input, every value read after the group. */
const runSoonify = (inputs: ReadonlyArray<number>, task: EffectTask) =>
  Effect.gen(function* () {
    const handles = yield* TaskGroup.run((group) =>
      Effect.gen(function* () {
        const soon = group.soonify(task)
        const handles: Array<SoonValue.SoonValue<number>> = []
        for (let i = 0; i < inputs.length; i++) handles.push(yield* soon(inputs[i]))
        return handles
      })
    )
    const results: Array<number> = []
    for (let i = 0; i < handles.length; i++) results.push(yield* handles[i].value)
    return results
  })

export const configs: ReadonlyArray<Config> = [
  {
    id: "core-run-soonify",
    label: "core TaskGroup.run + soonify",
    family: "soonify core",
    world: "effect",
    load: async () => (inputs, task) => Effect.runPromise(runSoonify(inputs, task))
  },
  {
    // DESIGN §5: a tracer that makes a span per task (and keeps nothing), installed for the run.
    id: "core-run-soonify-traced",
    label: "core TaskGroup.run + soonify, with a tracer",
    family: "soonify core",
    world: "effect",
    load: async () => {
      const tracer = Tracer.make({ span: (options) => new Tracer.NativeSpan(options) })
      return (inputs, task) => Effect.runPromise(Effect.withTracer(runSoonify(inputs, task), tracer))
    }
  },
  {
    // DESIGN §5: once the process has taken a snapshot, every task carries its handle in
    // its fiber's context (what lets a later snapshot nest groups under their tasks).
    id: "core-run-soonify-snapshot",
    label: "core TaskGroup.run + soonify, after a snapshot",
    family: "soonify core",
    world: "effect",
    load: async () => {
      TaskGroup.snapshotAllUnsafe()
      return (inputs, task) => Effect.runPromise(runSoonify(inputs, task))
    }
  },
  {
    id: "core-gather",
    label: "core TaskGroup.gather",
    family: "soonify core",
    world: "effect",
    load: async () => (inputs, task) => Effect.runPromise(TaskGroup.gather(inputs.map((i) => task(i))))
  },
  {
    // DESIGN §10: core's lazy map over an iterable, 64 calls at once and at most 64
    // results unread, collected in input order.
    id: "core-map-c64",
    label: "core TaskGroup.map(inputs, task, { concurrency: 64 })",
    family: "soonify core",
    world: "effect",
    concurrency: 64,
    load: async () => (inputs, task) =>
      Effect.runPromise(Stream.runCollect(TaskGroup.map(inputs, task, { concurrency: 64 })))
  },
  {
    id: "interop-taskgroup-soonify",
    label: "interop taskGroup + soonify",
    family: "soonify interop",
    world: "promise",
    load: async () => async (inputs, task) => {
      const handles = await Interop.taskGroup(async (tg) => {
        const soon = tg.soonify(task)
        const handles: Array<Interop.SoonValue<number>> = []
        for (let i = 0; i < inputs.length; i++) handles.push(soon(inputs[i]))
        return handles
      })
      const results: Array<number> = []
      for (let i = 0; i < handles.length; i++) results.push(handles[i].value)
      return results
    }
  },
  {
    id: "interop-taskgroup-soonify-c64",
    label: "interop taskGroup({ concurrency: 64 }) + soonify",
    family: "soonify interop",
    world: "promise",
    concurrency: 64,
    load: async () => async (inputs, task) => {
      const handles = await Interop.taskGroup(
        async (tg) => {
          const soon = tg.soonify(task)
          const handles: Array<Interop.SoonValue<number>> = []
          for (let i = 0; i < inputs.length; i++) handles.push(soon(inputs[i]))
          return handles
        },
        { concurrency: 64 }
      )
      const results: Array<number> = []
      for (let i = 0; i < handles.length; i++) results.push(handles[i].value)
      return results
    }
  },
  {
    id: "interop-gather",
    label: "interop gather",
    family: "soonify interop",
    world: "promise",
    load: async () => (inputs, task) => Interop.gather(inputs.map((i) => () => task(i)))
  },
  {
    // DESIGN §10: the lazy map over an iterable, 64 calls at once and at most 64 results
    // unread, its results read by a for await loop, in input order.
    id: "interop-map-c64",
    label: "interop map(inputs, task, { concurrency: 64 })",
    family: "soonify interop",
    world: "promise",
    concurrency: 64,
    load: async () => async (inputs, task) => {
      const results: Array<number> = []
      for await (const value of Interop.map(inputs, task, { concurrency: 64 })) results.push(value)
      return results
    }
  },
  {
    id: "floor",
    label: "floor (minimal plain-JS group + handles)",
    family: "reference",
    world: "promise",
    load: async () => async (inputs, task) => {
      const handles = await floorGroup(async (group) => {
        const soon = group.soonify(task)
        const handles: Array<FloorHandle<number>> = []
        for (let i = 0; i < inputs.length; i++) handles.push(soon(inputs[i]))
        return handles
      })
      const results: Array<number> = []
      for (let i = 0; i < handles.length; i++) results.push(handles[i].value)
      return results
    }
  },
  {
    id: "promise-all",
    label: "Promise.all",
    family: "peer",
    world: "promise",
    load: async () => (inputs, task) => Promise.all(inputs.map((i) => task(i)))
  },
  {
    id: "p-map",
    label: "p-map (concurrency Infinity)",
    family: "peer",
    world: "promise",
    load: async () => (inputs, task) => pMap(inputs, (i) => task(i), { concurrency: Infinity })
  },
  {
    id: "p-limit",
    label: "p-limit (Infinity) + Promise.all",
    family: "peer",
    world: "promise",
    load: async () => (inputs, task) => {
      const limit = pLimit(Infinity)
      return Promise.all(inputs.map((i) => limit(task, i)))
    }
  },
  {
    id: "p-map-64",
    label: "p-map (concurrency 64)",
    family: "peer",
    world: "promise",
    concurrency: 64,
    load: async () => (inputs, task) => pMap(inputs, (i) => task(i), { concurrency: 64 })
  },
  {
    // The same bound on what is pulled and not yet read as interop map's (2 × concurrency).
    id: "p-map-iterable-64",
    label: "p-map pMapIterable (concurrency 64, backpressure 128)",
    family: "peer",
    world: "promise",
    concurrency: 64,
    load: async () => async (inputs, task) => {
      const results: Array<number> = []
      for await (const value of pMapIterable(inputs, task, { concurrency: 64, backpressure: 128 })) results.push(value)
      return results
    }
  },
  {
    id: "p-limit-64",
    label: "p-limit (64) + Promise.all",
    family: "peer",
    world: "promise",
    concurrency: 64,
    load: async () => (inputs, task) => {
      const limit = pLimit(64)
      return Promise.all(inputs.map((i) => limit(task, i)))
    }
  },
  {
    id: "effection",
    label: "effection 4 spawn + join",
    family: "peer",
    world: "effection",
    load: async () => (inputs, task) =>
      runEffection(function* () {
        const tasks: Array<Task<number>> = []
        for (let i = 0; i < inputs.length; i++) tasks.push(yield* spawn(() => task(inputs[i])))
        const results: Array<number> = []
        for (let i = 0; i < tasks.length; i++) results.push(yield* tasks[i])
        return results
      })
  },
  {
    id: "effect-foreach",
    label: "Effect.forEach unbounded",
    family: "peer",
    world: "effect",
    load: async () => (inputs, task) =>
      Effect.runPromise(Effect.forEach(inputs, (i) => task(i), { concurrency: "unbounded" }))
  },
  {
    // Effect's own lazy map with the same concurrency, in input order (no group).
    id: "stream-mapeffect-64",
    label: "Stream.mapEffect (concurrency 64)",
    family: "peer",
    world: "effect",
    concurrency: 64,
    load: async () => (inputs, task) =>
      Effect.runPromise(Stream.runCollect(Stream.mapEffect(Stream.fromIterable(inputs), task, { concurrency: 64 })))
  },
  {
    id: "fiberset-run",
    label: "FiberSet.run + Fiber.joinAll",
    family: "peer",
    world: "effect",
    load: async () => (inputs, task) =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const set = yield* FiberSet.make<number>()
            const fibers: Array<Fiber.Fiber<number>> = []
            for (let i = 0; i < inputs.length; i++) fibers.push(yield* FiberSet.run(set, task(inputs[i])))
            return yield* Fiber.joinAll(fibers)
          })
        )
      )
  },
  {
    id: "forkin-deferred",
    label: "Effect.forkIn Scope + Deferred",
    family: "bare Effect",
    world: "effect",
    load: async () => (inputs, task) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const scope = yield* Scope.make()
          const deferreds: Array<Deferred.Deferred<number>> = []
          for (let i = 0; i < inputs.length; i++) {
            const deferred = Deferred.makeUnsafe<number>()
            deferreds.push(deferred)
            yield* Effect.forkIn(Deferred.into(task(inputs[i]), deferred), scope)
          }
          const results: Array<number> = []
          for (let i = 0; i < deferreds.length; i++) results.push(yield* Deferred.await(deferreds[i]))
          yield* Scope.close(scope, Exit.void)
          return results
        })
      )
  },
  {
    id: "forkchild-joinall",
    label: "Effect.forkChild + Fiber.joinAll",
    family: "bare Effect",
    world: "effect",
    load: async () => (inputs, task) =>
      Effect.runPromise(
        Effect.gen(function* () {
          const fibers: Array<Fiber.Fiber<number>> = []
          for (let i = 0; i < inputs.length; i++) fibers.push(yield* Effect.forkChild(task(inputs[i])))
          return yield* Fiber.joinAll(fibers)
        })
      )
  },
  // CPU-bound work on worker threads: @soonify/worker and piscina (`workerConfigs.ts`).
  ...workerConfigs
]

export const configById = (id: string): Config | undefined => configs.find((config) => config.id === id)
