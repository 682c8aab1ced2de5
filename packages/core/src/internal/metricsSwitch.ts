import * as Context from "effect/Context"
import type * as Exit from "effect/Exit"
import type { TaskHandle } from "./handle.ts"

// The switch of task metrics (metrics.ts): what a group reads when it is made. It holds
// the metrics' maker when `TaskGroup.metricsLayer` is provided, `undefined` otherwise, so
// that a program that never turns metrics on does not even bundle Effect's `Metric`.

/** One group's task metrics (metrics.ts), as the group's hooks call them. */
export interface GroupMetrics {
  /** A task was let into the group: it waits until it starts. */
  admitted(): void
  /** A task starts running. */
  taskStarted(): void
  /** A task has ended (`handle` undefined: one that ended as it was spawned, never let in), at `now` (ms). */
  taskEnded(handle: TaskHandle<any, any> | undefined, exit: Exit.Exit<unknown, unknown>, now: number): void
}

/** Makes the metrics of a group named `name`, made in `context`. */
export type MakeGroupMetrics = (name: string, context: Context.Context<never>) => GroupMetrics

/** The maker of task metrics where `TaskGroup.metricsLayer` is provided; `undefined` elsewhere. */
export const TaskMetrics: Context.Reference<MakeGroupMetrics | undefined> = /* @__PURE__ */ Context.Reference<
  MakeGroupMetrics | undefined
>("@soonify/core/TaskMetrics", { defaultValue: () => undefined })

/** The metrics of a group named `name` made in `context`, or `undefined` when they are not turned on there. */
export const groupMetrics = (name: string, context: Context.Context<never>): GroupMetrics | undefined =>
  Context.get(context, TaskMetrics)?.(name, context)
