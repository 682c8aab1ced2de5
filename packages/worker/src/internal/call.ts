/**
 * One call of a worker function, in plain Node: no Effect, no task group. The Effect
 * API (`effectCall.ts`) and the Promise API (`interop.ts`) each wrap it, turning its
 * {@link Outcome} into their own results.
 */
import type { Piscina } from "piscina"
import { type Crash, crashOf } from "./crash.ts"
import { markedBuffers } from "./transfer.ts"
import { abortRequested, rebuild, type Request, type Response, running, type WireReason } from "./wire.ts"
import type { Definition } from "./workerFn.ts"

/** One reason of a failed call, rebuilt on this side: the shape of Effect's `Cause` reasons. */
export type Reason =
  | { readonly _tag: "Fail"; readonly error: unknown }
  | { readonly _tag: "Die"; readonly defect: unknown }
  | { readonly _tag: "Interrupt" }

/** How a call ended. */
export type Outcome<A> =
  | { readonly _tag: "Success"; readonly value: A }
  /**
   * The function failed (its Effect's typed failure is a `Fail`, anything thrown a
   * `Die`), or the call was unusable: no such module or export, arguments that cannot
   * be sent, its pool closed (a `Die` with the error that says so).
   */
  | { readonly _tag: "Failure"; readonly reasons: ReadonlyArray<Reason> }
  /** Its worker thread died. */
  | { readonly _tag: "Crashed"; readonly crash: Crash }
  /** It was cancelled (and has stopped, by its mode), or stopped itself because it was. */
  | { readonly _tag: "Cancelled" }

/** A call whatever its result type, as the pool holds it. */
export type AnyCall = WorkerCall<any> // any: a call's listener makes it invariant in its result type

/** What a call needs of its pool (`PoolCore`), which starts it and owns its permit. */
export interface CallHost {
  readonly piscina: Piscina
  readonly isClosed: boolean
  /** How messages name the pool, and what they advise about its lifetime. */
  readonly label: string
  readonly outlive: string
  /** Drops a call that waits for a permit. */
  dropWaiting(call: AnyCall): void
  /** Gives back the permit of a call that piscina is done with. */
  releasePermit(): void
  /** Called once the call is posted to piscina (`true`), and once it has ended (`false`). */
  track(call: AnyCall, posted: boolean): void
}

const reasonOf = (reason: WireReason): Reason =>
  reason._tag === "Fail"
    ? { _tag: "Fail", error: rebuild(reason.error) }
    : reason._tag === "Die"
      ? { _tag: "Die", defect: rebuild(reason.defect) }
      : { _tag: "Interrupt" }

const died = (defect: unknown): Outcome<never> => ({ _tag: "Failure", reasons: [{ _tag: "Die", defect }] })

const cancelled: Outcome<never> = { _tag: "Cancelled" }

/**
 * One call of a worker function.
 *
 * States (`phase`): `waiting` (for one of the pool's permits; the pool starts it) →
 * `running` (posted to piscina: waiting for a thread, or on one) → `stopping` (asked to
 * stop; how depends on the cancel mode) → `ended` (`outcome` set, listener told). Also
 * `waiting` → `ended`: cancelled (dropped, it never runs) or refused (the pool closed).
 *
 * - Running, answered: ends with the answer (a value, the function's failure, the
 *   definition's mistake as a `Die`); rejected by piscina: the worker died, ends
 *   `Crashed`.
 * - Stop, `terminate`: aborts piscina's signal, which terminates the thread running the
 *   call (piscina then replaces it); ends cancelled once that thread has exited, or at
 *   once when the call had no thread yet.
 * - Stop, `cooperative`: sets the shared flag, which aborts the function's signal in
 *   the worker; ends when the worker answers (cancelled, unless it failed otherwise).
 * - Stop, `abandon`: ends cancelled at once; the worker's answer, when it comes, is
 *   dropped.
 *
 * A started call gives its pool permit back once it has ended and piscina is done with
 * it (`settled`: answered, rejected, or its worker died), whichever comes last: an
 * abandoned call keeps its worker, and so its permit, until the worker is free.
 */
export class WorkerCall<A> {
  private phase: "waiting" | "running" | "stopping" | "ended" = "waiting"
  private outcome: Outcome<A> | undefined
  private listener: ((outcome: Outcome<A>) => void) | undefined
  /** Whether piscina is done with the call (or will never be: its worker died starting). */
  private settled = false
  private holdsPermit = false
  /** For `terminate`: piscina's signal, which terminates the call's thread. */
  private controller: AbortController | undefined
  /** For `cooperative`: the flag shared with the worker, which aborts the function's signal. */
  private flag: Int32Array | undefined

  private readonly host: CallHost
  private readonly fn: Definition
  private readonly args: ReadonlyArray<unknown>

  constructor(host: CallHost, fn: Definition, args: ReadonlyArray<unknown>) {
    this.host = host
    this.fn = fn
    this.args = args
  }

