// Model-based fuzzing of the scheduler's policies (DESIGN §10): random groups with
// `concurrency`, `rate` and `partitions`, random spawns (partition, priority), ends,
// cancels of waiting tasks, `setConcurrency` and time, run on kernel groups and on the
// plainest model of the rules: at every moment, the waiting tasks are looked at in
// priority then spawn order, and each one that every limit lets start now starts. The
// two must start the same tasks at the same times, give the same waiting reasons, and
// the kernel never holds more than one timer. Deterministic (a fixed seed).
import * as fc from "fast-check"
import { describe, it } from "vitest"
import type { GroupOptions, Rate } from "@soonify/kernel"
import * as Fuzz from "../../../test-setup/fuzz/check.ts"
import { running, setup, type TestTask } from "./support.ts"

type Op =
  | { readonly op: "spawn"; readonly partition: string | undefined; readonly priority: number }
  | { readonly op: "end"; readonly pick: number }
  | { readonly op: "cancel"; readonly pick: number }
  | { readonly op: "setConcurrency"; readonly limit: number }
  | { readonly op: "advance"; readonly ms: number }

interface Case {
  readonly options: GroupOptions
  readonly ops: ReadonlyArray<Op>
}

const rateArb: fc.Arbitrary<Rate> = fc.record({
  limit: fc.integer({ min: 1, max: 3 }),
  interval: fc.integer({ min: 1, max: 40 })
})
const limitArb = fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity))

const caseArb: fc.Arbitrary<Case> = fc.record({
  options: fc.record(
    {
      concurrency: limitArb,
      rate: rateArb,
      partitions: fc.record({ concurrency: fc.integer({ min: 1, max: 2 }), rate: rateArb }, { requiredKeys: [] })
    },
    { requiredKeys: [] }
  ),
  ops: fc.array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          op: fc.constant("spawn" as const),
          partition: fc.constantFrom(undefined, "a", "b", "c"),
          priority: fc.oneof(
            { weight: 3, arbitrary: fc.constant(0) },
            { weight: 1, arbitrary: fc.integer({ min: -1, max: 2 }) }
          )
        })
      },
      { weight: 3, arbitrary: fc.record({ op: fc.constant("end" as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("cancel" as const), pick: fc.nat() }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("setConcurrency" as const), limit: limitArb }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 30 }) }) }
    ),
    { maxLength: 60 }
  )
})

interface ModelTask {
  readonly name: string
  readonly partition: string | undefined
  readonly priority: number
  readonly seq: number
  state: "waiting" | "running" | "ended"
}

/** The rules at their plainest: a list of tasks and every start time, looked at anew each moment. */
class Model {
  readonly tasks: Array<ModelTask> = []
  readonly started: Array<string> = []
  private readonly starts: Array<{ time: number; partition: string | undefined }> = []
  limit: number
  readonly options: GroupOptions

  constructor(options: GroupOptions) {
    this.options = options
    this.limit = options.concurrency ?? Infinity
  }

  private fits(rate: Rate | undefined, now: number, partition?: string): boolean {
    if (rate === undefined) return true
    const inWindow = this.starts.filter(
      (start) => now - start.time < rate.interval && (partition === undefined || start.partition === partition)
    )
    return inWindow.length < rate.limit
  }

  private running(partition?: string): number {
    return this.tasks.filter(
      (task) => task.state === "running" && (partition === undefined || task.partition === partition)
    ).length
  }

  reason(task: ModelTask, now: number): string {
    const partitions = this.options.partitions
    if (partitions !== undefined && task.partition !== undefined) {
      if (this.running(task.partition) >= (partitions.concurrency ?? Infinity)) return "partition"
      if (!this.fits(partitions.rate, now, task.partition)) return "rate"
    }
    if (this.running() < this.limit && !this.fits(this.options.rate, now)) return "rate"
    return "permit"
  }

