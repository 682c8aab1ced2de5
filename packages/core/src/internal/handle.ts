import type { SnapshotSource } from "@soonify/kernel"
import type * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Tracer from "effect/Tracer"
import * as Option from "effect/Option"
import { PendingValue } from "../PendingValue.ts"
import { format } from "effect/Formatter"
import { NodeInspectSymbol } from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import { attemptOf } from "./retry.ts"
import type { Interruptible, Runner } from "./runner.ts"
import { QueuedStart, StartQueue } from "./startQueue.ts"
import type { SoonValue } from "../SoonValue.ts"
import type { Progress } from "../SoonValue.ts"
import type { GroupImpl } from "./group.ts"
import { type Enclosing, enclosingOf } from "./currentTask.ts"
import { failureRead } from "./unread.ts"

/** @internal */
export const SoonValueTypeId = "~@soonify/core/SoonValue" as const

const variance = { _A: (a: unknown) => a, _E: (e: unknown) => e }

/**
 * What every handle shares: the handle is itself what its readers wait on (as a
 * `Deferred` would be, one object fewer per task): it is completed once, with the task's
 * `Exit`, which wakes every waiter, and every read replays that `Exit`.
 *
 * The label is a task's name, or a number from which a default name is made only when
 * somebody asks for it (most tasks are never asked their name).
 *
 * @internal
 */
export abstract class HandleBase<A, E> {
  /** The task's Exit once it has ended. */
  exit: Exit.Exit<A, E> | undefined = undefined
  /** Who waits for the Exit (`await`), until it is there. */
  private waiters: Array<(exit: Exit.Exit<A, E>) => void> | undefined = undefined
  readonly label: string | number
  /** What the task last reported with `TaskGroup.reportProgress`. */
  declare progress: Progress | undefined
  /**
   * For a failed task's handle only (unread.ts): "watched" while its failure is reported
   * if the handle is collected unread, "read" once somebody read it.
   */
  declare unread: "watched" | "read" | undefined
  /** How many `onEnd` callbacks wait in `waiters` (the others are readers: `await`). */
  declare endHooks: number | undefined

  constructor(label: string | number) {
    this.label = label
  }

  get [SoonValueTypeId](): SoonValue.Variance<A, E> {
    return variance as any
  }

  get name(): string {
    return typeof this.label === "string" ? this.label : `task-${this.label}`
  }

  get ready(): boolean {
    return this.exit !== undefined
  }

  /** The attempt the task is on, 1-based; more than 1 only with `retry` (internal/retry.ts). */
  get attempt(): number {
    return attemptOf(this)
  }

  get value(): Effect.Effect<A, E | PendingValue> {
    // Once ended, the Exit is the answer (an Exit is an Effect) and never changes; before,
    // the check must wait until the effect runs.
    const exit = this.exit
    if (exit !== undefined) return this.read(exit)
    return Effect.suspend((): Effect.Effect<A, E | PendingValue> => {
      const exit = this.exit
      return exit === undefined ? Effect.fail(this.pendingError()) : this.read(exit)
    })
  }

  get await(): Effect.Effect<A, E> {
    // As `Deferred.await`: resumed inside `complete`; an interrupted wait leaves the list.
    return Effect.callback<A, E>((resume) => {
      if (this.exit !== undefined) return resume(this.read(this.exit))
      ;(this.waiters ??= []).push(resume)
      return Effect.sync(() => {
        const waiters = this.waiters
        if (waiters === undefined) return
        const index = waiters.indexOf(resume)
        if (index >= 0) waiters.splice(index, 1)
      })
    })
  }

  /**
   * Waits until the task has ended, without reading its outcome: what `waitAny`,
   * `waitAll` and `asCompleted` wait with, so that a failure they only waited for is
   * still reported if nobody reads it (unread.ts).
   */
  get whenEnded(): Effect.Effect<void> {
    return Effect.callback<void>((resume) => {
      if (this.exit !== undefined) return resume(Effect.void)
      const ended = () => resume(Effect.void)
      this.onEnd(ended)
      return Effect.sync(() => {
        const index = this.waiters?.indexOf(ended) ?? -1
        if (index < 0) return
        this.waiters!.splice(index, 1)
        this.endHooks!--
      })
    })
  }

  /**
   * Calls `f` synchronously when the handle completes, before anybody awaiting it resumes
   * (what a `Deferred`'s `resumes` gave); never if it has ended already.
   */
  onEnd(f: () => void): void {
    if (this.exit === undefined) {
      ;(this.waiters ??= []).unshift(f)
      this.endHooks = (this.endHooks ?? 0) + 1
    }
  }

  get poll(): Effect.Effect<Option.Option<Exit.Exit<A, E>>> {
    return Effect.sync(() => Option.fromUndefinedOr(this.peek()))
  }

  /** The Exit, as a read of it: a failure read is no longer reported as unread (unread.ts). */
  peek(): Exit.Exit<A, E> | undefined {
    const exit = this.exit
    return exit === undefined ? undefined : this.read(exit)
  }

  /** `exit`, read by somebody: marks a failure as read (unread.ts); nothing for a success. */
  private read(exit: Exit.Exit<A, E>): Exit.Exit<A, E> {
    if (exit._tag === "Failure") failureRead(this)
    return exit
  }

  abstract get cancel(): Effect.Effect<void>

