/**
 * The benchmark driver: `pnpm bench` (full profile) or `pnpm bench --quick`.
 *
 * Runs every configuration in its own child process, one size at a time (timing, then
 * memory), prints a table per task kind and size with ratios to Promise.all and to
 * FiberSet.run from the same run, a checklist of the performance targets, and writes
 * every figure as JSON under `bench/results/`.
 *
 * Exits non-zero only when a configuration gave wrong results, threw or crashed (or,
 * in the quick profile, hit a time or heap limit): missed targets are reported, not
 * enforced.
 *
 * Options: `--quick`, `--only=<id,id,...>` (configuration ids, see `configs.ts`),
 * `--out=<file>` (where to write the JSON).
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { configs, type Config } from "./configs.ts"
import { resultMarker, type Job, type JobResult, type Plan } from "./job.ts"
import type { MemoryRow, Outcome, Report, TimingRow } from "./results.ts"
import { formatBytes, formatNs, formatSize, memoryTable, targetList, timingTable } from "./table.ts"
import { evaluateTargets } from "./targets.ts"
import { timedKinds } from "./tasks.ts"

interface Profile {
  readonly name: "full" | "quick"
  /** Each size timed, with its number of timed and warm-up runs. */
  readonly plans: ReadonlyArray<Plan>
  readonly memorySizes: ReadonlyArray<number>
  /** Per child process; a child past it is killed and its figure reported as a limit. */
  readonly timeoutMs: number
  /** Each child's `--max-old-space-size`, in MiB. */
  readonly heapMb: number
  /** One child per size (cleaner figures), or one per configuration and kind (quicker). */
  readonly childPerSize: boolean
  /** A figure predicted (from the size before) to take longer than this is not run. */
  readonly figureBudgetMs: number
}

const profiles: Record<Profile["name"], Profile> = {
  full: {
    name: "full",
    plans: [
      { size: 1e3, runs: 41, warmupRuns: 40 },
      { size: 1e4, runs: 15, warmupRuns: 10 },
      { size: 1e5, runs: 7, warmupRuns: 2 },
      { size: 1e6, runs: 5, warmupRuns: 1 }
    ],
    memorySizes: [1e4, 1e5, 1e6],
    timeoutMs: 240_000,
    heapMb: 8192,
    childPerSize: true,
    figureBudgetMs: 180_000
  },
  quick: {
    name: "quick",
    plans: [
      { size: 1e3, runs: 9, warmupRuns: 10 },
      { size: 1e4, runs: 5, warmupRuns: 1 }
    ],
    memorySizes: [1e4],
    timeoutMs: 30_000,
    heapMb: 2048,
    childPerSize: false,
    figureBudgetMs: 3_000
  }
}

const taskKinds = {
  now: "returns at once (async (i) => i; Effect.succeed(i); a generator that returns i)",
  yield:
    "yields once to the event loop, then returns: await a setImmediate (Promise code), " +
    "Effect.yieldNow (Effect: one macrotask through Effect's scheduler), an action around setImmediate (effection)",
  gated:
    "memory only: counts itself started, then waits on a gate shared by all tasks that opens once the heap is measured"
}

// -----------------------------------------------------------------------------
// child processes
// -----------------------------------------------------------------------------

const childPath = new URL("./child.ts", import.meta.url).pathname

const runChild = (job: Job, profile: Profile): Promise<JobResult> =>
  new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--expose-gc", `--max-old-space-size=${profile.heapMb}`, childPath, JSON.stringify(job)],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-8192)
    })
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill("SIGKILL")
    }, profile.timeoutMs)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const line = stdout.split("\n").find((l) => l.startsWith(resultMarker))
      if (line !== undefined) return resolve(JSON.parse(line.slice(resultMarker.length)) as JobResult)
      if (timedOut) return resolve({ status: "limit", message: `timed out after ${profile.timeoutMs / 1000} s` })
      if (/heap out of memory|Allocation failed/i.test(stderr)) {
        return resolve({ status: "limit", message: `out of heap (--max-old-space-size=${profile.heapMb})` })
      }
      resolve({
        status: "error",
        message: `the child process ended (${signal ?? `code ${code}`}) without an answer:\n${stderr.trim()}`
      })
    })
  })

