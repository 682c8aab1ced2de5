import { format } from "effect/Formatter"
import { NodeInspectSymbol } from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"

/** @internal */
export const WorkerFnTypeId = "~@soonify/worker/WorkerFn" as const

/** How a call stops when it is cancelled (see `WorkerFn.CancelMode`). */
export type CancelMode = "terminate" | "cooperative" | "abandon"

/** What a definition holds; the public model adds only phantom types to it. */
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
  pipe() {
    return pipeArguments(this, arguments)
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
    return format(this.toJSON())
  }
  [NodeInspectSymbol]() {
    return this.toJSON()
  }
}
