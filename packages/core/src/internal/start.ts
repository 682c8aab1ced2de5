import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { SoonValue } from "../SoonValue.ts"
import type { StartOptions } from "../TaskGroup.ts"
import type { GroupImpl } from "./group.ts"
import type { TaskHandle } from "./handle.ts"
import { taskOptions } from "./taskCapabilities.ts"
import { partitionProblem, priorityProblem } from "./flow.ts"
import { taskTimeoutFrom } from "./taskTimeout.ts"
import { asTaskEffect, describe, illegalArgument, taskOptionsProblem } from "./validation.ts"

// The start handshake (trio's and anyio's `start`): the kernel keeps it (`handshake`:
// who the task's outcome goes to until it calls `started`); this gives it to Effect: a
// `Deferred` the caller of `start` waits on, completed by `started(value)`, or by the
// task's outcome when it ends first (group.ts, route "starter").

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

/**
 * Waits for the start. Whoever waits owns the task until it has started: if the wait is
 * interrupted, the task is cancelled, and its outcome goes to the group from then on
 * (had the task ended first, its outcome would have resumed the waiter at once).
 */
const awaitStart = <S, E>(
  group: GroupImpl,
  starting: Deferred.Deferred<S, E>,
  handle: TaskHandle<any, any>
): Effect.Effect<S, E> =>
  Effect.onInterrupt(Deferred.await(starting), () =>
    Effect.suspend(() => {
      if (handle.group !== undefined) group.kernel.abandonStart(handle, "handle never given")
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
  const flowProblem =
    priorityProblem("TaskGroup.start", options?.priority) ??
    partitionProblem("TaskGroup.start", options?.partition, false)
  if (flowProblem !== undefined) return Effect.die(illegalArgument(flowProblem))
  return Effect.uninterruptibleMask((restore) =>
    Effect.withFiber((parent) => {
      const starting = Deferred.makeUnsafe<S, E>()
      let handle: TaskHandle<A, E> | undefined
      const started = (value: S): Effect.Effect<void> =>
        Effect.suspend(() => {
          if (!Deferred.doneUnsafe(starting, Exit.succeed(value))) {
            return Effect.die(
              new Error(`TaskGroup.start: started(value) was called twice by task "${handle?.name ?? "?"}"`)
            )
          }
          if (handle !== undefined) group.kernel.started(handle)
          return Effect.void
        })
      const task = Effect.suspend(() => asTaskEffect("TaskGroup.start", f, f(started)))
      // The handshake is the task's before it can run, so an end before `started` goes to
      // the caller of `start` whenever the scheduler lets the task run.
      return Effect.flatMap(
        group.spawnSoon<A, E>(
          parent,
          task,
          options?.name ?? (f.name || undefined),
          taskOptions(options?.timeout, undefined, parent.context, options?.priority, options?.partition),
          undefined,
          starting
        ),
        (spawned) => {
          handle = spawned
          return Effect.map(restore(awaitStart(group, starting, spawned)), (value) => [value, spawned] as const)
        }
      )
    })
  )
}
