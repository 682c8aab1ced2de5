import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import type * as Exit from "effect/Exit"
import * as Metric from "effect/Metric"
import type { TaskHandle } from "./handle.ts"
import type { GroupMetrics as Hooks, MakeGroupMetrics } from "./metricsSwitch.ts"

// Task metrics, opt in (`TaskGroup.metricsLayer`, as `Metric.enableRuntimeMetricsLayer`
// is for fibers): gauges of the tasks running and waiting (spawned, not started: queued
// behind `concurrency` or until their spawner yields), counters of the tasks started,
// succeeded, failed and cancelled, and a histogram of task durations (from start to
// end, in milliseconds on the group's Clock), each tagged with the group's name
// (`soonify.group`). A group reads the switch (metricsSwitch.ts) once, when it is made,
// from the context it is made in: without the layer, a group holds no `GroupMetrics` and
// each task pays one `undefined` check per step; this module is reached only through
// `TaskGroup.metricsLayer` and `TaskGroup.taskMetrics`.

/** The attribute that tags each series with its group's name. */
export const groupAttribute = "soonify.group"

export const running = /* @__PURE__ */ Metric.gauge("soonify_tasks_running", {
  description: "The tasks of a task group running now"
})
export const waiting = /* @__PURE__ */ Metric.gauge("soonify_tasks_waiting", {
  description: "The tasks of a task group spawned and not started yet (queued)"
})
export const started = /* @__PURE__ */ Metric.counter("soonify_tasks_started", {
  description: "The tasks of a task group that started running",
  incremental: true
})
export const succeeded = /* @__PURE__ */ Metric.counter("soonify_tasks_succeeded", {
  description: "The tasks of a task group that succeeded",
  incremental: true
})
export const failed = /* @__PURE__ */ Metric.counter("soonify_tasks_failed", {
  description: "The tasks of a task group that failed",
  incremental: true
})
export const cancelled = /* @__PURE__ */ Metric.counter("soonify_tasks_cancelled", {
  description: "The tasks of a task group that were cancelled (interrupted, and nothing else)",
  incremental: true
})
export const duration = /* @__PURE__ */ Metric.histogram("soonify_task_duration_ms", {
  description: "How long the tasks of a task group ran, from start to end, in milliseconds",
  // What Metric.exponentialBoundaries({ start: 1, factor: 2, count: 24 }) gives, written
  // out: that function and the Array helpers it needs were 0.3 KB of every bundle.
  // prettier-ignore
  boundaries: [
    1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288,
    1048576, 2097152, 4194304, Infinity
  ]
})

/**
 * One group's series: the metrics above, tagged with its name, updated in the context
 * it was made in (its metric registry).
 *
 * @internal
 */
export class GroupMetrics implements Hooks {
  private readonly context: Context.Context<never>
  private readonly running: Metric.Gauge<number>
  private readonly waiting: Metric.Gauge<number>
  private readonly started: Metric.Counter<number>
  private readonly succeeded: Metric.Counter<number>
  private readonly failed: Metric.Counter<number>
  private readonly cancelled: Metric.Counter<number>
  private readonly duration: Metric.Histogram<number>

  constructor(group: string, context: Context.Context<never>) {
    const attributes = { [groupAttribute]: group }
    this.context = context
    this.running = Metric.withAttributes(running, attributes) as Metric.Gauge<number>
    this.waiting = Metric.withAttributes(waiting, attributes) as Metric.Gauge<number>
    this.started = Metric.withAttributes(started, attributes) as Metric.Counter<number>
    this.succeeded = Metric.withAttributes(succeeded, attributes) as Metric.Counter<number>
    this.failed = Metric.withAttributes(failed, attributes) as Metric.Counter<number>
    this.cancelled = Metric.withAttributes(cancelled, attributes) as Metric.Counter<number>
    this.duration = Metric.withAttributes(duration, attributes) as Metric.Histogram<number>
  }

  /** A task was let into the group: it waits until it starts. */
  admitted(): void {
    this.waiting.modifyUnsafe(1, this.context)
  }

  /** A task starts running. */
  taskStarted(): void {
    this.waiting.modifyUnsafe(-1, this.context)
    this.running.modifyUnsafe(1, this.context)
    this.started.updateUnsafe(1, this.context)
  }

  /** A task has ended (`handle` undefined: one that ended as it was spawned, never let in), at `now` (ms). */
  taskEnded(handle: TaskHandle<any, any> | undefined, exit: Exit.Exit<unknown, unknown>, now: number): void {
    if (handle !== undefined) {
      const startedAt = handle.startedAt
      if (startedAt === undefined) {
        this.waiting.modifyUnsafe(-1, this.context)
      } else {
        this.running.modifyUnsafe(-1, this.context)
        this.duration.updateUnsafe(Math.max(0, now - startedAt), this.context)
      }
    }
    const counter =
      exit._tag === "Success" ? this.succeeded : Cause.hasInterruptsOnly(exit.cause) ? this.cancelled : this.failed
    counter.updateUnsafe(1, this.context)
  }
}

/** Makes a group's metrics: what `TaskGroup.metricsLayer` puts in the switch. */
export const makeGroupMetrics: MakeGroupMetrics = (name, context) => new GroupMetrics(name, context)
