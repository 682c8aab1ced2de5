// The group handed to Promise code (`TaskGroup`): what user code calls, turned into
// kernel spawns. Every decision about tasks (admission, fail fast, keys, retry,
// timeouts, the handshake) is the kernel's; the Promise side of the group (its runtime,
// signal and reason) is its context (context.ts).
import { type Key, Refusal, snapshotTree, type TaskOptions as KernelTaskOptions } from "@soonify/kernel"
import { TaskGroupClosedError, TimeoutError } from "../Errors.ts"
import type { GroupSnapshot } from "../Snapshot.ts"
import type { SoonValue } from "../SoonValue.ts"
import type { SoonifyOptions, SpawnOptions, TaskGroup, TaskKey, TaskOptions } from "../TaskGroup.ts"
import { stopSignal } from "#ambient"
import type { GroupContext } from "./context.ts"
import { checkKey, keyOfCall } from "./keys.ts"
import { combine, errorsOf, NONE, startFailure } from "./outcome.ts"
import { retryOf } from "./retry.ts"
import { checkPartition, priorityOf } from "./flow.ts"
import { CallTask } from "./tasks.ts"
import {
  checkFunction,
  checkName,
  checkOptions,
  concurrencyOf,
  describe,
  stringOfCall,
  timeoutOf
} from "./validation.ts"

/** The kernel options shared by every task of one `spawn` / `soonify` (checked): `undefined` when none of them is given. */
const kernelOptions = (where: string, options: SpawnOptions | undefined): KernelTaskOptions | undefined => {
  if (options === undefined) return undefined
  const timeout = timeoutOf(where, options.timeout)
  const retry = options.retry === undefined ? undefined : retryOf(where, options.retry)
  const priority = priorityOf(where, options.priority)
  const partition = options.partition
  checkPartition(where, partition, where === "tg.soonify")
  // None of them: the tasks share the kernel's empty options (no object per spawn).
  if (timeout === undefined && retry === undefined && priority === undefined && partition === undefined)
    return undefined
  // A function (soonify's) is replaced by its value per call.
  return { timeout, retry, priority, partition: partition as string | undefined }
}

export class GroupView implements TaskGroup {
  declare readonly context: GroupContext

  constructor(context: GroupContext) {
    this.context = context
  }

  get name(): string {
    return this.context.settings.name
  }

  get signal(): AbortSignal {
    return this.context.signal
  }

  cancel(reason?: unknown): void {
    this.context.cancel(reason)
  }

  soonify<Args extends ReadonlyArray<unknown>, R>(
    fn: (...args: Args) => R,
    options?: SoonifyOptions<Args>
  ): (...args: Args) => SoonValue<Awaited<R>> {
    // Validated once: the function it gives checks only what depends on the call.
    checkFunction("tg.soonify", "fn", fn)
    checkOptions("tg.soonify", options)
    const nameOf = options?.name
    if (typeof nameOf !== "function") checkName("tg.soonify", nameOf)
    const name = typeof nameOf === "string" ? nameOf : fn.name === "" ? undefined : fn.name
    const key = options?.key
    checkKey("tg.soonify", key, "function allowed")
    const shared = kernelOptions("tg.soonify", options as SpawnOptions | undefined)
    const partitionOf = options?.partition
    const context = this.context
    // A shortcut for the common case (the general path below makes the same task): the
    // function it gives holds less, which a program that soonifies per call pays per task.
    if (typeof nameOf !== "function" && key === undefined && typeof partitionOf !== "function") {
      return (...args) => this.#spawn(new CallTask(fn, args, context, "own context", name, shared))
    }
    return (...args) => {
      const task = new CallTask(
        fn,
        args,
        context,
        "own context",
        typeof nameOf === "function" ? stringOfCall("tg.soonify", "name", nameOf, args) : name,
        typeof partitionOf === "function"
          ? { ...shared, partition: stringOfCall("tg.soonify", "partition", partitionOf, args) }
          : shared
      )
      if (key !== undefined) task.key = keyOfCall("tg.soonify", key, args)
      return this.#spawn(task)
    }
  }

  spawn<R>(fn: (signal: AbortSignal) => R, options?: SpawnOptions): SoonValue<Awaited<R>> {
    checkFunction("tg.spawn", "fn", fn)
    const task = this.#task("tg.spawn", fn, options)
    const key = options?.key
    if (key !== undefined) {
      checkKey("tg.spawn", key, "key only")
      task.key = key as Key
    }
    return this.#spawn(task)
  }

