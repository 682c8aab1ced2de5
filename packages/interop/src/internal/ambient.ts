// The ambient task context: which task (or group) the running code belongs to, carried
// through `await` by `AsyncLocalStorage`, so that interop's operations started there are
// tied to that task's cancellation without a signal passed by hand.
//
// Found at run time with `process.getBuiltinModule` (Node 20.16+ and 22.3+, Deno, Bun) rather than
// imported: a static `import "node:async_hooks"` would break browser bundles. Where there
// is no such module (browsers, until `AsyncContext` ships) nothing is ambient, and the
// operations' explicit `signal` options are the way.
//
// Cost: code started synchronously by code that already runs in its context (a gather
// starting its functions) is told so by a plain variable, for free. Everything else
// (every `soonify`, `spawn` or `start` task, which is a context of its own, and a group
// body) enters a context: Node copies its current context frame (a `Map` of every
// `AsyncLocalStorage`'s value) once to enter and once to leave, about 370 B each and a
// few hundred nanoseconds in all (measured on Node 24). No public API enters a context
// without that copy.
import type { Task } from "@soonify/kernel"
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
   * The kernel record of the task the code runs in, for snapshots and progress: a task's
   * own (`tg.soonify`, `tg.spawn`, `tg.start`); for a group, the task it was opened in, if any.
   */
  readonly task?: Task<any> | undefined
  /**
   * What this runs under, in turn: a task's owner (its group, gather or loop), the
   * context a group was opened in. How a spawn tells whether it comes from inside a
   * group (see `GroupView.isInside`).
   */
  readonly outer?: Enclosing | undefined
}

interface Globals {
  readonly process?: { readonly getBuiltinModule?: (id: string) => unknown } | undefined
}

const hooks = (globalThis as Globals).process?.getBuiltinModule?.("node:async_hooks") as
  typeof import("node:async_hooks") | undefined

const storage: AsyncLocalStorage<Enclosing> | undefined = hooks && new hooks.AsyncLocalStorage<Enclosing>()

/**
 * The context entered synchronously by the code now on the stack, if any: the synchronous
 * shadow of `storage` (what `runIn` entered, read without asking the storage). It stays
 * here, beside the storage it shadows, rather than in the kernel's registry: each copy of
 * interop has its own storage, and code runs only in contexts its own copy entered.
 */
let current: Enclosing | undefined

/** The task or group the running code belongs to, if any. */
export const enclosing = (): Enclosing | undefined => current ?? storage?.getStore()

// A core group opened in Promise code of a task (`Effect.runPromise(TaskGroup.run(...))`
// inside `tg.spawn`) is shown under that task: core asks this, as it cannot import
// interop (the kernel's registry documents the bridge).
Object.defineProperty(globalThis, Symbol.for("soonify.ambientTask"), {
  value: (): Task<any> | undefined => enclosing()?.task,
  configurable: true,
  writable: true
})

/**
 * Calls `f(x)` as code of `context`: in the caller's async context (so that the caller's
 * own `AsyncLocalStorage` values, a trace context for instance, carry on) plus
 * `context`. Free when the code already runs there (a gather starting its functions);
 * otherwise the caller's context is entered with `context` and, once `f` returns,
 * with its own value again (what `AsyncLocalStorage.run` does, without its rest
 * arguments). The other storages' values the caller sees afterwards are those `f` left:
 * `enterWith` in `f` reaches the rest of the synchronous run, as Node documents.
 * (Restoring the caller's very frame instead, through an `AsyncResource`, costs half as
 * much again per call.) `f` and `x` are passed apart so that a hot caller needs no
 * closure.
 */
export const runIn = <X, R>(context: Enclosing, f: (x: X) => R, x: X): R => {
  if (storage === undefined || current === context) return f(x)
  const prior = current
  current = context
  try {
    const outer = storage.getStore()
    if (outer === context) return f(x)
    storage.enterWith(context)
    try {
      return f(x)
    } finally {
      storage.enterWith(outer!)
    }
  } finally {
    current = prior
  }
}

/**
 * The signal of code outside any task: never aborted (there is nothing to cancel). A lazy
 * constant: made when first asked for (most programs never ask), then never replaced.
 */
let neverAborted: AbortSignal | undefined

/** `taskSignal()`: the signal of the task the running code belongs to, else one that never aborts. */
export const taskSignal = (): AbortSignal => enclosing()?.signal ?? (neverAborted ??= new AbortController().signal)

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