  private mayStart(task: ModelTask, now: number): boolean {
    if (this.running() >= this.limit || !this.fits(this.options.rate, now)) return false
    const partitions = this.options.partitions
    if (partitions === undefined || task.partition === undefined) return true
    return (
      this.running(task.partition) < (partitions.concurrency ?? Infinity) &&
      this.fits(partitions.rate, now, task.partition)
    )
  }

  settle(now: number): void {
    for (;;) {
      const next = this.tasks
        .filter((task) => task.state === "waiting")
        .toSorted((a, b) => b.priority - a.priority || a.seq - b.seq)
        .find((task) => this.mayStart(task, now))
      if (next === undefined) return
      next.state = "running"
      this.started.push(`${next.name}@${now}`)
      this.starts.push({ time: now, partition: next.partition })
    }
  }
}

const check = (input: Case): Promise<ReadonlyArray<string>> => {
  const { runtime, group } = setup(input.options)
  const started: Array<string> = []
  const start = runtime.startAttempt.bind(runtime)
  runtime.startAttempt = (task) => {
    started.push(`${task.name}@${runtime.time - 1000}`)
    start(task)
  }
  const model = new Model(input.options)
  const kernelTasks = new Map<string, TestTask>()
  const problems: Array<string> = []
  const compare = (after: string): void => {
    if (problems.length > 0) return
    const now = runtime.time - 1000
    if (started.join() !== model.started.join()) {
      problems.push(`after ${after}: started ${started.join()}, the model ${model.started.join()}`)
    }
    const reasons = group
      .snapshot()
      .tasks.filter((task) => task.waiting !== undefined)
      .map((task) => `${task.name}:${task.waiting}`)
    const expected = model.tasks
      .filter((task) => task.state === "waiting")
      .map((task) => `${task.name}:${model.reason(task, now)}`)
    if (reasons.join() !== expected.join())
      problems.push(`after ${after}: waiting ${reasons.join()}, the model ${expected.join()}`)
    if (runtime.liveTimers > 1) problems.push(`after ${after}: ${runtime.liveTimers} timers`)
    if (expected.length === 0 && runtime.liveTimers > 0) problems.push(`after ${after}: a timer while nothing waits`)
  }
  let seq = 0
  for (const op of input.ops) {
    const now = runtime.time - 1000
    switch (op.op) {
      case "spawn": {
        const name = `t${seq}`
        const task = running(name, {}, { partition: op.partition, priority: op.priority })
        kernelTasks.set(name, task)
        model.tasks.push({ name, partition: op.partition, priority: op.priority, seq: seq++, state: "waiting" })
        group.spawn(task)
        model.settle(now)
        break
      }
      case "end":
      case "cancel": {
        const state = op.op === "end" ? "running" : "waiting"
        const candidates = model.tasks.filter((task) => task.state === state)
        if (candidates.length === 0) continue
        const target = candidates[op.pick % candidates.length]
        target.state = "ended"
        const task = kernelTasks.get(target.name)!
        if (op.op === "end") group.end(task, "succeeded", undefined)
        else group.cancelTask(task)
        model.settle(now)
        break
      }
      case "setConcurrency":
        group.setConcurrency(op.limit)
        model.limit = op.limit
        model.settle(now)
        break
      case "advance":
        for (let ms = 1; ms <= op.ms; ms++) {
          runtime.advance(1)
          model.settle(runtime.time - 1000)
          compare(`${JSON.stringify(op)} at ${runtime.time - 1000}`)
        }
    }
    compare(JSON.stringify(op))
  }
  group.cancel()
  group.endOwner()
  if (problems.length === 0 && group.tasks().some((task) => task.phase === "waiting"))
    problems.push("a task still waits")
  if (problems.length === 0 && runtime.liveTimers > 0) problems.push("a timer outlived the shutdown")
  return Promise.resolve(problems)
}

describe("the scheduler against the model of its rules", () => {
  it("concurrency, priority, partitions, rate windows, setConcurrency, cancels and time", () =>
    Fuzz.fuzz(caseArb, check, Fuzz.runs(1500)))
})
