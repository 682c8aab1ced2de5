/**
 * The running task's AbortSignal, found without passing it by hand: what lets a
 * `soonify`'d function's `fetch` be cancelled with its task.
 *
 * @since 0.2.0
 */
import * as ambient from "#ambient"

/**
 * The AbortSignal of the task the running code belongs to: pass it on to `fetch`, Node's
 * `fs/promises`, `timers/promises` and anything else that takes a `signal`, so that fail
 * fast, `timeout` and `soon.cancel()` reach the I/O.
 *
 * **When to use**
 *
 * In a `soonify`'d function, which gets no signal argument (it keeps its own
 * parameters): without it, a `fetch` to a server that never answers cannot be stopped,
 * and the group waits for it forever (see the group option `stuckAfter`).
 *
 * **Details**
 *
 * - Inside a task it is the innermost task's signal, aborted with the task's
 *   cancellation reason when that task is cancelled: its group failed, was cancelled or
 *   timed out (a `TimeoutError`), `soon.cancel()` (a `CancelledError`), or its own
 *   `timeout` ran out (a `TimeoutError`). `fetch` then rejects with that reason, which
 *   interop counts as the task's cancellation, not as a failure.
 * - In a `tg.spawn`'d or `tg.start`ed function it is the very signal the function was
 *   given; in a function given to `gather` or `asCompleted`, the one it was given (the
 *   gather's); in a group body, the group's (`tg.signal`).
 * - It is found through the ambient task context (`AsyncLocalStorage`: Node, Deno, Bun),
 *   after `await`s too. Outside any task, or where the platform has no
 *   `AsyncLocalStorage` (browsers, until `AsyncContext` ships), it is one shared signal
 *   that never aborts: there is nothing to cancel there, and the call stays right. In a
 *   browser, use the signal `tg.spawn` gives.
 *
 * **Example**
 *
 * ```ts
 * import { createServer } from "node:http"
 * import { taskGroup, taskSignal, TimeoutError } from "@soonify/interop"
 *
 * // A server that never answers.
 * const server = createServer(() => {}).listen(0, "127.0.0.1")
 * await new Promise((resolve) => server.once("listening", resolve))
 * const { port } = server.address() as { port: number }
 *
 * const fetchText = async (url: string) => (await fetch(url, { signal: taskSignal() })).text()
 * try {
 *   await taskGroup(async (tg) => {
 *     tg.soonify(fetchText)(`http://127.0.0.1:${port}/`)
 *   }, { timeout: 50 })
 * } catch (error) {
 *   console.log(error instanceof TimeoutError) // => true: the fetch was aborted after 50 ms
 * }
 * server.closeAllConnections()
 * server.close()
 * ```
 *
 * @since 0.2.0
 * @category cancellation
 */
export const taskSignal: () => AbortSignal = ambient.taskSignal
