// The async context (Node's `AsyncLocalStorage` values) a task waiting for its turn
// resumes in, as a fiber that waited would (Effect captures one when a fiber suspends),
// and as p-limit does for the functions it queues. Found at run time, as Effect finds
// it, so that the package needs no Node types and runs where there is none.

/** @internal */
export interface AsyncContext {
  runInAsyncScope<This, Arg, R>(fn: (this: This, arg: Arg) => R, thisArg: This, arg: Arg): R
  emitDestroy(): void
}

const AsyncResource: (new (type: string) => AsyncContext) | undefined = (() => {
  try {
    return (globalThis as any).process?.getBuiltinModule?.("node:async_hooks")?.AsyncResource
  } catch {
    return undefined
  }
})()

/** The current async context, to run something in later; `undefined` where there is none. */
export const captureAsyncContext = (): AsyncContext | undefined =>
  AsyncResource === undefined ? undefined : new AsyncResource("@soonify/core/QueuedStart")
