// The ambient task context as a browser build has it (the `browser` condition of
// `#ambient` in package.json): a browser has no `AsyncLocalStorage` (until `AsyncContext`
// ships), so nothing is ambient, exactly as `ambient.ts` behaves where
// `process.getBuiltinModule("node:async_hooks")` gives nothing, without the code that
// looks for it. Interop's operations then stop on their explicit `signal` options only
// (DESIGN §3), and core, in the same page, finds no interop task to show its groups under.
import type { Enclosing } from "./ambient.ts"

export type { Enclosing }

/** The task or group the running code belongs to: none, in a browser. */
export const enclosing = (): Enclosing | undefined => undefined

/** Runs `f(x)`: a browser has nowhere to carry `context` through `await`. */
export const runIn = <X, R>(_context: Enclosing, f: (x: X) => R, x: X): R => f(x)

let neverAborted: AbortSignal | undefined

/** `taskSignal()`: one shared signal that never aborts (there is no running task to find). */
export const taskSignal = (): AbortSignal => (neverAborted ??= new AbortController().signal)

/** The signal an operation stops on: its own `signal` option, if any. */
export const stopSignal = (explicit: AbortSignal | undefined): AbortSignal | undefined => explicit
