// Real time, kept to tens of milliseconds, and AbortSignals: the helpers the interop
// tests share to make tasks that wait.

/** Resolves after `ms` milliseconds; with a signal, rejects with its reason once it is aborted. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true }
    )
  })

/**
 * Never resolves; rejects with the signal's reason once it is aborted (a well-behaved
 * task). It sets no timer, so it leaves nothing behind once aborted.
 */
export const untilAborted = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason)
    signal.addEventListener("abort", () => reject(signal.reason), { once: true })
  })

/** A task that waits `ms` milliseconds (or until its signal aborts), then returns `value`. */
export const after =
  <A>(ms: number, value: A) =>
  async (signal: AbortSignal): Promise<A> => (await sleep(ms, signal), value)

/** A task that waits `ms` milliseconds, then throws `error`. */
export const failAfter = (ms: number, error: unknown) => async (): Promise<never> => {
  await sleep(ms)
  throw error
}

/** Milliseconds since `start`. */
export const since = (start: number): number => performance.now() - start
