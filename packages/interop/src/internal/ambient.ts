// The ambient task context: which task (or group) the running code belongs to, carried
// through `await` by `AsyncLocalStorage`, so that interop's operations started there are
// tied to that task's cancellation without a signal passed by hand.
//
// Found at run time with `process.getBuiltinModule` (Node 20.16+ and 22.3+, Deno, Bun) rather than
// imported: a static `import "node:async_hooks"` would break browser bundles. Where there
// is no such module (browsers, until `AsyncContext` ships) nothing is ambient, and the
// operations' explicit `signal` options are the way.
//
// Cost: most tasks are started synchronously by code that already runs in their context
// (a body spawning into its own group, a gather starting its functions), which a plain
// variable tells for free. A task with a context of its own (`spawn`, `start`), or one
// started from elsewhere, switches context: a few hundred nanoseconds.
import type { SoonValue as CoreSoonValue } from "@soonify/core"
import type { AsyncLocalStorage } from "node:async_hooks"

/**
 * What code runs on behalf of: a task with a signal of its own (`tg.spawn`, `tg.start`),
 * or a group, whose signal its body, its `soonify`'d tasks and the functions of a
 * `gather` or an `asCompleted` loop share.
 */
export interface Enclosing {
  /** Aborted, with the reason, when the task or group is cancelled. */
  readonly signal: AbortSignal
  /**
   * The core handle of the task the code runs in, for snapshots and progress: a task's
   * own (`tg.spawn`, `tg.start`); for a group, the task it was opened in, if any.
   */
  readonly task?: CoreTaskHandle | undefined
}

/** A core task's handle, as interop's modules hold it (Promise code has no typed errors). */
export type CoreTaskHandle = CoreSoonValue.SoonValue<unknown, unknown>

interface Globals {
  readonly process?: { readonly getBuiltinModule?: (id: string) => unknown } | undefined
}

const hooks = (globalThis as Globals).process?.getBuiltinModule?.("node:async_hooks") as
  typeof import("node:async_hooks") | undefined

const storage: AsyncLocalStorage<Enclosing> | undefined = hooks && new hooks.AsyncLocalStorage<Enclosing>()

/** The context entered synchronously by the code now on the stack, if any. */
let current: Enclosing | undefined

/** The task or group the running code belongs to, if any. */
export const enclosing = (): Enclosing | undefined => current ?? storage?.getStore()

const enterThen = <R>(context: Enclosing, f: () => R): R => {
  storage!.enterWith(context)
  return f()
}

/**
 * Tells whether the running code is already code of `context` (or nothing is ambient):
 * then a task of it is started with a plain call, with no closure for {@link runIn}.
 */
export const isIn = (context: Enclosing): boolean => current === context || storage === undefined

/**
 * Calls `f` as code of `context`: in the caller's async context (so that the caller's
 * own `AsyncLocalStorage` values, a trace context for instance, carry on) plus
 * `context`. Free when the code already runs there (a body or a gather starting its
 * tasks); otherwise one new context, and the caller's is restored exactly as it was
 * (`AsyncLocalStorage.run` would restore a copy, which slows every later promise).
 */
export const runIn = <R>(context: Enclosing, f: () => R): R => {
  if (storage === undefined || current === context) return f()
  const prior = current
  current = context
  try {
    if (storage.getStore() === context) return f()
    return new hooks!.AsyncResource("soonify").runInAsyncScope(enterThen, null, context, f) as R
  } finally {
    current = prior
  }
}

/**
 * The signal an operation stops on: the one it was given, the enclosing task's, or
 * both (the first to abort wins).
 */
export const stopSignal = (explicit: AbortSignal | undefined): AbortSignal | undefined => {
  const ambient = enclosing()?.signal
  if (ambient === undefined) return explicit
  if (explicit === undefined || explicit === ambient) return ambient
  return AbortSignal.any([explicit, ambient])
}