// -----------------------------------------------------------------------------
// the run
// -----------------------------------------------------------------------------

const { values } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== "--"),
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string" }
  }
})

const profile = profiles[values.quick ? "quick" : "full"]
const sizes = profile.plans.map((plan) => plan.size)
const only = values.only?.split(",").map((id) => id.trim())
const unknown = only?.filter((id) => !configs.some((config) => config.id === id)) ?? []
if (unknown.length > 0) {
  console.error(`unknown configuration(s): ${unknown.join(", ")}; known: ${configs.map((c) => c.id).join(", ")}`)
  process.exit(2)
}
const selected = configs.filter((config) => only === undefined || only.includes(config.id))

const started = performance.now()
const versions = readVersions()
const source = readSource()
const machine = {
  cpu: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown"}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`
}

console.log(`soonify bench, ${profile.name} profile: sizes ${sizes.map(formatSize).join(", ")}`)
console.log(`${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}`)
console.log(
  Object.entries(versions)
    .map(([name, version]) => `${name}@${version}`)
    .join(", ")
)
console.log()

const timings: Array<TimingRow> = []
const memory: Array<MemoryRow> = []
const skipped = new Map<string, string>()

const progress = (text: string) =>
  console.log(`  ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${text}`)

const timingOf = (config: string, kind: string, size: number) =>
  timings.find((row) => row.config === config && row.kind === kind && row.size === size)

/**
 * Whether a run at `size` would not finish within the child's time limit, judging by
 * the figure at the size before it; saves minutes spent waiting for a certain timeout.
 */
const predictLimit = (config: Config, kind: string, { size, runs, warmupRuns }: Plan): string | undefined => {
  const smaller = sizes.filter((s) => s < size)
  if (smaller.length === 0) return undefined
  const previous = timingOf(config.id, kind, Math.max(...smaller))
  if (previous === undefined) return undefined
  if (previous.status === "limit" || previous.status === "budget") {
    return `not run: ${formatSize(previous.size)} did not finish`
  }
  if (previous.status !== "ok") return undefined
  const predictedMs = (previous.medianNsPerTask * size * (runs + warmupRuns)) / 1e6
  return predictedMs > profile.figureBudgetMs ? overBudget(predictedMs) : undefined
}

const overBudget = (predictedMs: number): string =>
  `not run: predicted ${(predictedMs / 1000).toFixed(1)} s, over the ${profile.figureBudgetMs / 1000} s budget`

console.log("timing")
const batches = profile.childPerSize ? profile.plans.map((plan) => [plan]) : [profile.plans]
for (const config of selected) {
  for (const kind of timedKinds) {
    for (const batch of batches) {
      const record = (row: Exclude<Outcome, { readonly status: "ok" }>) => {
        for (const { size } of batch) {
          timings.push(
            row.status === "skipped"
              ? { config: config.id, kind, size, status: "skipped", reason: row.reason }
              : { config: config.id, kind, size, status: row.status, message: row.message }
          )
        }
      }
      const reason = skipped.get(config.id)
      if (reason !== undefined) {
        record({ status: "skipped", reason })
        continue
      }
      const predicted = predictLimit(config, kind, batch[0])
      if (predicted !== undefined) {
        record({ status: "budget", message: predicted })
        progress(`${config.id} ${kind} ${batch.map((plan) => formatSize(plan.size)).join(", ")}: ${predicted}`)
        continue
      }
      const result = await runChild(
        {
          mode: "time",
          config: config.id,
          kind,
          plans: batch,
          figureBudgetMs: profile.figureBudgetMs
        },
        profile
      )
      if (result.status !== "ok") {
        record(result)
        if (result.status === "skipped") {
          skipped.set(config.id, result.reason)
          progress(`${config.id}: skipped, ${result.reason}`)
        } else {
          progress(
            `${config.id} ${kind} ${batch.map((plan) => formatSize(plan.size)).join(", ")}: ${result.status.toUpperCase()} ${result.message}`
          )
        }
        continue
      }
      if (!("timings" in result)) continue
      for (const timing of result.timings) {
        timings.push({
          config: config.id,
          kind,
          status: "ok",
          ...timing,
          toPromiseAll: undefined,
          toFiberSet: undefined
        })
        progress(
          `${config.id} ${kind} ${formatSize(timing.size)}: ${formatNs(timing.medianNsPerTask)} per task ` +
            `(${timing.samplesMs.length} runs)`
        )
      }
      for (const { size, predictedMs } of result.overBudget) {
        timings.push({ config: config.id, kind, size, status: "budget", message: overBudget(predictedMs) })
        progress(`${config.id} ${kind} ${formatSize(size)}: ${overBudget(predictedMs)}`)
      }
    }
  }
}

