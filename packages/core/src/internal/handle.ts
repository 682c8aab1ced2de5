import { Task, type TaskOptions } from "@soonify/kernel"
import type * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as Tracer from "effect/Tracer"
import * as Option from "effect/Option"
import { PendingValue } from "../PendingValue.ts"
import { format } from "effect/Formatter"
import { NodeInspectSymbol } from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"
import type { SoonValue } from "../SoonValue.ts"
import type { GroupImpl } from "./group.ts"
import { type Enclosing, enclosingOf } from "./currentTask.ts"
import { failureRead } from "./unread.ts"

/** @internal */
export const SoonValueTypeId = "~@soonify/core/SoonValue" as const

/** Effect's `Deferred` type id: a handle is read through `Deferred.await` / `Deferred.poll`. */
const DeferredTypeId = "~effect/Deferred"

const variance = { _A: (a: unknown) => a, _E: (e: unknown) => e }

/**
 * What every handle shares: the handle is itself the `Deferred` its readers wait on
 * (DESIGN §2: one object per task, never handed out typed as a `Deferred`). It has
 * Effect's `Deferred` shape (`effect`, `resumes`), is completed once with the task's
 * `Exit` by `Deferred.doneUnsafe`, and read by `Deferred.await` and `Deferred.poll`.
 * It is also the kernel's task record (`Task`): a `Future` is one that no group runs.
 *
 * @internal
 */
export abstract class HandleBase<A, E> extends Task<Effect.Effect<A, E, any> | undefined> {
  /**
   * Deferred's field: the task's Exit once it has ended (a field from the start: every
   * handle gets it, set by its maker, see `taskHandle`).
   */
  declare effect?: Exit.Exit<A, E> | undefined
  /** Deferred's field: who waits for the Exit, until it is there. */
  declare resumes?: Array<(effect: Effect.Effect<A, E>) => void> | undefined
  /**
   * For a failed task's handle only (unread.ts): "watched" while its failure is reported
   * if the handle is collected unread, "read" once somebody read it.
   */
  declare unread: "watched" | "read" | undefined

  get [SoonValueTypeId](): SoonValue.Variance<A, E> {
    return variance as any
  }

  get [DeferredTypeId]() {
    return variance
  }

  /** The task's Exit once it has ended. */
  get exit(): Exit.Exit<A, E> | undefined {
    return this.effect
  }

  override get ready(): boolean {
    return this.effect !== undefined
  }

  get value(): Effect.Effect<A, E | PendingValue> {
    // Once ended, the Exit is the answer (an Exit is an Effect) and never changes; before,
    // the check must wait until the effect runs.
    const exit = this.effect
    if (exit !== undefined) return this.read(exit)
    return Effect.suspend((): Effect.Effect<A, E | PendingValue> => {
      const exit = this.effect
      return exit === undefined ? Effect.fail(this.pendingError()) : this.read(exit)
    })
  }

  get await(): Effect.Effect<A, E> {
    const exit = this.effect
    if (exit !== undefined) return this.read(exit)
    // Whoever waits sees the failure: it is read (unread.ts).
    return Effect.tapCause(Deferred.await(this as unknown as Deferred.Deferred<A, E>), () =>
      Effect.sync(() => {
        if (this.effect?._tag === "Failure") failureRead(this)
      })
    )
  }

  /**
   * Waits until the task has ended, without reading its outcome: what `waitAny`,
   * `waitAll` and `asCompleted` wait with, so that a failure they only waited for is
   * still reported if nobody reads it (unread.ts).
   */
  get whenEnded(): Effect.Effect<void> {
    return Effect.asVoid(Effect.exit(Deferred.await(this as unknown as Deferred.Deferred<A, E>)))
  }

  get poll(): Effect.Effect<Option.Option<Exit.Exit<A, E>>> {
    return Effect.map(Deferred.poll(this as unknown as Deferred.Deferred<A, E>), (polled) =>
      Option.isNone(polled) ? Option.none() : Option.some(this.read(polled.value as Exit.Exit<A, E>))
    )
  }

