// "Cancellation always settles" (DESIGN §4.7) on kernel groups directly: the sweep of
// test-setup/fuzz/cancelSweep.ts (shared with core and interop) cancels tasks in every
// state a task can wait in (queued before the body yields, waiting for a permit, between
// retry attempts, joined through a key) and from inside (a task cancelling itself or a
// sibling, or itself as it stops), the group cancelled or timed out now and then.
// Everything must end, and a task cancelled before it started must never start.
import { describe, it } from "vitest"
import { Group, type Runtime, Task } from "@soonify/kernel"
import * as Fuzz from "../../../test-setup/fuzz/check.ts"
import {
  assertReached,
  newTally,
  type SweepCase,
  sweepArb,
  sweepProblems,
  type SweepTask
} from "../../../test-setup/fuzz/cancelSweep.ts"

class SweepRecord extends Task<{ readonly spec: SweepTask; readonly index: number }> {
  events: Array<{ live: boolean }> = []
  /** Cancelled before any attempt started. */
  cancelledUnstarted = false
  everStarted = false
}

class SweepRuntime implements Runtime<SweepRecord> {
  time = 0
  private order = 0
  readonly events: Array<{ time: number; order: number; run: () => void; live: boolean }> = []
  ranAfterCancel: Array<number> = []
  cancelsIssued = 0
  cancelsSettled = 0
  readonly waitingCancels: Array<SweepRecord> = []
  readonly tally = newTally()
  group!: Group<SweepRecord>
  readonly handles: Array<SweepRecord> = []

  at(time: number, run: () => void): { live: boolean } {
    const event = { time, order: this.order++, run, live: true }
    this.events.push(event)
    return event
  }

  run(): void {
    for (;;) {
      const next = this.events.filter((event) => event.live).toSorted((a, b) => a.time - b.time || a.order - b.order)[0]
      if (next === undefined) return
      next.live = false
      this.time = next.time
      next.run()
    }
  }

  /** Cancels `task` and counts the cancel as settled once the task has ended. */
  cancel(task: SweepRecord, fromInside: boolean): void {
    this.cancelsIssued++
    if (fromInside) this.tally.fromInside++
    if (task.phase === "queued") this.tally.queued++
    if (task.phase === "waiting") this.tally.permit++
    if (task.phase === "retrying") this.tally.betweenAttempts++
    if ((task.phase === "queued" || task.phase === "waiting") && !task.everStarted) task.cancelledUnstarted = true
    this.group.cancelTask(task, fromInside ? "inside" : "body")
    if (task.ready) this.cancelsSettled++
    else this.waitingCancels.push(task)
  }

  startAttempt(task: SweepRecord): void {
    if (task.cancelledUnstarted) this.ranAfterCancel.push(task.run.index)
    task.everStarted = true
    const { spec } = task.run
    const cancels = spec.cancels
    if (cancels !== undefined) {
      task.events.push(
        this.at(this.time + cancels.after, () => {
          const target = cancels.target === "self" ? task : this.handles[cancels.target % this.handles.length]
          if (target !== undefined && !target.ready) this.cancel(target, true)
        })
      )
    }
    const attempt = task.attempt
    task.events.push(
      this.at(this.time + spec.duration, () => {
        if (task.ready || task.attempt !== attempt) return
        task.group!.end(task, spec.outcome === "succeed" ? "succeeded" : "failed", task.run.index)
      })
    )
  }

  interrupt(task: SweepRecord): void {
    const { spec } = task.run
    const stop = () => {
      for (const event of task.events) event.live = false
      if (spec.finalizerCancelsSelf && !task.ready) {
        this.tally.inFinalizer++
        this.cancel(task, true)
      }
      task.group?.end(task, task.timedOut === true ? "failed" : "cancelled", undefined)
    }
    // A deaf task finishes its work first.
    if (spec.deaf) task.events.push(this.at(this.time + spec.duration, stop))
    else stop()
  }

  now(): number {
    return this.time
  }

  setTimer<A>(ms: number, fire: (target: A) => void, target: A): unknown {
    return this.at(this.time + ms, () => fire(target))
  }

  clearTimer(timer: unknown): void {
    ;(timer as { live: boolean }).live = false
  }

  warn(): void {}

  scheduleFlush(group: Group<SweepRecord>): void {
    this.at(this.time, () => group.flush())
  }

  taskEnded(task: SweepRecord): void {
    for (const event of task.events) event.live = false
    for (let i = this.waitingCancels.indexOf(task); i >= 0; i = this.waitingCancels.indexOf(task)) {
      this.waitingCancels.splice(i, 1)
      this.cancelsSettled++
    }
  }

  groupEnded(): void {}
}

const tally = newTally()

const check = (sweep: SweepCase): Promise<ReadonlyArray<string>> => {
  const runtime = new SweepRuntime()
  const group = new Group<SweepRecord>(runtime, {
    name: "sweep",
    mode: sweep.mode,
    concurrency: sweep.concurrency,
    ...(sweep.groupEnd.kind === "timeout" ? { timeout: sweep.groupEnd.at } : {}),
    stuckAfter: Infinity
  })
  runtime.group = group
  sweep.tasks.forEach((spec, index) => {
    const task = new SweepRecord(
      { spec, index },
      `t${index}`,
      spec.retry === undefined
        ? undefined
        : { retry: { delayBefore: (attempt) => (attempt <= spec.retry!.times + 1 ? spec.retry!.delay : undefined) } }
    )
    if (spec.key !== undefined) task.key = spec.key
    const spawned = group.spawn(task, "soon", "inside")
    if (spawned !== task && spawned instanceof SweepRecord) runtime.tally.keyedJoin++
    runtime.handles.push(spawned as SweepRecord)
  })
  for (const cancel of sweep.cancels) {
    const target = () => runtime.handles[cancel.target % runtime.handles.length]
    if (cancel.at === 0) runtime.cancel(target(), false)
    else runtime.at(cancel.at, () => !target().ready && runtime.cancel(target(), false))
  }
  if (sweep.groupEnd.kind === "cancel" || sweep.groupEnd.kind === "signal") {
    runtime.at(sweep.groupEnd.at, () => group.cancel())
  }
  runtime.at(0, () => group.endOwner())
  runtime.run()
  for (const [state, count] of Object.entries(runtime.tally)) tally[state as keyof typeof tally] += count
  return Promise.resolve(
    sweepProblems({
      groupSettled: group.state === "closed",
      ready: runtime.handles.map((task) => task.ready),
      cancelsIssued: runtime.cancelsIssued,
      cancelsSettled: runtime.cancelsSettled,
      ranAfterCancel: runtime.ranAfterCancel
    })
  )
}

describe("cancellation always settles, on kernel groups", () => {
  it("in every state a task waits in, from outside and from inside", async () => {
    await Fuzz.fuzz(sweepArb(50), check, Fuzz.runs(2000))
    assertReached(tally)
  })
})