console.log("memory (heap growth while every task is pending)")
for (const config of selected) {
  for (const size of profile.memorySizes) {
    const reason = skipped.get(config.id)
    if (reason !== undefined) {
      memory.push({ config: config.id, size, status: "skipped", reason })
      continue
    }
    // Spawning and settling the tasks once takes about as long as a timed run of tasks
    // that yield; the warm-up runs at a small size take about as long again.
    const rows = timings.filter((row) => row.config === config.id && row.kind === "yield" && row.size <= size)
    // A timing that timed out at this very size may still leave time for one run here.
    const failed = rows.find((row) => row.status === "error" || (row.status === "limit" && row.size < size))
    const timed = rows.filter((row) => row.status === "ok").toSorted((a, b) => b.size - a.size)[0]
    const predictedMs = timed?.status === "ok" ? (timed.medianNsPerTask * size * 2) / 1e6 : 0
    if (failed !== undefined || predictedMs > profile.figureBudgetMs) {
      const message =
        failed === undefined ? overBudget(predictedMs) : `not run: its timing at ${formatSize(failed.size)} failed`
      memory.push({ config: config.id, size, status: "budget", message })
      progress(`${config.id} ${formatSize(size)}: ${message}`)
      continue
    }
    const result = await runChild({ mode: "memory", config: config.id, size }, profile)
    if (result.status === "ok" && "memory" in result) {
      memory.push({ config: config.id, status: "ok", ...result.memory, toPromiseAll: undefined, toFiberSet: undefined })
      progress(`${config.id} ${formatSize(size)}: ${formatBytes(result.memory.bytesPerTask)} per pending task`)
    } else if (result.status === "skipped") {
      memory.push({ config: config.id, size, status: "skipped", reason: result.reason })
    } else if (result.status === "error" || result.status === "limit") {
      memory.push({ config: config.id, size, status: result.status, message: result.message })
      progress(`${config.id} ${formatSize(size)}: ${result.status.toUpperCase()} ${result.message}`)
    }
  }
}

// Ratios to the baselines of the same run.
const withRatios = <Row extends TimingRow | MemoryRow>(
  rows: Array<Row>,
  figure: (row: Row) => number | undefined,
  baseline: (row: Row, config: string) => Row | undefined
): void => {
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]
    const value = figure(row)
    if (row.status !== "ok" || value === undefined) continue
    const ratio = (config: string) => {
      const base = baseline(row, config)
      const reference = base === undefined ? undefined : figure(base)
      return reference === undefined || reference === 0 ? undefined : value / reference
    }
    rows[i] = { ...row, toPromiseAll: ratio("promise-all"), toFiberSet: ratio("fiberset-run") }
  }
}
withRatios(
  timings,
  (row) => (row.status === "ok" ? row.medianNsPerTask : undefined),
  (row, config) => timingOf(config, row.kind, row.size)
)
withRatios(
  memory,
  (row) => (row.status === "ok" ? row.bytesPerTask : undefined),
  (row, config) => memory.find((m) => m.config === config && m.size === row.size)
)

