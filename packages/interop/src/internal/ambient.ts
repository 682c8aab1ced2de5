// The ambient task context: which task (or group) the running code belongs to, carried
// through `await` by `AsyncLocalStorage`, so that interop's operations started there are
// tied to that task's cancellation without a signal passed by hand.
//
// Found at run time with `process.getBuiltinModule` (Node 22.3+, Deno, Bun) rather than
// imported: a static `import "node:async_hooks"` would break browser bundles. Where there
// is no such module (browsers, until `AsyncContext` ships) nothing is ambient, and the
// operations' explicit `signal` options are the way.
//
// Cost: most tasks are started synchronously by code that already runs in their context
// (a body spawning into its own group, a gather starting its functions), which a plain
// variable tells for free. Only a task started from elsewhere switches context.
import type { AsyncLocalStorage, AsyncResource } from "node:async_hooks"

/**
 * What code runs on behalf of: a task with a signal of its own (`tg.spawn`, `tg.start`),
 * or a group, whose signal its body, its `soonify`'d tasks and the functions of a
 * `gather` or an `asCompleted` loop share.
 */
export interface Enclosing {
  /** Aborted, with the reason, when the task or group is cancelled. */
  readonly signal: AbortSignal
}

/**
 * A group's context, entered by many tasks: it keeps the async scope made for it the
 * first time a task had to switch into it, so that later ones only jump there.
 */
export interface SharedEnclosing extends Enclosing {
  ambientScope: AsyncResource | undefined
}

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

/** An async scope whose context is the caller's plus `context`, made without touching the caller's. */
const scopeFor = (context: Enclosing): AsyncResource =>
  hooks!.AsyncResource.bind(() => {
    storage!.enterWith(context)
    return new hooks!.AsyncResource("soonify")
  })()

/** Calls `f` as code of a group's context: its body, its tasks without a signal of their own. */
export const runInGroup = <R>(context: SharedEnclosing, f: () => R): R => {
  if (storage === undefined || current === context) return f()
  const prior = current
  current = context
  try {
    if (storage.getStore() === context) return f()
    return (context.ambientScope ??= scopeFor(context)).runInAsyncScope(f)
  } finally {
    current = prior
  }
}

/** Calls `f` as code of a task of its own (one that can be cancelled alone). */
export const runAsTask = <R>(context: Enclosing, f: () => R): R => {
  if (storage === undefined) return f()
  const prior = current
  current = context
  try {
    return storage.run(context, f)
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
