// Waiting on handles: `allEnded` for the waits that need every handle (`soon.wait()`,
// `soon.cancel()`, `waitAll`), and the one completion-order helper, `Arrivals`: handles in
// the order they end, recorded as each ends (not when somebody gets to look), so that
// handles ending in one turn keep their true order (`waitAny`, `resultsToChannel`,
// `asCompleted`).
import type { SoonValue } from "../SoonValue.ts"

/** How a handle is watched: calls `f` once it has ended; gives the function that stops watching. */
export type Observe = (soon: SoonValue<unknown>, f: () => void) => () => void

/**
 * Resolves once every handle has ended (at once if they have); else rejects with
 * `signal.reason` once `signal` aborts first, and stops watching. `observe` as for
 * {@link Arrivals}.
 */
export const allEnded = (
  handles: ReadonlyArray<SoonValue<unknown>>,
  observe: Observe,
  signal: AbortSignal | undefined
): Promise<void> =>
  new Promise((resolve, reject) => {
    let left = 0
    const stops: Array<() => void> = []
    const abort = () => {
      for (const stop of stops) stop()
      reject(signal!.reason)
    }
    const arrived = () => {
      if (--left > 0) return
      signal?.removeEventListener("abort", abort)
      resolve()
    }
    for (const soon of handles) {
      if (soon.ready) continue
      left++
      stops.push(observe(soon, arrived))
    }
    if (left === 0) return resolve()
    if (signal?.aborted) return abort()
    signal?.addEventListener("abort", abort, { once: true })
  })

/**
 * Watches `handles`: `arrived` holds them in the order they ended, those that had ended
 * already first (in input order). `next(count, signal)` waits until more than `count`
 * have arrived, or rejects with `signal.reason` once `signal` aborts. `close()` stops
 * watching (the handles' tasks go on). `observe` is the SoonValue class's own (given,
 * not imported, so that the class can use this helper).
 */
export class Arrivals<H extends SoonValue<unknown>> {
  readonly arrived: Array<H> = []
  #wake: (() => void) | undefined = undefined
  #stops: Array<() => void> | undefined = undefined

  constructor(handles: ReadonlyArray<H>, observe: Observe) {
    for (let i = 0; i < handles.length; i++) if (handles[i]!.ready) this.arrived.push(handles[i]!)
    if (this.arrived.length === handles.length) return
    const stops: Array<() => void> = []
    this.#stops = stops
    for (let i = 0; i < handles.length; i++) {
      const soon = handles[i]!
      if (soon.ready) continue
      stops.push(
        observe(soon, () => {
          this.arrived.push(soon)
          const wake = this.#wake
          this.#wake = undefined
          wake?.()
        })
      )
    }
  }

  /** Resolves once more than `count` handles have arrived; rejects with the reason once `signal` aborts first. */
  next(count: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason)
    if (this.arrived.length > count) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      if (signal === undefined) {
        this.#wake = resolve
        return
      }
      const stop = () => {
        this.#wake = undefined
        reject(signal.reason)
      }
      signal.addEventListener("abort", stop, { once: true })
      this.#wake = () => {
        signal.removeEventListener("abort", stop)
        resolve()
      }
    })
  }

  /** Stops watching the handles that have not arrived. */
  close(): void {
    const stops = this.#stops
    this.#stops = undefined
    if (stops !== undefined) for (const stop of stops) stop()
    this.#wake = undefined
  }
}