  /** Calls `listener` once with the outcome: at once if the call has ended already. */
  onEnd(listener: (outcome: Outcome<A>) => void): void {
    if (this.outcome === undefined) this.listener = listener
    else listener(this.outcome)
  }

  /** Asks the call to stop, by its mode; a waiting call is dropped. Once only; nothing once ended. */
  cancel(): void {
    switch (this.phase) {
      case "waiting":
        this.host.dropWaiting(this)
        return this.end(cancelled)
      case "running":
        this.phase = "stopping"
        return this.stop()
      default:
        return
    }
  }

  /** Called by the pool, which gave the call a permit: posts it to piscina. */
  start(): void {
    this.holdsPermit = true
    this.phase = "running"
    const fn = this.fn
    this.controller = fn.cancel === "terminate" ? new AbortController() : undefined
    this.flag = fn.cancel === "cooperative" ? new Int32Array(new SharedArrayBuffer(4)) : undefined
    const request: Request = {
      module: fn.module,
      exportName: fn.exportName,
      args: this.args,
      abort: this.flag,
      transferResult: fn.transferResult
    }
    const transferList = markedBuffers(this.args)
    const answer =
      this.controller === undefined
        ? this.host.piscina.run(request, { transferList })
        : this.host.piscina.run(request, { transferList, signal: this.controller.signal })
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
    this.host.track(this, true)
  }

  /** Called by the pool for a call that never started: its pool closed. */
  refuse(): void {
    this.end(died(this.closedError("is closed: no call starts on it")))
  }

  /** The worker meant for this call died without piscina failing the call (see `PoolCore`). */
  workerDied(error: unknown): void {
    this.settle()
    this.rejected(error)
  }

  private stop(): void {
    switch (this.fn.cancel) {
      case "abandon":
        return this.end(cancelled)
      case "cooperative":
        Atomics.compareExchange(this.flag!, 0, running, abortRequested)
        Atomics.notify(this.flag!, 0)
        return
      case "terminate": {
        // piscina terminates the call's thread from inside `abort()`, and drops it from
        // its threads at once: the thread that disappeared is the one to wait for.
        const before = this.host.piscina.threads
        this.controller!.abort()
        const after = this.host.piscina.threads
        const stopped = before.filter((thread) => !after.includes(thread))
        if (stopped.length === 0) return this.end(cancelled)
        // `terminate()` again only gives the promise of the exit (at once if it is over).
        const ended = () => this.end(cancelled)
        Promise.all(stopped.map((thread) => thread.terminate())).then(ended, ended)
      }
    }
  }

  private settle(): void {
    this.settled = true
    this.releaseIfDone()
  }

  private releaseIfDone(): void {
    if (!this.holdsPermit || !this.settled || this.phase !== "ended") return
    this.holdsPermit = false
    this.host.releasePermit()
  }

  private end(outcome: Outcome<A>): void {
    if (this.phase === "ended") return
    const wasPosted = this.phase !== "waiting"
    this.phase = "ended"
    this.outcome = outcome
    if (wasPosted) this.host.track(this, false)
    this.releaseIfDone()
    const listener = this.listener
    this.listener = undefined
    listener?.(outcome)
  }

  private answered(response: Response): void {
    if (this.phase === "ended") return
    switch (response._tag) {
      case "Success":
        // A value that comes after a stop was asked for is dropped: the call was cancelled.
        return this.end(this.phase === "stopping" ? cancelled : { _tag: "Success", value: response.value as A })
      case "Cancelled":
        return this.end(cancelled)
      case "Failure":
        return this.end({ _tag: "Failure", reasons: response.reasons.map(reasonOf) })
      case "Unusable":
        return this.end(
          died(
            new TypeError(
              `WorkerFn ${this.fn.exportName}: ${response.message}`,
              response.cause === undefined ? undefined : { cause: rebuild(response.cause) }
            )
          )
        )
    }
  }

  private rejected(error: unknown): void {
    if (this.phase === "ended") return
    // Our own abort: the call ends once its thread has exited (see `stop`).
    if (this.phase === "stopping" && this.fn.cancel === "terminate") return
    if ((error as { readonly name?: unknown } | null)?.name === "DataCloneError") {
      return this.end(
        died(
          new TypeError(
            `WorkerFn ${this.fn.exportName}: its arguments cannot be sent to a worker thread ` +
              `(${(error as Error).message}). Pass data that the structured clone algorithm copies: ` +
              "no functions, class instances lose their prototype.",
            { cause: error }
          )
        )
      )
    }
    if (this.host.isClosed) return this.end(died(this.closedError("closed while the call ran")))
    this.end({ _tag: "Crashed", crash: crashOf(this.fn, error) })
  }

  private closedError(what: string): Error {
    return new Error(`WorkerFn ${this.fn.exportName}: ${this.host.label} ${what}. ${this.host.outlive}`)
  }
}
