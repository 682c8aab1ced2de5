/**
 * @soonify/kernel: the task-group state machine under `@soonify/core` (Effect) and
 * `@soonify/interop` (Promises), in plain TypeScript with no dependencies. It owns every
 * rule of a group (admission and concurrency, fail fast and settle, keys, retry
 * bookkeeping, deadlines and timeouts, the start handshake, progress, snapshots, the
 * registry of open groups); an adapter drives it through a {@link Runtime}. The
 * adapters' foundation, not a user API.
 *
 * @since 0.1.0
 */

export {
  type Ending,
  type Handshake,
  type Key,
  noTaskOptions,
  type Phase,
  type Progress,
  progressProblem,
  reportProgress,
  type Retry,
  Task,
  type TaskOptions
} from "./Task.ts"

export { Group, type GroupCause, type GroupOptions, type Mode, Refusal, type State } from "./Group.ts"

export type { Route, Runtime, StuckTask } from "./Runtime.ts"

export { type Clock, type Flow, type PartitionLimits, type Rate, Scheduler, type WaitingReason } from "./Scheduler.ts"

export {
  type GroupSnapshot,
  type InnerGroup,
  innerGroups,
  type SnapshotParent,
  type SnapshotSource,
  snapshotTree,
  type TaskSnapshot
} from "./Snapshot.ts"

export {
  type FutureCount,
  futureName,
  installSnapshotHooks,
  type KeptLayouts,
  type Place,
  type Registry,
  registry,
  snapshotAll,
  type StackDepth,
  stackDepth
} from "./Registry.ts"

export { keepLayouts, keptLayouts, setLayoutKeeper } from "./Layouts.ts"

export { escapeText, quoted, type RenderOptions, renderSnapshot } from "./Render.ts"

export { installSnapshotJsonHook, jsonText, maxIndentLevels } from "./JsonText.ts"

export { describe, isIterable } from "./Arguments.ts"

export { installDump, signalProblem } from "./Dump.ts"
