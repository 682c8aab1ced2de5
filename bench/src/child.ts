/**
 * One comparison in its own process: `node --expose-gc src/child.ts '<job JSON>'`
 * (see `job.ts`). Prints the answer as one JSON line after `resultMarker`, and exits 1
 * when a run gave a wrong result or threw.
 *
 * Per member: `warmupRounds` untimed rounds, then `rounds` timed ones, every member
 * once per round with the order rotating, a full GC before each run (so no run pays
 * for its predecessor's garbage; not when profiling), every result checked after each run. Then, if
 * asked, the bytes a run allocates and the live heap per pending task.
 *
 * Also the entry point for profiling by hand (`pnpm --filter @soonify/bench run
 * profile` does it for you): a job with one member runs only that configuration.
 */
import * as fs from "node:fs"
import { Session } from "node:inspector/promises"
import * as os from "node:os"
import * as v8 from "node:v8"
import { configById, type Config } from "./configs.ts"
import { resultMarker, type ChildAnswer, type ComparisonJob, type Member, type MemberFigures } from "./job.ts"
import { median } from "./results.ts"
import { effectionTasks, effectTasks, promiseTasks, workerTasks, type Gate, type Kind } from "./tasks.ts"

type Run = (inputs: ReadonlyArray<number>) => Promise<ReadonlyArray<number>>

interface Prepared {
  readonly run: Run
  readonly gate: Gate | undefined
}

/** Loads `config`; gives a function making a fresh run (and gate) of a kind of task. */
const load = async (config: Config): Promise<((kind: Kind) => Prepared) | string> => {
  switch (config.world) {
    case "promise": {
      const runner = await config.load()
      if (typeof runner === "string") return runner
      return (kind) => {
        const { task, gate } = promiseTasks(kind)
        return { run: (inputs) => runner(inputs, task), gate }
      }
    }
    case "effect": {
      const runner = await config.load()
      if (typeof runner === "string") return runner
      return (kind) => {
        const { task, gate } = effectTasks(kind)
        return { run: (inputs) => runner(inputs, task), gate }
      }
    }
    case "effection": {
      const runner = await config.load()
      if (typeof runner === "string") return runner
      return (kind) => {
        const { task, gate } = effectionTasks(kind)
        return { run: (inputs) => runner(inputs, task), gate }
      }
    }
    case "worker": {
      const runner = await config.load()
      if (typeof runner === "string") return runner
      return (kind) => {
        const { task, gate } = workerTasks(kind)
        return { run: (inputs) => runner(inputs, task), gate }
      }
    }
  }
}

const range = (size: number): ReadonlyArray<number> => Array.from({ length: size }, (_, i) => i)

/** Every task's result, in input order: `results[i] === i`, and so their sum. */
const check = (config: string, results: ReadonlyArray<number> | undefined, size: number): void => {
  if (!Array.isArray(results)) throw new Error(`${config}: expected an array of results, received ${typeof results}`)
  if (results.length !== size) throw new Error(`${config}: expected ${size} results, received ${results.length}`)
  let sum = 0
  for (let i = 0; i < size; i++) {
    if (results[i] !== i) throw new Error(`${config}: result ${i} is ${String(results[i])}, expected ${i}`)
    sum += results[i]
  }
  const expected = (size * (size - 1)) / 2
  if (sum !== expected) throw new Error(`${config}: the results sum to ${sum}, expected ${expected}`)
}

/** A full collection; twice to also free what finalizers of the first let go. */
const collectGarbage = (times: 1 | 2): void => {
  if (globalThis.gc === undefined) throw new Error("run the child with --expose-gc")
  for (let i = 0; i < times; i++) globalThis.gc()
}

const nextImmediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

interface Loaded extends Member {
  readonly prepared: Prepared
  readonly inputs: ReadonlyArray<number>
  readonly make: (kind: Kind) => Prepared
  readonly concurrency: number | undefined
}

/**
 * One run, timed: milliseconds from the first spawn to the last result read, as wall
 * time and as the CPU time the process spent meanwhile (all its threads, so the GC's
 * helpers too; unlike wall time it leaves out the time other processes had the CPU).
 */
const timedRun = async (member: Loaded, collect: boolean): Promise<readonly [wall: number, cpu: number]> => {
  if (collect) collectGarbage(1)
  const cpuStart = process.cpuUsage()
  const start = performance.now()
  const results = await member.prepared.run(member.inputs)
  const elapsed = performance.now() - start
  const cpu = process.cpuUsage(cpuStart)
  check(member.config, results, member.size)
  return [elapsed, (cpu.user + cpu.system) / 1000]
}

/**
 * Bytes allocated by one run, per task: what the heap holds at the end, less what it
 * held at the start, plus what every collection in between freed (GCProfiler reports
 * the used heap before and after each). A full GC first leaves no earlier garbage for
 * those collections to free, so what they free was allocated by the run. Exact
 * whatever the collector does meanwhile (no need to keep it from running, which V8
 * cannot), and it counts short-lived garbage that live-heap figures never see.
 */
const allocatedPerTask = async (member: Loaded): Promise<number> => {
  collectGarbage(2)
  const profiler = new v8.GCProfiler()
  profiler.start()
  const before = v8.getHeapStatistics().used_heap_size
  const results = await member.prepared.run(member.inputs)
  const after = v8.getHeapStatistics().used_heap_size
  const { statistics } = profiler.stop()
  check(member.config, results, member.size)
  let freed = 0
  for (const gc of statistics) freed += gc.beforeGC.heapStatistics.usedHeapSize - gc.afterGC.heapStatistics.usedHeapSize
  return (after - before + freed) / member.size
}

