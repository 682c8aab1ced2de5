/**
 * The pool core, in plain Node: piscina's worker threads, the permits that keep at most
 * `size` calls in piscina, and the queue of calls waiting for one. No Effect and no task
 * group: the Effect API (`WorkerPool.ts`, `WorkerFn.ts`) and the Promise API
 * (`interop.ts`) each wrap it.
 */
import { availableParallelism } from "node:os"
import type { ResourceLimits } from "node:worker_threads"
import { Piscina } from "piscina"
import { type AnyCall, type CallHost, WorkerCall } from "./call.ts"
import { optionsProblem, type Problem, resourceLimitsProblem, sizeProblem, stringProblem } from "./validation.ts"
import type { Definition } from "./workerFn.ts"

/** What the API that makes a pool says in messages: its name, and how to keep a pool open. */
export interface PoolMaker {
  /** The function that makes the pool (`WorkerPool.make`, `createWorkerPool`), named in messages. */
  readonly where: string
  /** How an unnamed pool is named in messages: `the worker pool of <madeBy>`. */
  readonly madeBy: string
  /** What a call on a closed pool advises, for this API: Effect's scope, or `await using`. */
  readonly outlive: string
}

/** A pool's validated settings. */
export interface Settings {
  readonly name: string
  readonly size: number
  readonly resourceLimits: ResourceLimits | undefined
  /** How messages name the pool: by its `name`, else by the API that made it. */
  readonly label: string
  readonly outlive: string
}

/** The options both APIs take for a pool (core's `WorkerPool.Options`). */
export interface Options {
  readonly size?: number | undefined
  readonly resourceLimits?: ResourceLimits | undefined
  readonly name?: string | undefined
}

/** Validates a pool's options: its settings, or the problem with the first bad one. */
export const settingsFrom = (maker: PoolMaker, options: Options | undefined): Settings | Problem => {
  const where = maker.where
  const problem =
    optionsProblem(where, options) ??
    sizeProblem(where, options?.size) ??
    resourceLimitsProblem(where, options?.resourceLimits) ??
    stringProblem(where, "name", options?.name)
  if (problem !== undefined) return problem
  return {
    label: options?.name !== undefined ? `the worker pool "${options.name}"` : `the worker pool of ${maker.madeBy}`,
    outlive: maker.outlive,
    name: options?.name ?? "WorkerPool",
    // What the machine can run in parallel.
    size: options?.size ?? availableParallelism(),
    resourceLimits: options?.resourceLimits
  }
}

/** Tells settings from a problem. */
export const isProblem = (u: Settings | Problem): u is Problem => "kind" in u

// The runner is this package's file next to this one: `.ts` when the package runs from
// its sources (tests, Node's type stripping), `.js` once built.
const runnerFile = new URL(import.meta.url.endsWith(".ts") ? "./runner.ts" : "./runner.js", import.meta.url).href

/**
 * A pool of worker threads, owned by one wrapper: core's scoped `WorkerPool`, or
 * interop's `await using` pool.
 *
 * States: `open` → `closed`. Open: a call takes one of `size` permits (or waits for one,
 * in call order, in `waiting`), then runs on a piscina worker. Closing (once, by its
 * owner) marks it closed, refuses the calls still waiting (they never start), then
 * destroys every worker thread and waits until each has exited. A call still running
 * then ends saying that its pool closed under it.
 *
 * The permits keep at most `size` calls in piscina at once, so that a call waiting its
 * turn is still ours: cancelling it needs no worker, whatever its cancel mode, and the
 * turns are taken in call order. A call holds its permit until piscina is done with it,
 * which may be after the call has ended (an abandoned call runs on in its worker). The
 * pool knows the calls it has posted to piscina (`posted`, kept by the calls themselves
 * through `track`) only to fail them when a worker dies while starting, which piscina
 * reports to nobody's task.
 *
 * Writers: `permits`, `waiting` and `state` are written here only; each call's own state
 * by the call.
 */
export class PoolCore implements CallHost {
  readonly name: string
  readonly size: number
  readonly label: string
  readonly outlive: string
  readonly piscina: Piscina
  private permits: number
  /** The calls waiting for a permit, oldest first (a Set: dropping one is O(1)). */
  private readonly waiting = new Set<AnyCall>()
  /** The calls posted to piscina that have not ended: waiting for a thread, or on one. */
  private readonly posted = new Set<AnyCall>()
  private state: "open" | "closed" = "open"
  private closing: Promise<void> | undefined

  constructor(settings: Settings) {
    this.name = settings.name
    this.size = settings.size
    this.label = settings.label
    this.outlive = settings.outlive
    this.permits = settings.size
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

  get isClosed(): boolean {
    return this.state === "closed"
  }

  get stateName(): "open" | "closed" {
    return this.state
  }

  /** The worker threads alive right now. */
  get threads(): number {
    return this.piscina.threads.length
  }

  /**
   * One call of `fn`: it starts at once when a permit is free, else waits its turn. On a
   * closed pool it has ended already, refused.
   */
  call<A>(fn: Definition, args: ReadonlyArray<unknown>): WorkerCall<A> {
    const call = new WorkerCall<A>(this, fn, args)
    if (this.state === "closed") call.refuse()
    else if (this.permits > 0) {
      this.permits--
      call.start()
    } else this.waiting.add(call)
    return call
  }

  dropWaiting(call: AnyCall): void {
    this.waiting.delete(call)
  }

  /** Gives back a permit, and with it starts the oldest waiting call, in the same turn. */
  releasePermit(): void {
    const next = this.waiting.values().next()
    if (next.done === true) {
      this.permits++
      return
    }
    this.waiting.delete(next.value)
    next.value.start()
  }

  track(call: AnyCall, posted: boolean): void {
    if (posted) this.posted.add(call)
    else this.posted.delete(call)
  }

  /** Closes the pool: no call starts any more; every thread is destroyed and has exited. */
  close(): Promise<void> {
    if (this.closing === undefined) {
      this.state = "closed"
      const refused = [...this.waiting]
      this.waiting.clear()
      for (const call of refused) call.refuse()
      this.closing = this.piscina.destroy()
    }
    return this.closing
  }
}
