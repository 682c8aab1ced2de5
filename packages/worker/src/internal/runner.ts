/**
 * The worker side: the module piscina loads in every worker thread of a pool. It
 * imports the function's module, calls the export with the call's arguments (and, for
 * a cooperative function, an `AbortSignal` first), and answers with a
 * {@link Response}. It never throws: a function's failure is an answer like any other,
 * so that the only rejections the pool sees are the worker's own troubles (a crash).
 *
 * It loads `effect` only when a function returns an Effect, which it then runs.
 */
import type { TypeId as EffectTypeId } from "effect/Effect"
import { move, transferableSymbol, valueSymbol } from "piscina"
import { buffersIn } from "./transfer.ts"
import { abortRequested, ended, flatten, type Request, type Response, running, type WireReason } from "./wire.ts"

type Loaded = { readonly fn: (...args: ReadonlyArray<unknown>) => unknown } | Extract<Response, { _tag: "Unusable" }>

const modules = new Map<string, Promise<Record<string, unknown>>>()

/** The module's export as a function, or why it cannot be called. */
const load = async ({ module, exportName }: Request): Promise<Loaded> => {
  let loading = modules.get(module)
  if (loading === undefined) {
    loading = import(module) as Promise<Record<string, unknown>>
    modules.set(module, loading)
  }
  let exports: Record<string, unknown>
  try {
    exports = await loading
  } catch (cause) {
    return {
      _tag: "Unusable",
      message: `the worker could not load ${module}: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause: flatten(cause)
    }
  }
  const fn = exports[exportName]
  if (typeof fn === "function") return { fn: fn as (...args: ReadonlyArray<unknown>) => unknown }
  const functions = Object.keys(exports).filter((key) => typeof exports[key] === "function")
  return {
    _tag: "Unusable",
    message:
      `${module} has no export "${exportName}" that is a function ` +
      `(its exported functions: ${functions.length === 0 ? "none" : functions.join(", ")})`,
    cause: undefined
  }
}

/** An `AbortController` aborted once the caller sets the shared flag. */
const watch = (flag: Int32Array): AbortController => {
  const controller = new AbortController()
  const check = () => {
    if (Atomics.load(flag, 0) === abortRequested) {
      controller.abort(new DOMException("The worker call was cancelled", "AbortError"))
    }
  }
  const wait = Atomics.waitAsync(flag, 0, running)
  if (wait.async) wait.value.then(check)
  else check()
  return controller
}

/** Marks the call as ended, which also releases the runner's own wait on the flag. */
const release = (flag: Int32Array | undefined): void => {
  if (flag === undefined) return
  Atomics.compareExchange(flag, 0, running, ended)
  Atomics.notify(flag, 0)
}

const effectTypeId: EffectTypeId = "~effect/Effect"

const isEffect = (u: unknown): boolean => typeof u === "object" && u !== null && effectTypeId in u

/** Runs an Effect a function returned, interrupting it when `signal` aborts. */
const runEffect = async (effect: unknown, signal: AbortSignal | undefined): Promise<Response> => {
  const Effect = await import("effect/Effect")
  const exit = await Effect.runPromiseExit(effect as import("effect/Effect").Effect<unknown, unknown>, { signal })
  if (exit._tag === "Success") return { _tag: "Success", value: exit.value }
  const reasons = exit.cause.reasons.map((reason): WireReason =>
    reason._tag === "Fail"
      ? { _tag: "Fail", error: flatten(reason.error) }
      : reason._tag === "Die"
        ? { _tag: "Die", defect: flatten(reason.defect) }
        : { _tag: "Interrupt" }
  )
  return reasons.every((reason) => reason._tag === "Interrupt") ? { _tag: "Cancelled" } : { _tag: "Failure", reasons }
}

/**
 * Whether a function that threw `error` after its signal was aborted stopped because
 * of it: it threw the signal's reason (`signal.throwIfAborted()`, `fetch`), or an
 * `AbortError` (what Node's own APIs, such as `timers/promises`, reject with, the
 * reason as its `cause`).
 */
const isAbort = (error: unknown, signal: AbortSignal): boolean =>
  error === signal.reason ||
  (typeof error === "object" && error !== null && (error as { readonly name?: unknown }).name === "AbortError")

const call = async (fn: (...args: ReadonlyArray<unknown>) => unknown, request: Request): Promise<Response> => {
  const controller = request.abort === undefined ? undefined : watch(request.abort)
  const signal = controller?.signal
  // A cooperative call cancelled while it waited for this worker never starts.
  if (signal?.aborted) return { _tag: "Cancelled" }
  try {
    const result = fn(...(signal === undefined ? request.args : [signal, ...request.args]))
    if (isEffect(result)) return await runEffect(result, signal)
    return { _tag: "Success", value: await result }
  } catch (error) {
    if (signal?.aborted && isAbort(error, signal)) return { _tag: "Cancelled" }
    return { _tag: "Failure", reasons: [{ _tag: "Die", defect: flatten(error) }] }
  } finally {
    release(request.abort)
  }
}

/** Called by piscina with each request; its answer is posted back to the pool. */
export default async function runWorkerFn(request: Request): Promise<unknown> {
  const loaded = await load(request)
  if (!("fn" in loaded)) {
    release(request.abort)
    return loaded
  }
  const response = await call(loaded.fn, request)
  if (!request.transferResult || response._tag !== "Success") return response
  // piscina moves the buffers listed under its transferable symbol and posts the value.
  return move({ [transferableSymbol]: buffersIn(response.value), [valueSymbol]: response } as never)
}
