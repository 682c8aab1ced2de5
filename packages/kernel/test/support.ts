// A tiny runtime for the kernel's tests: tasks start synchronously and end when the test
// says (or at once), timers fire when the test moves the clock, and every call the
// kernel makes is logged. Legitimate for a runtime-neutral kernel: this is a runtime.
import { type Ending, Group, type GroupOptions, type Route, type Runtime, type StuckTask, Task } from "@soonify/kernel"

/** How a test task behaves: ends at once with `ends`, or runs until the test ends it; what it does when asked to stop. */
export interface Behaviour {
  /** Ends in its first steps, each attempt (the next entry for each attempt; the last one repeats). */
  readonly ends?: ReadonlyArray<readonly [Ending, unknown]> | undefined
  /** When asked to stop: ends cancelled at once (default), ignores it, or ends failing as it stops. */
  readonly onInterrupt?: "cancel" | "ignore" | "fail" | undefined
  /** Runs when an attempt starts, before it ends (spawns, cancels…). */
  readonly onStart?: ((task: TestTask) => void) | undefined
}

export class TestTask extends Task<Behaviour> {}

interface Timer {
  readonly at: number
  readonly fire: (target: any) => void
  readonly target: unknown
  cleared: boolean
}

export class TestRuntime implements Runtime<TestTask> {
  time = 1_000
  readonly log: Array<string> = []
  readonly timers: Array<Timer> = []
  readonly flushes: Array<Group<TestTask>> = []
  readonly warnings: Array<StuckTask> = []
  readonly routes = new Map<TestTask, Route>()
  readonly ended: Array<Group<TestTask>> = []

  /** The task whose `start` runs now: the kernel must not interrupt it before `start` returns. */
  private starting: string | undefined = undefined

  startAttempt(task: TestTask): void {
    this.log.push(`start ${task.name}#${task.attempt}`)
    const behaviour = task.run
    const outer = this.starting
    this.starting = `${task.name}#${task.attempt}`
    try {
      behaviour.onStart?.(task)
    } finally {
      this.starting = outer
    }
    const ends = behaviour.ends
    if (ends !== undefined && task.group !== undefined && task.phase !== "ended") {
      const [ending, outcome] = ends[Math.min(task.attempt, ends.length) - 1]
      task.group.end(task, ending, outcome)
    }
  }

  interrupt(task: TestTask): void {
    if (`${task.name}#${task.attempt}` === this.starting)
      this.log.push(`interrupt ${task.name} while it starts: a bug of the kernel`)
    this.log.push(`interrupt ${task.name}${task.timedOut === true ? " (timeout)" : ""}`)
    const onInterrupt = task.run.onInterrupt ?? "cancel"
    if (onInterrupt === "ignore") return
    if (task.timedOut === true) return task.group!.end(task, "failed", `timeout ${task.name}`)
    task.group!.end(task, onInterrupt === "fail" ? "failedWhileStopping" : "cancelled", `stopped ${task.name}`)
  }

  now(): number {
    return this.time
  }

  setTimer<A>(ms: number, fire: (target: A) => void, target: A): unknown {
    const timer: Timer = { at: this.time + ms, fire, target, cleared: false }
    this.timers.push(timer)
    return timer
  }

  clearTimer(timer: unknown): void {
    ;(timer as Timer).cleared = true
  }

  /** Timers set and not cleared nor fired. */
  get liveTimers(): number {
    return this.timers.filter((timer) => !timer.cleared).length
  }

  /** Moves the clock by `ms`, firing the timers due on the way, in order. */
  advance(ms: number): void {
    const until = this.time + ms
    for (;;) {
      const due = this.timers.filter((timer) => !timer.cleared && timer.at <= until).toSorted((a, b) => a.at - b.at)[0]
      if (due === undefined) break
      due.cleared = true
      this.time = due.at
      due.fire(due.target)
    }
    this.time = until
  }

  warn(stuck: StuckTask): void {
    this.warnings.push(stuck)
  }

  scheduleFlush(group: Group<TestTask>): void {
    this.flushes.push(group)
  }

  /** What the runtime would do once the spawner yields. */
  flush(): void {
    for (let group = this.flushes.shift(); group !== undefined; group = this.flushes.shift()) group.flush()
  }

  taskEnded(task: TestTask, route: Route): void {
    this.routes.set(task, route)
    this.log.push(`ended ${task.name} ${task.ending} ${route}`)
  }

  shuttingDown(group: Group<TestTask>): void {
    this.log.push(`shutting down ${group.name}`)
  }

  groupEnded(group: Group<TestTask>): void {
    this.ended.push(group)
    this.log.push(`group ended ${group.name}`)
  }
}

/** A task that runs until the test ends it (or asks it to stop). */
export const running = (name?: string, behaviour: Behaviour = {}, options?: TestTask["options"]): TestTask =>
  new TestTask(behaviour, name, options)

/** A task that ends in its first steps with `ending` (and `outcome`). */
export const ending = (name: string | undefined, ending: Ending, outcome?: unknown): TestTask =>
  new TestTask({ ends: [[ending, outcome]] }, name)

/** A runtime and a group on it. */
export const setup = (options: GroupOptions = {}) => {
  const runtime = new TestRuntime()
  const group = new Group<TestTask, unknown>(runtime, { name: "g", ...options })
  return { runtime, group }
}

/** Spawns and gives the task (failing the test on a refusal or another task). */
export const spawned = (group: Group<TestTask>, task: TestTask, when: "now" | "soon" = "now"): TestTask => {
  const result = group.spawn(task, when, "inside")
  if (result !== task) throw new Error(`spawn of ${task.name} gave ${String(result)}`)
  return task
}
