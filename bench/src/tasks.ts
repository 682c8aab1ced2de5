/**
 * The work each configuration spawns, one task per input `i`, returning `i`.
 *
 * Each world (Promise code, Effect, effection) gets the same three kinds of task in
 * its own idiom, so that a configuration is measured doing what its users write:
 *
 * - `now`: returns at once (`async (i) => i`; `Effect.succeed(i)`, an `Exit` in Effect 4).
 * - `now-sync`: returns at once, but as `Effect.sync(() => i)`, which an Effect
 *   configuration must run in a fiber (`Effect.succeed` may be taken as a result
 *   without one). Promise code and effection run the same task as for `now`.
 * - `yield`: yields once to the event loop (a macrotask), then returns. Promise code
 *   awaits a `setImmediate`; Effect yields with `Effect.yieldNow`, which parks the
 *   fiber on Effect's scheduler, itself drained by one `setImmediate` per batch;
 *   effection awaits an `action` around `setImmediate`. All three resume in the event
 *   loop's check phase, after every task has been spawned.
 * - `hash`: CPU-bound: one SHA-256 over a 1 MiB buffer fed to it 16 times (`hash.ts`),
 *   the digest checked, then returns `i`. Promise code, Effect (`Effect.sync`) and
 *   effection run it on the event loop; the worker world runs the same function on
 *   worker threads, and has only this kind.
 * - `gated`: counts itself as started, then waits on a gate shared by all tasks until
 *   the memory driver has measured the heap and opens it. Only the memory figures
 *   use it.
 */
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { action, withResolvers, type Operation } from "effection"
import { checkDigest, hashInput, hashRepeated } from "./hash.ts"

/** The kinds timed; `gated` is only for the memory figures. */
export const timedKinds = ["now", "now-sync", "yield", "hash"] as const

export type TimedKind = (typeof timedKinds)[number]

export type Kind = TimedKind | "gated"

export type PromiseTask = (i: number) => Promise<number>
export type EffectTask = (i: number) => Effect.Effect<number>
export type EffectionTask = (i: number) => Operation<number>
/**
 * What a worker configuration runs for input `i`: the export `hash` of
 * `hash.worker.ts` on `input(i)`, whose result `check(i, result)` turns into `i` (or a
 * throw). Closures cannot cross threads, so the work is named, not passed.
 */
export interface WorkerTask {
  readonly input: (i: number) => Uint8Array
  readonly check: (i: number, result: unknown) => number
}

/** The `hash` kind on the event loop: hash, check, return `i`. */
const hashOnTheLoop = (i: number): number => checkDigest(i, hashRepeated(hashInput(i)))

/** A gate that holds `gated` tasks: `started` counts the tasks waiting on it. */
export interface Gate {
  readonly started: () => number
  readonly open: () => void
}

export interface Tasks<T> {
  readonly task: T
  /** Only for the `gated` kind. */
  readonly gate: Gate | undefined
}

const immediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export const promiseTasks = (kind: Kind): Tasks<PromiseTask> => {
  switch (kind) {
    case "now":
    case "now-sync":
      return { task: async (i) => i, gate: undefined }
    case "yield":
      return {
        task: async (i) => {
          await immediate()
          return i
        },
        gate: undefined
      }
    case "hash":
      return { task: async (i) => hashOnTheLoop(i), gate: undefined }
    case "gated": {
      let started = 0
      const gate = Promise.withResolvers<void>()
      return {
        task: async (i) => {
          started++
          await gate.promise
          return i
        },
        gate: { started: () => started, open: () => gate.resolve() }
      }
    }
  }
}

export const effectTasks = (kind: Kind): Tasks<EffectTask> => {
  switch (kind) {
    case "now":
      return { task: (i) => Effect.succeed(i), gate: undefined }
    case "now-sync":
      return { task: (i) => Effect.sync(() => i), gate: undefined }
    case "yield":
      return { task: (i) => Effect.as(Effect.yieldNow, i), gate: undefined }
    case "hash":
      return { task: (i) => Effect.sync(() => hashOnTheLoop(i)), gate: undefined }
    case "gated": {
      let started = 0
      const gate = Deferred.makeUnsafe<void>()
      return {
        task: (i) =>
          Effect.suspend(() => {
            started++
            return Effect.as(Deferred.await(gate), i)
          }),
        gate: { started: () => started, open: () => void Deferred.doneUnsafe(gate, Exit.void) }
      }
    }
  }
}

const nextImmediate: Operation<void> = action((resolve) => {
  const timer = setImmediate(resolve)
  return () => clearImmediate(timer)
})

export const effectionTasks = (kind: Kind): Tasks<EffectionTask> => {
  switch (kind) {
    case "now":
    case "now-sync":
      return {
        *task(i) {
          return i
        },
        gate: undefined
      }
    case "yield":
      return {
        *task(i) {
          yield* nextImmediate
          return i
        },
        gate: undefined
      }
    case "hash":
      return {
        *task(i) {
          return hashOnTheLoop(i)
        },
        gate: undefined
      }
    case "gated": {
      let started = 0
      const gate = withResolvers<void>()
      return {
        *task(i) {
          started++
          yield* gate.operation
          return i
        },
        gate: { started: () => started, open: () => gate.resolve() }
      }
    }
  }
}

/** The worker world has the `hash` kind only: its work must be CPU-bound to be worth a thread. */
export const workerTasks = (kind: Kind): Tasks<WorkerTask> => {
  if (kind !== "hash") throw new Error(`the worker configurations run the hash kind only, not "${kind}"`)
  return { task: { input: hashInput, check: checkDigest }, gate: undefined }
}
