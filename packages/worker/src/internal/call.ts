import type { TaskGroup } from "@soonify/core"
import * as Cause from "effect/Cause"
import * as Exit from "effect/Exit"
import { WorkerCrashed } from "../WorkerCrashed.ts"
import type { PoolImpl } from "./pool.ts"
import { markedBuffers } from "./transfer.ts"
import { abortRequested, rebuild, type Request, type Response, running, type WireReason } from "./wire.ts"
import type { Definition } from "./workerFn.ts"

/** How the call was asked to stop: by which fiber, if one did. */
interface Stop {
  readonly fiberId: number | undefined
}

const causeOf = (reasons: ReadonlyArray<WireReason>): Cause.Cause<never> =>
  Cause.fromReasons(
    reasons.map((reason) =>
      reason._tag === "Fail"
        ? Cause.makeFailReason(rebuild(reason.error) as never)
        : reason._tag === "Die"
          ? Cause.makeDieReason(rebuild(reason.defect))
          : Cause.makeInterruptReason()
    )
  )

const exitCodePattern = /^worker exited with code: (-?\d+)/

/** What piscina's rejection of a call says about the worker that ran it. */
const crashOf = (fn: Definition, error: unknown): WorkerCrashed => {
  const base = { fn: fn.exportName, module: fn.module, cause: error }
  if ((error as { readonly code?: unknown } | null)?.code === "ERR_WORKER_OUT_OF_MEMORY") {
    return new WorkerCrashed({ ...base, reason: "outOfMemory", exitCode: undefined })
  }
  const exited = error instanceof Error ? exitCodePattern.exec(error.message) : null
  if (exited !== null) return new WorkerCrashed({ ...base, reason: "exit", exitCode: Number(exited[1]) })
  return new WorkerCrashed({ ...base, reason: "uncaughtError", exitCode: undefined })
}

/**
 * One call of a worker function, as its task group sees it (an `ExternalTask`).
 *
 * States: running (posted to piscina: waiting for a thread, or on one) → stopping
 * (asked to stop; how depends on the cancel mode) → ended (`exit` set, observer told).
 *
 * - Running, answered: ends with the answer (a value, the function's failure, the
 *   definition's mistake as a defect); rejected by piscina: the worker died, ends with
 *   `WorkerCrashed`.
 * - Stop, `terminate`: aborts piscina's signal, which terminates the thread running the
 *   call (piscina then replaces it); ends interrupted once that thread has exited, or at
 *   once when the call had no thread yet.
 * - Stop, `cooperative`: sets the shared flag, which aborts the function's signal in
 *   the worker; ends when the worker answers (interrupted, unless it failed otherwise).
 * - Stop, `abandon`: ends interrupted at once; the worker's answer, when it comes, is
 *   dropped.
 *
 * The call gives its pool permit back once it has ended and piscina is done with it
 * (`settled`: answered, rejected, or its worker died), whichever comes last: an
 * abandoned call keeps its worker, and so its permit, until the worker is free.
 */
export class WorkerCall<A, E> implements TaskGroup.ExternalTask<A, E | WorkerCrashed> {
  private exit: Exit.Exit<A, E | WorkerCrashed> | undefined
  private observer: ((exit: Exit.Exit<A, E | WorkerCrashed>) => void) | undefined
  private stop: Stop | undefined
  /** Whether piscina is done with the call (or will never be: its worker died starting). */
  private settled = false
  private released = false
  /** For `terminate`: piscina's signal, which terminates the call's thread. */
  private readonly controller: AbortController | undefined
  /** For `cooperative`: the flag shared with the worker, which aborts the function's signal. */
  private readonly flag: Int32Array | undefined

  private readonly pool: PoolImpl
  private readonly fn: Definition

  constructor(pool: PoolImpl, fn: Definition, args: ReadonlyArray<unknown>) {
    this.pool = pool
    this.fn = fn
    if (pool.isClosed) {
      this.controller = undefined
      this.flag = undefined
      this.exit = Exit.die(this.closedError("is closed: no call starts on it"))
      this.settled = true
      this.releaseIfDone()
      return
    }
    this.controller = fn.cancel === "terminate" ? new AbortController() : undefined
    this.flag = fn.cancel === "cooperative" ? new Int32Array(new SharedArrayBuffer(4)) : undefined
    const request: Request = {
      module: fn.module,
      exportName: fn.exportName,
      args,
      abort: this.flag,
      transferResult: fn.transferResult
    }
    const transferList = markedBuffers(args)
    const answer =
      this.controller === undefined
        ? pool.piscina.run(request, { transferList })
        : pool.piscina.run(request, { transferList, signal: this.controller.signal })
    answer.then(
      (response: Response) => {
        this.settle()
        this.answered(response)
      },
      (error: unknown) => {
        this.settle()
        this.rejected(error)
      }
    )
    pool.track(this, true)
  }

