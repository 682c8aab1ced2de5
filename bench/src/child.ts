/**
 * One measurement in its own process: `node --expose-gc src/child.ts '<job JSON>'`.
 * Prints the answer as one JSON line after `resultMarker`; the driver reads it.
 *
 * Also the entry point for profiling one configuration by hand, e.g.
 * `node --expose-gc --cpu-prof src/child.ts '{"mode":"time","config":"core-run-soonify",...}'`
 * (`pnpm --filter @soonify/bench run profile` does that for you).
 */
import * as os from "node:os"
import { Bench } from "tinybench"
import { configById, type Config } from "./configs.ts"
import {
  resultMarker,
  type Job,
  type JobResult,
  type Memory,
  type MemoryJob,
  type TimeJob,
  type Timing
} from "./job.ts"
import { effectionTasks, effectTasks, promiseTasks, type Gate, type Kind } from "./tasks.ts"

interface Prepared {
  readonly run: (inputs: ReadonlyArray<number>) => Promise<ReadonlyArray<number>>
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
  }
}

const range = (size: number): ReadonlyArray<number> => Array.from({ length: size }, (_, i) => i)

/** Every task's result, in input order: `results[i] === i`, and so their sum. */
const check = (config: Config, results: ReadonlyArray<number> | undefined, size: number): void => {
  if (!Array.isArray(results)) throw new Error(`${config.id}: expected an array of results, received ${typeof results}`)
  if (results.length !== size) throw new Error(`${config.id}: expected ${size} results, received ${results.length}`)
  let sum = 0
  for (let i = 0; i < size; i++) {
    if (results[i] !== i) throw new Error(`${config.id}: result ${i} is ${String(results[i])}, expected ${i}`)
    sum += results[i]
  }
  const expected = (size * (size - 1)) / 2
  if (sum !== expected) throw new Error(`${config.id}: the results sum to ${sum}, expected ${expected}`)
}

/** A full collection; twice to also free what finalizers of the first let go. */
const collectGarbage = (times: 1 | 2): void => {
  if (globalThis.gc === undefined) throw new Error("run the child with --expose-gc")
  for (let i = 0; i < times; i++) globalThis.gc()
}

const nextImmediate = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

const time = async (config: Config, make: (kind: Kind) => Prepared, job: TimeJob): Promise<JobResult> => {
  const { run } = make(job.kind)
  const timings: Array<Timing> = []
  const overBudget: Array<{ size: number; predictedMs: number }> = []
  for (const { size, runs, warmupRuns } of job.plans) {
    const previous = timings.at(-1)
    const predictedMs = previous === undefined ? 0 : (previous.medianNsPerTask * size * (runs + warmupRuns)) / 1e6
    if (overBudget.length > 0 || (job.figureBudgetMs !== undefined && predictedMs > job.figureBudgetMs)) {
      overBudget.push({ size, predictedMs })
      continue
    }
    const inputs = range(size)
    let results: ReadonlyArray<number> | undefined
    // tinybench runs `afterEach` even after a run threw: keep the throw, so the check
    // below does not hide it behind "no results".
    let failure: { readonly error: unknown } | undefined
    // Counts, not time budgets: tinybench's budgets count only timed work, and the
    // collection before each run would make a budget of tiny runs take minutes.
    const bench = new Bench({
      iterations: runs,
      time: 0,
      warmup: warmupRuns > 0,
      warmupIterations: warmupRuns,
      warmupTime: 0,
      retainSamples: true,
      throws: true
    })
    bench.add(
      config.id,
      async () => {
        try {
          results = await run(inputs)
        } catch (error) {
          failure = { error }
          throw error
        }
      },
      {
        // Each run starts from a collected heap, so none pays for its predecessor's garbage.
        beforeEach: () => collectGarbage(1),
        afterEach: () => {
          if (failure !== undefined) throw failure.error
          check(config, results, size)
          results = undefined
        }
      }
    )
    await bench.run()
    const result = bench.tasks[0].result
    if (result.state === "errored") throw result.error
    if (result.state !== "completed") throw new Error(`${config.id}: the benchmark ended ${result.state}`)
    const samples = result.latency.samples ?? []
    const perTask = (ms: number) => (ms * 1e6) / size
    timings.push({
      size,
      samplesMs: samples,
      medianNsPerTask: perTask(result.latency.p50),
      minNsPerTask: perTask(result.latency.min),
      maxNsPerTask: perTask(result.latency.max),
      loadAverage: os.loadavg()[0]
    })
  }
  return { status: "ok", timings, overBudget }
}

/**
 * Heap growth while `size` tasks are started and waiting: the tasks wait on a gate
 * that opens only once every one of them has started and the heap has been measured.
 */
const memory = async (config: Config, make: (kind: Kind) => Prepared, job: MemoryJob): Promise<JobResult> => {
  const measure = async (size: number): Promise<Memory> => {
    const inputs = range(size)
    const { run, gate } = make("gated")
    if (gate === undefined) throw new Error("a gated task needs a gate")
    collectGarbage(2)
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
    while (gate.started() < size && !progress.settled) await nextImmediate()
    if (!progress.settled) {
      collectGarbage(2)
      heapPending = process.memoryUsage().heapUsed
    }
    gate.open()
    const outcome = await running
    if ("error" in outcome) throw outcome.error
    check(config, outcome.results, size)
    if (Number.isNaN(heapPending)) throw new Error(`${config.id}: the run ended before its tasks waited on the gate`)
    return {
      size,
      heapBefore,
      heapPending,
      bytesPerTask: (heapPending - heapBefore) / size,
      loadAverage: os.loadavg()[0]
    }
  }
  // Warm the code paths (and any lazily made module state) before measuring.
  for (let i = 0; i < 3; i++) await measure(Math.min(job.size, 1000))
  return { status: "ok", memory: await measure(job.size) }
}

const main = async (job: Job): Promise<JobResult> => {
  const config = configById(job.config)
  if (config === undefined) return { status: "error", message: `unknown configuration "${job.config}"` }
  const make = await load(config)
  if (typeof make === "string") return { status: "skipped", reason: make }
  try {
    return job.mode === "time" ? await time(config, make, job) : await memory(config, make, job)
  } catch (error) {
    return { status: "error", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }
  }
}

const answer = await main(JSON.parse(process.argv[2] ?? "null") as Job)
process.stdout.write(`${resultMarker}${JSON.stringify(answer)}\n`)
// Leftover timers or fibers of a failed configuration must not keep the child alive.
process.exit(0)
