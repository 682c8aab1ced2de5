// The one completion-order helper: handles in the order they end, recorded as each ends
// (not when somebody gets to look), so that handles ending in one turn keep their true
// order. `soon.wait()`, `waitAny`, `waitAll`, `resultsToChannel` and `asCompleted` all
// wait through it.
import type { SoonValue } from "../SoonValue.ts"

/** How a handle is watched: calls `f` once it has ended; gives the function that stops watching. */
export type Observe = (soon: SoonValue<unknown>, f: () => void) => () => void

/**
 * Watches `handles`: `arrived` holds them in the order they ended, those that had ended
 * already first (in input order). `next(count, signal)` waits until more than `count`
 * have arrived, or rejects with `signal.reason` once `signal` aborts. `close()` stops
 * watching (the handles' tasks go on). `observe` is the SoonValue class's own (given,
 * not imported, so that the class can use this helper).
 */
export class Arrivals<H extends SoonValue<unknown>> {
  readonly arrived: Array<H> = []
  readonly expected: number
  #wake: (() => void) | undefined = undefined
  #stops: Array<() => void> | undefined = undefined

  constructor(handles: ReadonlyArray<H>, observe: Observe) {
    this.expected = handles.length
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

  /** Whether every handle has arrived. */
  get done(): boolean {
    return this.arrived.length === this.expected
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

  /** Resolves once every handle has arrived; rejects with the reason once `signal` aborts first. */
  async all(signal: AbortSignal | undefined): Promise<void> {
    while (!this.done) await this.next(this.arrived.length, signal)
  }

  /** Stops watching the handles that have not arrived. */
  close(): void {
    const stops = this.#stops
    this.#stops = undefined
    if (stops !== undefined) for (const stop of stops) stop()
    this.#wake = undefined
  }
}