  /** The worker meant for this call died without piscina failing the call (see PoolImpl). */
  workerDied(error: unknown): void {
    this.settle()
    this.rejected(error)
  }

  addObserver(observer: (exit: Exit.Exit<A, E | WorkerCrashed>) => void): void {
    if (this.exit === undefined) this.observer = observer
    else observer(this.exit)
  }

  interruptUnsafe(fiberId?: number | undefined): void {
    if (this.exit !== undefined || this.stop !== undefined) return
    this.stop = { fiberId }
    switch (this.fn.cancel) {
      case "abandon":
        return this.end(Exit.interrupt(fiberId))
      case "cooperative":
        Atomics.compareExchange(this.flag!, 0, running, abortRequested)
        Atomics.notify(this.flag!, 0)
        return
      case "terminate": {
        // piscina terminates the call's thread from inside `abort()`, and drops it from
        // its threads at once: the thread that disappeared is the one to wait for.
        const before = this.pool.piscina.threads
        this.controller!.abort()
        const after = this.pool.piscina.threads
        const stopped = before.filter((thread) => !after.includes(thread))
        if (stopped.length === 0) return this.end(Exit.interrupt(fiberId))
        // `terminate()` again only gives the promise of the exit (at once if it is over).
        Promise.all(stopped.map((thread) => thread.terminate())).then(
          () => this.end(Exit.interrupt(fiberId)),
          () => this.end(Exit.interrupt(fiberId))
        )
      }
    }
  }

  private settle(): void {
    this.settled = true
    this.releaseIfDone()
  }

  private releaseIfDone(): void {
    if (this.released || !this.settled || this.exit === undefined) return
    this.released = true
    this.pool.releasePermit()
  }

  private end(exit: Exit.Exit<A, E | WorkerCrashed>): void {
    if (this.exit !== undefined) return
    this.exit = exit
    this.pool.track(this, false)
    this.releaseIfDone()
    const observer = this.observer
    this.observer = undefined
    observer?.(exit)
  }

  private answered(response: Response): void {
    if (this.exit !== undefined) return
    switch (response._tag) {
      case "Success":
        // A value that comes after a stop was asked for is dropped: the call was cancelled.
        return this.end(this.stop === undefined ? Exit.succeed(response.value as A) : Exit.interrupt(this.stop.fiberId))
      case "Cancelled":
        return this.end(Exit.interrupt(this.stop?.fiberId))
      case "Failure":
        return this.end(Exit.failCause(causeOf(response.reasons)))
      case "Unusable":
        return this.end(
          Exit.die(
            new TypeError(
              `WorkerFn ${this.fn.exportName}: ${response.message}`,
              response.cause === undefined ? undefined : { cause: rebuild(response.cause) }
            )
          )
        )
    }
  }

  private rejected(error: unknown): void {
    if (this.exit !== undefined) return
    // Our own abort: the call ends once its thread has exited (see interruptUnsafe).
    if (this.stop !== undefined && this.fn.cancel === "terminate") return
    if ((error as { readonly name?: unknown } | null)?.name === "DataCloneError") {
      return this.end(
        Exit.die(
          new TypeError(
            `WorkerFn ${this.fn.exportName}: its arguments cannot be sent to a worker thread ` +
              `(${(error as Error).message}). Pass data that the structured clone algorithm copies: ` +
              "no functions, class instances lose their prototype.",
            { cause: error }
          )
        )
      )
    }
    if (this.pool.isClosed) return this.end(Exit.die(this.closedError("closed while the call ran")))
    this.end(Exit.fail(crashOf(this.fn, error)))
  }

  private closedError(what: string): Error {
    return new Error(
      `WorkerFn ${this.fn.exportName}: ${this.pool.settings.label} ${what}. ${this.pool.settings.outlive}`
    )
  }
}