  /** The Exit, as a read of it: a failure read is no longer reported as unread (unread.ts). */
  peek(): Exit.Exit<A, E> | undefined {
    const exit = this.effect
    return exit === undefined ? undefined : this.read(exit)
  }

  /** `exit`, read by somebody: marks a failure as read (unread.ts); nothing for a success. */
  private read(exit: Exit.Exit<A, E>): Exit.Exit<A, E> {
    if (exit._tag === "Failure") failureRead(this)
    return exit
  }

  abstract get cancel(): Effect.Effect<void>

  /** Completes the handle (`Deferred.doneUnsafe`); the first completion wins. */
  complete(exit: Exit.Exit<A, E>): boolean {
    return Deferred.doneUnsafe(this as unknown as Deferred.Deferred<A, E>, exit)
  }

  pipe() {
    return pipeArguments(this, arguments)
  }

  toJSON(): unknown {
    const exit = this.effect
    return { _id: this.kind, name: this.name, state: exit === undefined ? "pending" : exit.toJSON() }
  }

  override toString(): string {
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
 * A task spawned into a group: its kernel record (phase, key, attempt, progress, times:
 * written by the kernel's `Group` only), its handle (the `Deferred` completed with its
 * Exit), and what its runtime needs to run it (its effect, the context it was spawned
 * in, its fiber while it runs).
 *
 * @internal
 */
export class TaskHandle<A, E> extends HandleBase<A, E> {
  // Its effect is the kernel's `Task.run`, let go of once no attempt can follow.
  /** The context its fiber runs with (its spawner's; set by `taskHandle`). */
  declare context: Context.Context<never> | undefined
  /** Its fiber, while an attempt runs past its first steps. */
  declare fiber?: Fiber.Fiber<A, E> | undefined
  /** Set by `group.start` until the task calls `started` (or its starter gives up). */
  declare starter?: Deferred.Deferred<any, any> | undefined
  /** The task's span, in a group traced with a tracer installed (see spans.ts). */
  declare span?: Tracer.Span | undefined

  get kind() {
    return "SoonValue"
  }

  get cancel(): Effect.Effect<void> {
    return Effect.suspend(() => {
      const group = groupOf(this)
      if (group === undefined) return Effect.void
      return Effect.withFiber((current) => {
        group.cancelTask(this, current.id)
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

/**
 * A task's handle: the kernel's task record for `work` (its `Task.run`), with the fields
 * of the handle set at once, in one order, so that every handle has one layout.
 *
 * Neither `HandleBase` nor `TaskHandle` has a constructor of its own: `new TaskHandle`
 * is then the kernel's `Task` constructor alone, which V8 inlines into the spawn; a
 * constructor at each of the three levels cost about 500 instructions per task (a
 * generic construct call for each `super`).
 */
export const taskHandle = <A, E>(
  work: Effect.Effect<A, E, any> | undefined,
  name: string | undefined,
  context: Context.Context<never> | undefined,
  options?: TaskOptions
): TaskHandle<A, E> => {
  const task = new TaskHandle<A, E>(work, name, options)
  task.effect = undefined
  task.context = context
  return task
}

/** Whether code under `enclosing` runs under `task`: in it, or in anything nested in it. */
const runsUnder = (enclosing: Enclosing | undefined, task: TaskHandle<any, any>): boolean => {
  let node = enclosing
  while (node !== undefined) {
    if (node === task) return true
    node = node instanceof TaskHandle ? groupOf(node) : node.enclosing
  }
  return false
}

/** The group a task runs in, until it ends (the kernel's group's runtime is the core group). */
export const groupOf = (task: Task<any>): GroupImpl | undefined => task.group?.runtime as GroupImpl | undefined

/** @internal */
export const isHandle = (u: unknown): u is HandleBase<unknown, unknown> => u instanceof HandleBase
