import { TaskGroup } from "@soonify/core"
import * as Effect from "effect/Effect"
import { format } from "effect/Formatter"
import { NodeInspectSymbol } from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import * as Semaphore from "effect/Semaphore"
import { availableParallelism } from "node:os"
import type { ResourceLimits } from "node:worker_threads"
import { Piscina } from "piscina"
import type { WorkerCrashed } from "../WorkerCrashed.ts"
import { WorkerCall } from "./call.ts"
import { optionsProblem, resourceLimitsProblem, sizeProblem, stringProblem } from "./validation.ts"
import type { Definition } from "./workerFn.ts"

/** @internal */
export const WorkerPoolTypeId = "~@soonify/worker/WorkerPool" as const

/** What the pool asks of a call it holds: to fail because its worker died. */
export interface PostedCall {
  workerDied(error: unknown): void
}

/** A pool's validated settings. */
export interface Settings {
  readonly name: string
  readonly size: number
  readonly resourceLimits: ResourceLimits | undefined
  /** How messages name the pool: by its `name`, else by the function that made it. */
  readonly label: string
  /** What a call on the closed pool advises, for the API that made it: Effect's scope, or `await using`. */
  readonly outlive: string
}

/** The options both APIs take for a pool (core's `WorkerPool.Options`). */
export interface Options {
  readonly size?: number | undefined
  readonly resourceLimits?: ResourceLimits | undefined
  readonly name?: string | undefined
}

/** Validates a pool's options: its settings, or the message of the first problem. */
export const settingsFrom = (where: string, options: Options | undefined): Settings | string => {
  const problem =
    optionsProblem(where, options) ??
    sizeProblem(where, options?.size) ??
    resourceLimitsProblem(where, options?.resourceLimits) ??
    stringProblem(where, "name", options?.name)
  if (problem !== undefined) return problem
  return {
    label:
      options?.name !== undefined
        ? `the worker pool "${options.name}"`
        : `the worker pool of ${where === "WorkerPool.make" ? "WorkerPool.layer / make" : where}`,
    outlive:
      where === "createWorkerPool"
        ? "A pool must outlive the calls on it: dispose of it (the end of its `await using` block) only after they have settled."
        : "A pool must outlive the calls on it: provide its layer (or keep its scope open) around every group that calls it.",
    name: options?.name ?? "WorkerPool",
    // What the machine can run in parallel.
    size: options?.size ?? availableParallelism(),
    resourceLimits: options?.resourceLimits
  }
}

// The runner is this package's file next to this one: `.ts` when the package runs from
// its sources (tests, Node's type stripping), `.js` once built.
const runnerFile = new URL(import.meta.url.endsWith(".ts") ? "./runner.ts" : "./runner.js", import.meta.url).href

/**
 * A pool of worker threads, owned by one scope (core) or one `await using` (interop).
 *
 * States: `open` → `closed`. Open: calls wait for one of `size` permits, then run on a
 * piscina worker. Closing (once, by its owner) marks it closed, so that no call starts
 * any more, then destroys every worker thread and waits until each has exited. A call
 * still running then dies with a message saying that its pool closed under it.
 *
 * The permits keep at most `size` calls in piscina at once, so that a call waiting its
 * turn is still ours: cancelling it needs no worker, whatever its cancel mode, and the
 * turns are taken in call order. A call holds its permit until piscina is done with it,
 * which may be after its task has ended (an abandoned call runs on in its worker). The pool knows the calls it has posted to piscina
 * (`posted`, kept by the calls themselves through `track`) only to fail them when a
 * worker dies while starting, which piscina reports to nobody's task.
 */
export class PoolImpl {
  readonly [WorkerPoolTypeId] = WorkerPoolTypeId
  readonly name: string
  readonly size: number
  readonly settings: Settings
  readonly piscina: Piscina
  private readonly permits: Semaphore.Semaphore
  private state: "open" | "closed" = "open"
  private closing: Promise<void> | undefined

  constructor(settings: Settings) {
    this.name = settings.name
    this.size = settings.size
    this.settings = settings
    this.permits = Semaphore.makeUnsafe(settings.size)
    this.piscina = new Piscina({
      filename: runnerFile,
      // Threads start on the first calls that need them and stay until the pool closes.
      minThreads: 0,
      maxThreads: settings.size,
      idleTimeout: Infinity,
      ...(settings.resourceLimits === undefined ? {} : { resourceLimits: settings.resourceLimits })
    })
    // piscina reports a worker that fails while it runs no task as an 'error' event
    // (unhandled, it would end the process). When that leaves the pool without a single
    // thread, the worker died while starting (its `resourceLimits` too small to load the
    // runner, say): piscina starts no other, and the calls it holds would wait forever.
    this.piscina.on("error", (error: unknown) => {
      if (this.piscina.threads.length > 0) return
      // Each call leaves `posted` as it ends: a Set's iteration goes on past deletions.
      for (const call of this.posted) call.workerDied(error)
    })
  }

  /** The calls posted to piscina that have not ended: waiting for a thread, or on one. */
  private readonly posted = new Set<PostedCall>()

  /** Called by a call once posted to piscina, and once ended. */
  track(call: PostedCall, posted: boolean): void {
    if (posted) this.posted.add(call)
    else this.posted.delete(call)
  }

  get isClosed(): boolean {
    return this.state === "closed"
  }

  /** The worker threads alive right now. */
  get threads(): number {
    return this.piscina.threads.length
  }

  /**
   * One call of `fn`, as an Effect: waits for a permit, then runs on a worker. The call
   * gives its permit back itself, once piscina is done with it (see `WorkerCall`); the
   * Effect gives it back only when it was interrupted before the call started.
   */
  call<A, E>(fn: Definition, args: ReadonlyArray<unknown>): Effect.Effect<A, E | WorkerCrashed> {
    return Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(restore(this.permits.take(1)), () => {
        let started = false
        const start = () => {
          started = true
          return new WorkerCall<A, E>(this, fn, args)
        }
        return Effect.onExit(restore(TaskGroup.external(start)), () =>
          started ? Effect.void : Effect.sync(() => this.releasePermit())
        )
      })
    )
  }

  /** Gives back the permit of a call that piscina is done with. */
  releasePermit(): void {
    Effect.runSync(this.permits.release(1))
  }

  /** Closes the pool: no call starts any more; every thread is destroyed and has exited. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.state = "closed"
      this.closing = this.piscina.destroy()
    }
    return this.closing
  }

  pipe() {
    return pipeArguments(this, arguments)
  }
  toJSON() {
    return { _id: "WorkerPool", name: this.name, size: this.size, state: this.state, threads: this.threads }
  }
  toString() {
    return format(this.toJSON())
  }
  [NodeInspectSymbol]() {
    return this.toJSON()
  }
}