  /** Completes the handle; the first completion wins. */
  complete(exit: Exit.Exit<A, E>): boolean {
    if (this.exit !== undefined) return false
    this.exit = exit
    const waiters = this.waiters
    if (waiters !== undefined) {
      // Cleared first: a waiter resumed with an interruption ends inside `resume`, and its
      // cleanup would otherwise splice the list while we iterate it.
      this.waiters = undefined
      // Somebody awaits the failure (not only `onEnd` callbacks): it is read.
      if (exit._tag === "Failure" && waiters.length > (this.endHooks ?? 0)) failureRead(this)
      for (let i = 0; i < waiters.length; i++) waiters[i](exit)
    }
    return true
  }

  pipe() {
    return pipeArguments(this, arguments)
  }

  toJSON(): unknown {
    const exit = this.exit
    return { _id: this.kind, name: this.name, state: exit === undefined ? "pending" : exit.toJSON() }
  }

  toString(): string {
    return format(this.toJSON(), { ignoreToString: true, space: 2 })
  }

  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }

  abstract get kind(): string

  /** What reading `value` before the end fails with: a task's handle and a Future advise differently. */
  protected pendingError(): PendingValue {
    return new PendingValue({ task: this.name })
  }
}

/**
 * Stands where a task's runner will be while its fiber runs its first, synchronous steps
 * (the fiber is known only once they have run): a cancel then is recorded in the handle
 * and carried out right after.
 *
 * @internal
 */
export const firstSteps: Interruptible = { interruptUnsafe() {} }

/** Whether a handle's runner is one that `GroupImpl.adopt` watches: the task runs past its first steps. */
export const isRunner = (runner: Interruptible | undefined): runner is Runner<unknown, unknown> =>
  runner !== undefined && runner !== firstSteps && !(runner instanceof QueuedStart) && !(runner instanceof StartQueue)

/**
 * The handle of a task spawned into a group.
 *
 * @internal
 */
export class TaskHandle<A, E> extends HandleBase<A, E> {
  /**
   * What stands for the task until it ends: a start still queued, `firstSteps`, then
   * its runner (a fiber or an external task); `undefined` after, so a kept handle frees it.
   */
  runner: Interruptible | undefined = undefined
  /** A cancel that came while the task's fiber ran its `firstSteps`: who asked. */
  declare cancelledBy?: number | undefined
  /** Set by `group.start` until the task calls `started` (or its starter gives up). */
  declare starting?: Deferred.Deferred<any, any> | undefined
  /**
   * Set when the task's starter gave up before `started`: nobody will ever read this
   * handle, so the task's failure goes to the group whatever its mode.
   */
  declare orphan?: boolean | undefined
  /**
   * When the task started running (ms since epoch, from the group's Clock); unset while
   * queued. A field from the start, as every task sets it: added later, it would cost each
   * handle a separate property store.
   */
  startedAt: number | undefined = undefined
  /** The task spawned before it and the one after, in its group's `LiveTasks`, until it ends. */
  previousLive: TaskHandle<any, any> | undefined = undefined
  nextLive: TaskHandle<any, any> | undefined = undefined
  /** The task's span, in a group traced with a tracer installed (see spans.ts). */
  declare span?: Tracer.Span | undefined
  /** A keyed task's key, as its span shows it (`soonify.key`, see keys.ts). */
  declare keyText?: string | undefined
  /** The groups opened inside this task that are still open (see registry.ts). */
  declare groups?: Set<SnapshotSource> | undefined
  /** Its group, until the task ends (a kept handle keeps no group alive); none for a task that ended as it was spawned. */
  group: GroupImpl | undefined
  /** When the task was asked to stop (ms since epoch, on its group's Clock), while it has not ended (stuck.ts). */
  declare cancelledAt?: number | undefined
  /** Whether the task was reported as stuck in its cancellation (stuck.ts). */
  declare stuckReported?: boolean | undefined
  /** Whether asking the task to stop threw (an external task's stop function): it is not asked again. */
  declare stopThrew?: boolean | undefined

  constructor(label: string | number, group: GroupImpl | undefined) {
    super(label)
    this.group = group
  }

  get kind() {
    return "SoonValue"
  }

  get cancel(): Effect.Effect<void> {
    return Effect.suspend(() => {
      const runner = this.runner
      if (runner === undefined) return Effect.void
      return Effect.withFiber((current) => {
        if (runner instanceof StartQueue) runner.cancel(this, current.id)
        else if (runner instanceof QueuedStart) runner.interruptUnsafe(current.id)
        else if (runner === firstSteps) {
          this.cancelledBy = current.id
          this.group?.cancelRequested(this)
        } else if (this.group === undefined) runner.interruptUnsafe(current.id)
        else this.group.stopTask(this, runner, current.id)
        // Cancel never waits for its caller: code running under this task (its own
        // finalizer, a task nested in it) would wait for itself, for ever where it cannot
        // be interrupted. It has started the cancellation and yields once (as
        // `TaskGroup.cancel` from inside does): an interruptible caller is interrupted
        // there, an uninterruptible one goes on.
        if (runsUnder(enclosingOf(current), this)) return Effect.yieldNow
        return Effect.asVoid(Effect.exit(this.await))
      })
    })
  }
}

/** Whether code under `enclosing` runs under `task`: in it, or in anything nested in it. */
const runsUnder = (enclosing: Enclosing | undefined, task: TaskHandle<any, any>): boolean => {
  let node = enclosing
  while (node !== undefined) {
    if (node === task) return true
    node = node instanceof TaskHandle ? node.group : node.enclosing
  }
  return false
}

/** @internal */
export const isHandle = (u: unknown): u is HandleBase<unknown, unknown> => u instanceof HandleBase
