// Virtual time for Promise code: tasks wait on timers the test fires one at a time, in
// time order, letting every promise and every Effect fiber run to a standstill between
// two of them. Deterministic, and as fast as the code under test. A timer fires in the
// async context it was set in, as a real one does (the code of a task that a timer
// resumes is still code of that task).
import { AsyncResource } from "node:async_hooks"

interface Timer {
  readonly time: number
  readonly seq: number
  readonly fire: () => void
  live: boolean
}

/** One turn of the event loop: microtasks drain, then pending immediates (Effect's scheduler) run. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

const pendingImmediates = (): number => {
  let count = 0
  for (const resource of process.getActiveResourcesInfo()) if (resource === "Immediate") count++
  return count
}

export class VirtualTime {
  now = 0
  #seq = 0
  readonly #timers: Array<Timer> = []

  /** Calls `fire` at `time`; returns a function that cancels it. */
  at(time: number, fire: () => void): () => void {
    const timer: Timer = { time, seq: this.#seq++, fire: AsyncResource.bind(fire), live: true }
    this.#timers.push(timer)
    return () => {
      timer.live = false
    }
  }

  /** Resolves after `ms` virtual ms; rejects with the signal's reason once it is aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const onAbort = () => {
        cancel()
        reject(signal!.reason)
      }
      const cancel = this.at(this.now + ms, () => {
        signal?.removeEventListener("abort", onAbort)
        resolve()
      })
      signal?.addEventListener("abort", onAbort, { once: true })
    })
  }

  /** Timers not fired nor cancelled. */
  get pending(): number {
    return this.#timers.filter((timer) => timer.live).length
  }

  /**
   * Lets everything run until nothing is left to run: no microtask, no immediate (Effect
   * schedules fibers with setImmediate), twice in a row.
   */
  async settle(): Promise<void> {
    let quiet = 0
    for (let turns = 0; quiet < 2; turns++) {
      if (turns > 10_000) throw new Error("VirtualTime.settle: the code under test never stops running")
      await turn()
      quiet = pendingImmediates() === 0 ? quiet + 1 : 0
    }
  }

  /** Fires every timer in time order (then creation order), settling after each; returns when none is left. */
  async run(): Promise<void> {
    await this.settle()
    for (;;) {
      let next: Timer | undefined
      for (const timer of this.#timers) {
        if (timer.live && (next === undefined || timer.time < next.time)) next = timer
      }
      if (next === undefined) return
      next.live = false
      this.now = Math.max(this.now, next.time)
      next.fire()
      await this.settle()
    }
  }
}
