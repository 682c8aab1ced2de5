import * as Clock from "effect/Clock"
import * as Context from "effect/Context"

// When a task started, for snapshots (`startedAt`). Every task that starts needs it, and
// reading the system clock costs more than starting a task that returns at once (70 to
// 250 ns a call on virtual machines where `Date.now` is a system call). So with Effect's
// own Clock the time is read once for the tasks that start in the same synchronous run
// (until the next microtask, and by at most `readsPerStamp` tasks after the first): tasks started together
// share their start time, to the length of that run. A Clock of the program's own (a
// TestClock) is asked for every task.

/** Effect's default Clock, what a program with no Clock of its own uses. */
const systemClock: Clock.Clock = Context.get(Context.empty(), Clock.Clock)

/** How many tasks may share one reading. */
const readsPerStamp = 256

/** The reading the tasks started since the last microtask share, and how many have used it since. */
let stamp: number | undefined = undefined
let uses = 0

const expire = (): void => {
  stamp = undefined
}

/** The start time for a task starting now, in milliseconds since the epoch, from `clock`. */
export const startTime = (clock: Clock.Clock): number => {
  if (clock !== systemClock) return clock.currentTimeMillisUnsafe()
  if (stamp === undefined) queueMicrotask(expire)
  else if (++uses <= readsPerStamp) return stamp
  uses = 0
  stamp = clock.currentTimeMillisUnsafe()
  return stamp
}
