import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { TaskTimeout } from "../TaskTimeout.ts"
import type { TaskHandle } from "./handle.ts"
import { timeoutExample } from "./timeout.ts"
import { durationOptionFrom } from "./validation.ts"

// A task's own `timeout` (DESIGN §3): the task's effect raced against its deadline. When
// the deadline wins, the effect is interrupted and waited for (what `Effect.raceFirst`
// does with the loser), the task shown as cancelling meanwhile (and reported if it is
// stuck), then the attempt fails with `TaskTimeout`. Under `retry` each attempt is raced
// on its own. Only tasks given the option come here.

/** The task a timeout belongs to: its handle, known once it is spawned. */
export interface TaskRef {
  handle: TaskHandle<any, any> | undefined
}

/** A checked task `timeout`: `undefined` for none (absent or infinite), or the message of its problem. */
export const taskTimeoutFrom = (where: string, timeout: unknown): Duration.Duration | undefined | string =>
  timeout === undefined ? undefined : durationOptionFrom(where, "timeout", timeout, timeoutExample)

/** `effect`, failing with `TaskTimeout` once interrupted after `timeout`. */
export const withTimeout = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  timeout: Duration.Duration,
  ref: TaskRef
): Effect.Effect<A, E | TaskTimeout, R> =>
  Effect.suspend(() => {
    let stopping: TaskHandle<any, any> | undefined
    const deadline = Effect.flatMap(Effect.sleep(timeout), () => {
      const handle = ref.handle
      const group = handle?.group
      if (group !== undefined) {
        stopping = handle
        group.cancelRequested(handle!)
        group.watchStuck()
      }
      return Effect.fail(new TaskTimeout({ task: handle?.name ?? "?", group: group?.name ?? "?", timeout }))
    })
    return Effect.onExit(Effect.raceFirst(effect, deadline), () =>
      Effect.sync(() => {
        // The attempt has ended: with `retry`, the next one is not cancelling.
        if (stopping !== undefined) stopping.group?.cancelEnded(stopping)
      })
    )
  })