  get keys(): ReadonlyArray<TaskKey> {
    return this.context.group.keys
  }

  get concurrency(): number {
    return this.context.group.concurrency
  }

  setConcurrency(concurrency: number): void {
    this.context.group.setConcurrency(concurrencyOf("tg.setConcurrency", concurrency, "concurrency"))
  }

  start<S = void, A = unknown>(
    fn: (started: (value: S) => void, signal: AbortSignal) => A | PromiseLike<A>,
    options?: TaskOptions
  ): Promise<[value: S, soon: SoonValue<A>]> {
    // It returns a promise: bad input and an ended group reject it (a throw in the
    // executor), never throw.
    return new Promise((resolve, reject) => {
      checkFunction("tg.start", "fn", fn)
      const group = this.context.group
      // The caller's cancellation (the enclosing task's) cancels the handshake, and with
      // it the starting task; the caller then sees its own reason.
      const stop = stopSignal(undefined)
      let over = false
      /** The start is over: the caller's cancellation no longer reaches it. */
      const end = (): void => {
        over = true
        stop?.removeEventListener("abort", onStop)
      }
      const onStop = () => {
        end()
        reject(stop!.reason)
        group.abandonStart(task, "handle never given")
      }
      const started = (value: S): void => {
        if (!group.started(task)) {
          throw new Error(`tg.start: started(value) was called twice by task "${task.name}"`)
        }
        end()
        resolve([value, task as SoonValue<A>])
      }
      const task = this.#task("tg.start", (signal: AbortSignal) => fn(started, signal), options, fn)
      task.handshake = "awaited"
      task.starter = (ended) => {
        end()
        reject(startFailure(ended, stop?.aborted === true ? stop.reason : this.context.reason))
      }
      // Calls `fn` before it returns, as a spawn does (a refusal throws: `start` rejects with it).
      this.#spawn(task)
      // Listening only until the start is over (and not added once it is).
      if (stop !== undefined && !over) {
        if (stop.aborted) onStop()
        else stop.addEventListener("abort", onStop, { once: true })
      }
    })
  }

  /** A task of `fn` with a context of its own, from `spawn` / `start` options (checked). */
  #task(
    where: string,
    fn: (signal: AbortSignal) => unknown,
    options: SpawnOptions | undefined,
    named: Function = fn
  ): CallTask {
    checkOptions(where, options)
    checkName(where, options?.name)
    const name = options?.name ?? (named.name === "" ? undefined : named.name)
    return new CallTask(fn, undefined, this.context, "own context", name, kernelOptions(where, options))
  }

  /** Spawns `task` (with its handle) into the kernel group; gives the handle, or throws the refusal. */
  #spawn<A>(task: CallTask): SoonValue<A> {
    const group = this.context.group
    task.handed = true
    // Whether the spawn comes from inside matters only once the group shuts down.
    const spawned = group.spawn(task, "now", group.state === "open" || !this.context.isInside() ? "outside" : "inside")
    if (spawned instanceof Refusal) throw closedError(this.context, spawned)
    return spawned as SoonValue<A>
  }

  snapshot(): GroupSnapshot {
    return snapshotTree(this.context.group)
  }
}

/**
 * The TaskGroupClosedError for a refused spawn: its cause is what the group rejects
 * with (the one error, an AggregateError of several), else the reason it was cancelled
 * with; the message says which.
 */
export const closedError = (context: GroupContext, refusal: Refusal): TaskGroupClosedError => {
  const name = context.settings.name
  const errors = refusal.cause === undefined ? [] : errorsOf(refusal.cause.failures)
  const options = { ended: refusal.ended }
  if (errors.length > 0) {
    const more = errors.length > 1 ? `, and ${errors.length - 1} more` : ""
    return new TaskGroupClosedError(name, refusal.task, {
      ...options,
      cause: combine(errors, `Task group "${name}" failed with ${errors.length} errors`),
      closedBy: `a failure (${describeError(errors[0])}${more})`
    })
  }
  const reason = context.reason
  // A group has a reason exactly when it shut down (when the refusal has a cause).
  if (reason === NONE) return new TaskGroupClosedError(name, refusal.task, options)
  return new TaskGroupClosedError(name, refusal.task, {
    ...options,
    cause: reason,
    closedBy: reason instanceof TimeoutError ? "it timed out" : `it was cancelled (${describeError(reason)})`
  })
}

/** An error in a few words, for a message. */
const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : describe(error)