const targets = evaluateTargets({ timings, memory, sizes: sizes, memorySizes: profile.memorySizes })
const durationSeconds = Math.round((performance.now() - started) / 100) / 10

console.log()
for (const [config, reason] of skipped) console.log(`skipped ${config}: ${reason}`)
for (const kind of timedKinds) {
  for (const size of sizes) {
    const table = timingTable(selected, timings, kind, size)
    if (table === undefined) continue
    console.log(`\n### time per task — ${kind}, N = ${formatSize(size)}\n\n${table}`)
  }
}
for (const size of profile.memorySizes) {
  const table = memoryTable(selected, memory, size)
  if (table === undefined) continue
  console.log(`\n### heap per pending task — N = ${formatSize(size)}\n\n${table}`)
}

// Other work on the machine slows some figures and not others, and ratios with them.
const cores = os.availableParallelism()
const busy = [...timings, ...memory].filter((row) => row.status === "ok" && row.loadAverage > cores)
if (busy.length > 0) {
  const peak = Math.max(...busy.map((row) => (row.status === "ok" ? row.loadAverage : 0)))
  console.log(
    `\nWARNING: ${busy.length} figure(s) were measured while the machine was busy (1-minute load average up to ` +
      `${peak.toFixed(1)} on ${cores} cores): other processes were competing for the CPU; rerun on a quiet machine.`
  )
}

const problems = [...timings, ...memory].filter((row) => row.status === "error")
const limits = [...timings, ...memory].filter((row) => row.status === "limit")
console.log(`\n### targets (reported, not enforced)\n\n${targetList(targets)}`)

const report: Report = {
  profile: profile.name,
  date: new Date().toISOString(),
  machine,
  source,
  versions,
  settings: { ...profile },
  taskKinds,
  configs: selected.map(({ id, label, family }) => ({ id, label, family })),
  timings,
  memory,
  targets,
  durationSeconds,
  busyFigures: busy.length
}
const out = values.out ?? defaultOut(profile, report.date)
fs.mkdirSync(new URL("../results/", import.meta.url), { recursive: true })
fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
console.log(`\nfigures written to ${path.relative(process.cwd(), out)}; ${durationSeconds} s in all`)

const fatal = profile.name === "quick" ? [...problems, ...limits] : problems
if (fatal.length > 0) {
  console.error(`\n${fatal.length} configuration run(s) failed:`)
  for (const row of fatal) {
    if (row.status === "error" || row.status === "limit") {
      const kind = "kind" in row ? ` ${row.kind}` : " memory"
      console.error(`- ${row.config}${kind} ${formatSize(row.size)}: ${row.message}`)
    }
  }
  process.exit(1)
}

// -----------------------------------------------------------------------------

function defaultOut(profile: Profile, date: string): string {
  // Quick runs (CI's) are scratch files, ignored by git; full runs are kept.
  const name = profile.name === "quick" ? "quick.tmp.json" : `full-${date.slice(0, 10)}.json`
  return new URL(`../results/${name}`, import.meta.url).pathname
}

/** The commit measured, and whether the packages had uncommitted changes when built. */
function readSource(): { readonly commit: string; readonly uncommittedChanges: boolean | undefined } {
  const git = (...args: Array<string>) =>
    spawnSync("git", args, { cwd: new URL("..", import.meta.url), encoding: "utf8" }).stdout?.trim()
  const status = git("status", "--porcelain", "--", "../packages")
  return {
    commit: git("rev-parse", "HEAD") || "unknown",
    uncommittedChanges: status === undefined ? undefined : status !== ""
  }
}

function readVersions(): Record<string, string> {
  const versions: Record<string, string> = {}
  for (const name of ["@soonify/core", "@soonify/interop", "effect", "effection", "p-limit", "p-map", "tinybench"]) {
    try {
      const file = new URL(`../node_modules/${name}/package.json`, import.meta.url)
      versions[name] = (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version
    } catch {
      versions[name] = "missing"
    }
  }
  return versions
}
