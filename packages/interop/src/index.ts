/**
 * @soonify/interop: structured concurrency with return values, for plain Promise code.
 * The Promise adapter of @soonify/kernel (the state machine @soonify/core drives with
 * fibers): the same semantics, on promises, AbortSignals and AsyncLocalStorage, loading no Effect.
 *
 * @since 0.1.0
 */

export {
  createTaskGroup,
  type DisposableTaskGroup,
  type TaskGroup,
  taskGroup,
  type TaskGroupOptions,
  type RetryOptions,
  type SoonifyOptions,
  type SpawnOptions,
  type TaskKey,
  type TaskOptions,
  type RateLimit,
  type PartitionOptions
} from "./TaskGroup.ts"

export { map, type MapOptions } from "./Mapping.ts"

export { resultsToChannel, SoonValue, type Status, waitAll, waitAny, type WaitOptions } from "./SoonValue.ts"

export { Future, type FutureOptions } from "./Future.ts"

export {
  asCompleted,
  type AsCompletedOptions,
  gather,
  type GatherOptions,
  type GatherResults,
  type Task,
  type TaskValue
} from "./Gather.ts"

export {
  dumpOnSignal,
  type GroupSnapshot,
  type Progress,
  renderSnapshot,
  type RenderOptions,
  reportProgress,
  snapshotAll,
  type TaskSnapshot
} from "./Snapshot.ts"

export { taskSignal } from "./TaskSignal.ts"

export {
  CancelledError,
  FutureSetAgainError,
  PendingValueError,
  TaskGroupClosedError,
  type TaskGroupClosedOptions,
  TimeoutError
} from "./Errors.ts"
