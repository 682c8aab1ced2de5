/**
 * Worker function definitions, for both APIs: one class, so that a function defined in
 * one API runs on a pool of the other. Imports no Effect: it is plain data, with the
 * `pipe` and inspection methods Effect values have written out here.
 */
import {
  booleanProblem,
  cancelProblem,
  exportNameProblem,
  moduleProblem,
  optionsProblem,
  type Problem
} from "./validation.ts"

/** @internal */
export const WorkerFnTypeId = "~@soonify/worker/WorkerFn" as const

/** How a call stops when it is cancelled (see `WorkerFn.CancelMode`). */
export type CancelMode = "terminate" | "cooperative" | "abandon"

/** What a definition holds; the public models add only phantom types to it. */
export interface Definition {
  readonly module: string
  readonly exportName: string
  readonly cancel: CancelMode
  readonly transferResult: boolean
}

/**
 * A worker function: where it lives (module URL and export) and how its calls behave.
 * Immutable; shared by every pool and every call.
 *
 * @internal
 */
export class WorkerFnImpl implements Definition {
  readonly [WorkerFnTypeId] = WorkerFnTypeId
  readonly module: string
  readonly exportName: string
  readonly cancel: CancelMode
  readonly transferResult: boolean
  constructor(module: string, exportName: string, cancel: CancelMode, transferResult: boolean) {
    this.module = module
    this.exportName = exportName
    this.cancel = cancel
    this.transferResult = transferResult
  }
  /** Effect's `pipe`: `fn.pipe(f, g)` is `g(f(fn))`. */
  pipe(...fns: ReadonlyArray<(value: unknown) => unknown>): unknown {
    let value: unknown = this
    for (const f of fns) value = f(value)
    return value
  }
  toJSON() {
    return {
      _id: "WorkerFn",
      module: this.module,
      exportName: this.exportName,
      cancel: this.cancel,
      transferResult: this.transferResult
    }
  }
  toString() {
    return JSON.stringify(this.toJSON())
  }
  [Symbol.for("nodejs.util.inspect.custom")]() {
    return this.toJSON()
  }
}

/** How the API defining a function names its two constructors in messages. */
export interface ConstructorNames {
  /** The constructor of a function that takes no signal (`WorkerFn.make`, `defineWorkerFn`). */
  readonly plain: string
  /** The constructor of a function that takes one (`WorkerFn.cooperative`, `defineCooperativeWorkerFn`). */
  readonly cooperative: string
}

/**
 * A worker function of the export `exportName` of `module`, or the problem with one of
 * the arguments. `mode` is `"cooperative"` for the cooperative constructor, else the
 * `cancel` option (checked) decides.
 */
export const define = (
  names: ConstructorNames,
  mode: "plain" | "cooperative",
  module: unknown,
  exportName: unknown,
  options: { readonly cancel?: unknown; readonly transferResult?: unknown } | undefined
): WorkerFnImpl | Problem => {
  const where = mode === "plain" ? names.plain : names.cooperative
  const problem =
    moduleProblem(where, module) ??
    exportNameProblem(where, exportName) ??
    optionsProblem(where, options) ??
    booleanProblem(where, "transferResult", options?.transferResult) ??
    (mode === "plain" ? cancelProblem(where, options?.cancel, names.cooperative) : undefined)
  if (problem !== undefined) return problem
  const href = new URL(module as URL | string).href
  const cancel: CancelMode =
    mode === "cooperative" ? "cooperative" : ((options?.cancel as CancelMode | undefined) ?? "terminate")
  return new WorkerFnImpl(href, exportName as string, cancel, options?.transferResult === true)
}
