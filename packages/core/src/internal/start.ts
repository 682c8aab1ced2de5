import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { SoonValue } from "../SoonValue.ts"
import type { StartOptions } from "../TaskGroup.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import type { Runner } from "./runner.ts"
import { type TaskRef, taskTimeoutFrom, withTimeout } from "./taskTimeout.ts"
import { asTaskEffect, describe, illegalArgument, taskOptionsProblem } from "./validation.ts"

// The start handshake (trio's and anyio's `start`): a task is spawned with a `starting`
// Deferred in its handle; `started(value)` completes it with the value; a task that
// ends first completes it with its outcome instead (`GroupImpl.taskEnded`), which then
// belongs to whoever waits for the start, not to the group.

/** What a task that ended before calling `started` gives to whoever waits for its start. */
export const startFailure = (
  handle: TaskHandle<any, any>,
  exit: Exit.Exit<unknown, unknown>
): Exit.Exit<never, unknown> =>
  exit._tag === "Failure"
    ? (exit as Exit.Exit<never, unknown>)
    : Exit.die(
        new Error(
          `TaskGroup.start: task "${handle.name}" ended without calling started(value); ` +
            "call started once the task is ready, before it returns"
        )
      )

/** Completes the start with `value`; gives the defect of a second call instead. */
const markStarted = <S>(
  starting: Deferred.Deferred<S, any>,
  handle: TaskHandle<any, any> | undefined,
  value: S,
  where: string,
  name: string | undefined
): Error | undefined => {
  if (!Deferred.doneUnsafe(starting, Exit.succeed(value))) {
    return new Error(`${where}: started(value) was called twice by task "${handle?.name ?? name ?? "?"}"`)
  }
  if (handle !== undefined) handle.starting = undefined
  return undefined
}

/**
 * Waits for the start. Whoever waits owns the task until it has started: if the wait is
 * interrupted, the task is cancelled, and its outcome goes to the group from then on
 * (had the task ended first, its outcome would have resumed the waiter at once).
 * `handleKept` says whether the waiter has the task's handle (`startExternal`) or not
 * (`start`: the task is then an orphan, see `TaskHandle.orphan`).
 */
const awaitStart = <S, E>(
  starting: Deferred.Deferred<S, E>,
  handle: TaskHandle<any, any>,
  handleKept: "handle kept" | "handle never given"
): Effect.Effect<S, E> =>
  Effect.onInterrupt(Deferred.await(starting), () =>
    Effect.suspend(() => {
      if (handle.starting === starting) {
        handle.starting = undefined
        if (handleKept === "handle never given") handle.orphan = true
      }
      return handle.cancel
    })
  )

/** `group.start(f, options)`. */
export const start = <S, A, E, R>(
  group: GroupImpl,
  f: (started: (value: S) => Effect.Effect<void>) => Effect.Effect<A, E, R>,
  options: StartOptions | undefined
): Effect.Effect<readonly [S, SoonValue<A, E>], E, R> => {
  const problem =
    typeof f === "function"
      ? taskOptionsProblem("TaskGroup.start", options)
      : `TaskGroup.start: expected a function of \`started\` that returns an Effect, received ${describe(f)}`
  if (problem !== undefined) return Effect.die(illegalArgument(problem))
  const timeout = taskTimeoutFrom("TaskGroup.start", options?.timeout)
  if (typeof timeout === "string") return Effect.die(illegalArgument(timeout))
  return Effect.uninterruptibleMask((restore) =>
    Effect.withFiber((parent) => {
      const starting = Deferred.makeUnsafe<S, E>()
      let handle: TaskHandle<A, E> | undefined
      const started = (value: S): Effect.Effect<void> =>
        Effect.suspend(() => {
          const twice = markStarted(starting, handle, value, "TaskGroup.start", undefined)
          return twice === undefined ? Effect.void : Effect.die(twice)
        })
      const ref: TaskRef = { handle: undefined }
      const call = Effect.suspend(() => asTaskEffect("TaskGroup.start", f, f(started)))
      // Internally a task's E is its own: `TaskTimeout` joins it in the public types only.
      const task = timeout === undefined ? call : (withTimeout(call, timeout, ref) as Effect.Effect<A, E, R>)
      // `starting` is in the handle before the task can run, so an end before `started`
      // goes to the caller of `start` whenever the scheduler lets the task run.
      return Effect.flatMap(
        group.launcher.spawnSoon(parent, task, options?.name ?? (f.name || undefined), starting),
        (spawned) => {
          handle = spawned
          ref.handle = spawned
          return Effect.map(
            restore(awaitStart(starting, spawned, "handle never given")),
            (value) => [value, spawned] as const
          )
        }
      )
    })
  )
}

/** `TaskGroup.startExternalUnsafe(group, f, options)`: the handshake for a task run outside Effect. */
export const startExternal = <S, A, E>(
  group: GroupImpl,
  f: (started: (value: S) => void, soon: SoonValue<A, E>) => Runner<A, E>,
  name: string | undefined
): { readonly soon: SoonValue<A, E>; readonly started: Effect.Effect<S, E> } => {
  const starting = Deferred.makeUnsafe<S, E>()
  let handle: TaskHandle<A, E> | undefined
  const started = (value: S): void => {
    const twice = markStarted(starting, handle, value, "TaskGroup.startExternalUnsafe", name)
    if (twice !== undefined) throw twice
  }
  // The start function may call `started` before `spawnExternal` returns: the handle
  // it is called with is the one a second call names.
  handle = group.launcher.spawnExternal(
    (task) => {
      // (On a deep stack the call comes later, from the task's fiber, which may not know it.)
      if (task !== undefined) handle = task as TaskHandle<A, E>
      return f(started, task as TaskHandle<A, E>)
    },
    name,
    starting
  )
  return { soon: handle, started: awaitStart(starting, handle, "handle kept") }
}