/**
 * Heap growth while `size` tasks are started (or queued behind the concurrency limit)
 * and waiting, per task: the tasks wait on a gate that opens only once the heap has
 * been measured. Counts everything the configuration keeps per live task (handle,
 * fiber, promise, closures, result slot), not the inputs.
 */
const livePerTask = async (member: Loaded, size: number, measure: boolean): Promise<number> => {
  const inputs = size === member.size ? member.inputs : range(size)
  const { run, gate } = member.make("gated")
  if (gate === undefined) throw new Error("a gated task needs a gate")
  const expected = Math.min(size, member.concurrency ?? size)
  if (measure) collectGarbage(2)
  const heapBefore = process.memoryUsage().heapUsed
  let heapPending = Number.NaN
  const progress = { settled: false }
  // Handled at once, so that a configuration that throws is reported, not a crash.
  const running = run(inputs).then(
    (results) => {
      progress.settled = true
      return { results }
    },
    (error: unknown) => {
      progress.settled = true
      return { error }
    }
  )
  while (gate.started() < expected && !progress.settled) await nextImmediate()
  // Let queued work (spawns still on their way) settle into its waiting state.
  for (let i = 0; i < 3; i++) await nextImmediate()
  if (!progress.settled && gate.started() === expected) {
    if (measure) collectGarbage(2)
    heapPending = process.memoryUsage().heapUsed
  }
  gate.open()
  const outcome = await running
  if ("error" in outcome) throw outcome.error
  check(member.config, outcome.results, size)
  if (Number.isNaN(heapPending)) {
    throw new Error(`${member.config}: ${gate.started()} tasks started, expected ${expected} waiting on the gate`)
  }
  return (heapPending - heapBefore) / size
}

/** Samples every 100 µs (ten times `--cpu-prof`'s default), for short runs. */
const startProfiler = async (): Promise<Session> => {
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 100 })
  await session.post("Profiler.start")
  return session
}

const stopProfiler = async (session: Session, file: string): Promise<void> => {
  const { profile } = await session.post("Profiler.stop")
  session.disconnect()
  fs.writeFileSync(file, JSON.stringify(profile))
}

const compare = async (job: ComparisonJob): Promise<ChildAnswer> => {
  const loadAtStart = os.loadavg()[0]
  const members: Array<Loaded> = []
  for (const member of job.members) {
    const config = configById(member.config)
    if (config === undefined) return { status: "error", message: `unknown configuration "${member.config}"` }
    const make = await load(config)
    if (typeof make === "string") return { status: "skipped", reason: `${config.id}: ${make}` }
    members.push({
      ...member,
      make,
      prepared: make(job.kind),
      inputs: range(member.size),
      concurrency: config.concurrency
    })
  }
  const cpuOf = () => {
    const { user, system } = process.cpuUsage()
    return (user + system) / 1000
  }
  const cpuAtLoad = cpuOf()
  const samples = members.map((): Array<number> => [])
  const cpuSamples = members.map((): Array<number> => [])
  let profiler: Session | undefined
  for (let round = 0; round < job.warmupRounds + job.rounds; round++) {
    if (round === job.warmupRounds && job.cpuProfile !== undefined) profiler = await startProfiler()
    for (let k = 0; k < members.length; k++) {
      const index = (round + k) % members.length
      const [wall, cpu] = await timedRun(members[index], job.collectBetweenRuns)
      if (round < job.warmupRounds) continue
      samples[index].push(wall)
      cpuSamples[index].push(cpu)
    }
  }
  if (profiler !== undefined && job.cpuProfile !== undefined) await stopProfiler(profiler, job.cpuProfile)
  const cpuAtRounds = cpuOf()
  const figures: Array<MemberFigures> = []
  for (let index = 0; index < members.length; index++) {
    const member = members[index]
    let allocated: number | null = null
    // One run is enough: allocation barely varies from run to run (the driver takes
    // the median over processes).
    if (job.allocation) allocated = await allocatedPerTask(member)
    let live: number | null = null
    if (job.live) {
      // Warm the gated code paths (and any lazily made module state) first.
      await livePerTask(member, Math.min(member.size, 1000), false)
      live = await livePerTask(member, member.size, true)
    }
    figures.push({
      config: member.config,
      size: member.size,
      samplesMs: samples[index],
      cpuSamplesMs: cpuSamples[index],
      medianNsPerTask: (median(samples[index]) * 1e6) / member.size,
      allocatedBytesPerTask: allocated,
      liveBytesPerTask: live
    })
  }
  return {
    status: "ok",
    members: figures,
    loadAverage: [loadAtStart, os.loadavg()[0]],
    cpuMs: { start: cpuAtLoad, rounds: cpuAtRounds - cpuAtLoad, memory: cpuOf() - cpuAtRounds }
  }
}

const main = async (job: ComparisonJob): Promise<ChildAnswer> => {
  try {
    return await compare(job)
  } catch (error) {
    return { status: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  }
}

const answer = await main(JSON.parse(process.argv[2] ?? "null") as ComparisonJob)
process.stdout.write(`${resultMarker}${JSON.stringify(answer)}\n`)
// Leftover timers or fibers of a failed configuration must not keep the child alive.
process.exit(answer.status === "error" ? 1 : 0)
