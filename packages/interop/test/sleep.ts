// Real time, kept to tens of milliseconds: the helpers the interop tests share.

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

/** Never resolves; rejects with the signal's reason once it is aborted (a well-behaved task). */
export const untilAborted = (signal: AbortSignal): Promise<never> => sleep(2 ** 30, signal) as Promise<never>

/** Milliseconds since `start`. */
export const since = (start: number): number => performance.now() - start
