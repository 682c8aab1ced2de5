/**
 * The benchmark driver: `pnpm bench` (full profile) or `pnpm bench --quick`.
 *
 * Runs every comparison (a configuration under test and its anchors, one kind of task,
 * one size; see `comparisons.ts`) in several child processes, each timing them side by
 * side round by round; prints, per comparison, the median [min–max] over processes of
 * the same-process ratios, the bytes allocated and kept per task, the load average,
 * and the targets of `DESIGN.md` §9 as met or missed; writes every sample as JSON
 * under `bench/results/`.
 *
 * Exits 1 when a run gave a wrong result, threw, crashed or hit its time or heap
 * limit; never for a missed target.
 *
 * Options: `--quick`, `--only <id,...>` (configurations under test, see
 * `comparisons.ts`), `--sizes <n,...>` (some of the profile's sizes; 1e6 for the
 * linearity checks), `--processes <n>` (per comparison), `--jobs <n>` (child processes
 * at a time), `--out <file>`, `--steady` (no full GC between runs: see below).
 *
 * Protocol: by default a full GC runs before each timed run, so that no run pays for the
 * garbage of the one before. V8 runs the code after a forced full GC more slowly for a
 * while (its inline caches and code warm up again: 1.5–3× the CPU time of a run back to
 * back, no collection in between), and not by the same factor for every configuration.
 * `--steady` times runs back to back instead, as a long-running program runs them; the
 * rotation then spreads each run's garbage over the members evenly. Both are
 * same-process ratios; the report says which protocol it used.
 */
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { comparisons, linearSubjects, type Comparison } from "./comparisons.ts"
import { configs } from "./configs.ts"
import { resultMarker, type ChildAnswer, type ComparisonJob } from "./job.ts"
import { roundRatio, summarize, type ComparisonResult, type Report } from "./results.ts"
import { comparisonTable, formatNs, formatRatio, formatSize, linearTable, targetList } from "./table.ts"
import { evaluateTargets } from "./targets.ts"
import type { TimedKind } from "./tasks.ts"

interface Rounds {
  readonly size: number
  readonly warmupRounds: number
  readonly rounds: number
}

interface Profile {
  readonly name: "full" | "quick"
  /** Each size compared, with its untimed and timed rounds. */
  readonly sizes: ReadonlyArray<Rounds>
  /** Processes per comparison (each gives one ratio per anchor). */
  readonly processes: number
  /** Child processes at a time (ratios come from within one, so they may share the machine). */
  readonly jobs: number
  /** Allocation and live-heap figures at these sizes. */
  readonly memorySizes: ReadonlyArray<number>
  /** Linearity checks: the subject at 1e6 against itself at 1e5, in one process. */
  readonly linear: Rounds | undefined
  /** Per child process; a child past it is killed and its comparison reported as a limit. */
  readonly timeoutMs: number
  /** Each child's `--max-old-space-size`, in MiB. */
  readonly heapMb: number
}

const profiles: Record<Profile["name"], Profile> = {
  full: {
    name: "full",
    sizes: [
      { size: 1e3, warmupRounds: 30, rounds: 31 },
      { size: 1e4, warmupRounds: 5, rounds: 15 },
      { size: 1e5, warmupRounds: 2, rounds: 7 }
    ],
    processes: 5,
    jobs: 1,
    memorySizes: [1e4, 1e5],
    linear: { size: 1e6, warmupRounds: 1, rounds: 3 },
    timeoutMs: 600_000,
    heapMb: 8192
  },
  quick: {
    name: "quick",
    sizes: [{ size: 1e4, warmupRounds: 1, rounds: 5 }],
    processes: 3,
    jobs: 2,
    memorySizes: [1e4],
    linear: undefined,
    timeoutMs: 60_000,
    heapMb: 2048
  }
}

const taskKinds: Record<TimedKind | "gated", string> = {
  now: "returns at once: async (i) => i (Promise code), Effect.succeed(i) (Effect: an Exit, which may be taken without a fiber)",
  "now-sync": "returns at once as Effect.sync(() => i), which Effect must run in a fiber (Promise code: as now)",
  yield:
    "yields once to the event loop, then returns: await a setImmediate (Promise code), " +
    "Effect.yieldNow (Effect: one macrotask through Effect's scheduler), an action around setImmediate (effection)",
  hash:
    "CPU-bound: one SHA-256 over a 1 MiB buffer fed to it 16 times, the digest checked; on the event loop " +
    "(Promise code, Effect.sync, effection), or on worker threads (the worker configurations)",
  gated:
    "live-heap figures only: counts itself started, then waits on a gate shared by all tasks that opens once the heap is measured"
}

// -----------------------------------------------------------------------------
// child processes
// -----------------------------------------------------------------------------

const childPath = new URL("./child.ts", import.meta.url).pathname

const runChild = (job: ComparisonJob, profile: Profile): Promise<ChildAnswer> =>
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
      if (line !== undefined) return resolve(JSON.parse(line.slice(resultMarker.length)) as ChildAnswer)
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
    processes: { type: "string" },
    jobs: { type: "string" },
    sizes: { type: "string" },
    out: { type: "string" },
    steady: { type: "boolean", default: false }
  }
})
const collectBetweenRuns = !values.steady

const profile = profiles[values.quick ? "quick" : "full"]
const processes = values.processes === undefined ? profile.processes : Number(values.processes)
if (!Number.isInteger(processes) || processes < 1) {
  console.error(`--processes must be a positive integer, received ${values.processes}`)
  process.exit(2)
}
const jobs = values.jobs === undefined ? profile.jobs : Number(values.jobs)
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error(`--jobs must be a positive integer, received ${values.jobs}`)
  process.exit(2)
}
// `--sizes 1e5` keeps some of the profile's sizes (and linearity only if 1e6 is named).
const sizeFilter = values.sizes?.split(",").map((size) => Number(size.trim()))
const badSize = sizeFilter?.find((size) => size !== 1e6 && !profile.sizes.some((s) => s.size === size))
if (badSize !== undefined) {
  console.error(
    `--sizes: ${badSize} is not one of the ${profile.name} profile's sizes (${profile.sizes.map((s) => s.size).join(", ")}${profile.linear === undefined ? "" : ", 1000000"})`
  )
  process.exit(2)
}
const sizes = profile.sizes.filter((s) => sizeFilter === undefined || sizeFilter.includes(s.size))
const linearRounds = sizeFilter === undefined || sizeFilter.includes(1e6) ? profile.linear : undefined
const only = values.only?.split(",").map((id) => id.trim())
const subjects = new Set([...comparisons.map((c) => c.subject), ...linearSubjects.map((l) => l.config)])
const unknown = only?.filter((id) => !subjects.has(id)) ?? []
if (unknown.length > 0) {
  console.error(`unknown configuration(s) under test: ${unknown.join(", ")}; known: ${[...subjects].join(", ")}`)
  process.exit(2)
}
const chosen = (id: string) => only === undefined || only.includes(id)

/** One comparison to run in `processes` children. */
interface Planned {
  readonly subject: string
  readonly anchors: ReadonlyArray<string>
  readonly kind: TimedKind
  readonly size: number
  readonly linear: boolean
  readonly job: ComparisonJob
}

// Each of the profile's sizes with the comparisons that take it, then each comparison
// with its own N (CPU-bound work), unless `--sizes` picked some of the profile's sizes.
const schedule: ReadonlyArray<Rounds & { readonly taking: ReadonlyArray<Comparison> }> = [
  ...sizes.map((rounds) => ({ ...rounds, taking: comparisons.filter((c) => c.ownSize === undefined) })),
  ...(sizeFilter === undefined
    ? comparisons.flatMap((c) => (c.ownSize === undefined ? [] : [{ ...c.ownSize, taking: [c] }]))
    : [])
]
const planned: Array<Planned> = []
for (const { size, warmupRounds, rounds, taking } of schedule) {
  for (const comparison of taking) {
    if (!chosen(comparison.subject) || (comparison.fullOnly === true && profile.name !== "full")) continue
    comparison.kinds.forEach((kind, k) => {
      const anchors = [...comparison.anchors, ...(profile.name === "full" ? (comparison.fullAnchors ?? []) : [])]
      const members = [comparison.subject, ...anchors].map((config) => ({ config, size }))
      const memory = profile.memorySizes.includes(size)
      planned.push({
        subject: comparison.subject,
        anchors,
        kind,
        size,
        linear: false,
        // Live bytes do not depend on the kind (the tasks wait on a gate): once per size.
        job: {
          members,
          kind,
          warmupRounds,
          rounds,
          allocation: memory,
          live: memory && k === 0,
          collectBetweenRuns
        }
      })
    })
  }
}
if (linearRounds !== undefined) {
  const { size, warmupRounds, rounds } = linearRounds
  for (const { config, kinds } of linearSubjects) {
    if (!chosen(config)) continue
    for (const kind of kinds) {
      const members = [
        { config, size },
        { config, size: size / 10 }
      ]
      planned.push({
        subject: config,
        anchors: [`${config}@${formatSize(size / 10)}`],
        kind,
        size,
        linear: true,
        job: { members, kind, warmupRounds, rounds, allocation: false, live: false, collectBetweenRuns }
      })
    }
  }
}

if (planned.length === 0) {
  console.error(`nothing to run: the ${profile.name} profile has no comparison for ${only?.join(", ")}`)
  process.exit(2)
}

const started = performance.now()
const versions = readVersions()
const source = readSource()
const machine = {
  cpu: `${os.cpus().length} × ${os.cpus()[0]?.model ?? "unknown"}`,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`
}

console.log(
  `soonify bench, ${profile.name} profile: ${planned.length} comparisons × ${processes} processes ` +
    `(${jobs} at a time), ` +
    `sizes ${[...new Set(planned.filter((plan) => !plan.linear).map((plan) => formatSize(plan.size)))].join(", ")}` +
    `${planned.some((plan) => plan.linear) ? ", linearity at 1e6" : ""}` +
    (collectBetweenRuns ? ", a full GC before each run" : ", steady: runs back to back, no GC between them")
)
console.log(`${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, load ${loadNow()}`)
console.log(
  Object.entries(versions)
    .map(([name, version]) => `${name}@${version}`)
    .join(", ")
)
console.log()

const progress = (text: string) =>
  console.log(`  ${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s  ${text}`)

const describe = (plan: Planned): string =>
  plan.linear
    ? `${plan.subject} ${plan.kind}: 1e6 vs 1e5`
    : `${plan.subject} ${plan.kind} ${formatSize(plan.size)} vs ${plan.anchors.join(", ")}`

// Process p of every comparison before process p + 1 of any, so that a change in the
// machine's load spreads over all comparisons instead of skewing one; `jobs` children
// at a time.
const answers = planned.map((): Array<ChildAnswer> => [])
const queue = Array.from({ length: processes }, (_, p) => planned.map((plan, index) => ({ plan, index, p }))).flat()
const worker = async (): Promise<void> => {
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { plan, index, p } = next
    // A comparison that failed once is not retried: its failure is the figure.
    if (answers[index].some((answer) => answer.status !== "ok")) continue
    // The memory figures barely vary between processes, and are the costliest to take
    // (full collections around every run): the first process takes them.
    const job = { ...plan.job, allocation: plan.job.allocation && p === 0, live: plan.job.live && p === 0 }
    const answer = await runChild(job, profile)
    answers[index].push(answer)
    if (answer.status !== "ok") {
      const message = answer.status === "skipped" ? answer.reason : answer.message
      progress(`${describe(plan)}: ${answer.status.toUpperCase()} ${message}`)
      continue
    }
    const [subject, ...anchors] = answer.members
    const ratios = anchors.map((anchor) => formatRatio(roundRatio(subject.samplesMs, anchor.samplesMs))).join(" ")
    progress(
      `${p + 1}/${processes} ${describe(plan)}: ${formatNs(subject.medianNsPerTask)} per task, ${ratios} ` +
        `(load ${answer.loadAverage[1].toFixed(1)})`
    )
  }
}
await Promise.all(Array.from({ length: jobs }, worker))

const results: Array<ComparisonResult> = planned.map((plan, index) => {
  const all = answers[index]
  const failure = all.find(
    (answer): answer is Exclude<ChildAnswer, { readonly status: "ok" }> => answer.status !== "ok"
  )
  const base = {
    subject: plan.subject,
    anchors: plan.anchors,
    kind: plan.kind,
    size: plan.size,
    linear: plan.linear,
    processes: all
  }
  if (failure !== undefined) {
    const message = failure.status === "skipped" ? failure.reason : failure.message
    return { ...base, status: failure.status, message, members: [], ratios: [], loadAverage: undefined }
  }
  const ok = all.filter((answer) => answer.status === "ok")
  return { ...base, status: "ok", message: undefined, ...summarize(ok) }
})

const targets = evaluateTargets(
  results,
  sizes.map((s) => s.size),
  linearRounds !== undefined
)
const durationSeconds = Math.round((performance.now() - started) / 100) / 10

for (const size of new Set(schedule.map((rounds) => rounds.size))) {
  for (const comparison of comparisons) {
    const rows = results.filter((r) => !r.linear && r.subject === comparison.subject && r.size === size)
    if (rows.length === 0) continue
    console.log(`\n### ${configs.find((c) => c.id === comparison.subject)?.label} — N = ${formatSize(size)}\n`)
    console.log(comparisonTable(rows))
  }
}
const linear = results.filter((r) => r.linear)
if (linear.length > 0) console.log(`\n### linearity — one process each\n\n${linearTable(linear)}`)

console.log(`\n### targets of DESIGN.md §9 (median [min–max] of same-process ratios; reported, not enforced)\n`)
console.log(targetList(targets))

// Other work on the machine slows some runs and not others, and ratios with them.
const cores = os.availableParallelism()
const peak = Math.max(0, ...results.map((r) => r.loadAverage?.max ?? 0))
if (peak > cores) {
  console.log(
    `\nNOTE: the 1-minute load average reached ${peak.toFixed(1)} on ${cores} cores: other processes were ` +
      `competing for the CPU, so the ranges are wide; ratios come from one process each, but compare them ` +
      `with a quieter run before acting on a small difference.`
  )
}

const report: Report = {
  profile: profile.name,
  date: new Date().toISOString(),
  machine,
  source,
  versions,
  settings: { ...profile, sizes, linear: linearRounds, processes, jobs, collectBetweenRuns },
  taskKinds,
  configs: configs.map(({ id, label, family }) => ({ id, label, family })),
  comparisons: results,
  targets,
  durationSeconds
}
const out = values.out === undefined ? defaultOut(profile, report.date) : path.resolve(values.out)
fs.mkdirSync(path.dirname(out), { recursive: true })
fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`)
console.log(`\nfigures written to ${path.relative(process.cwd(), out)}; ${durationSeconds} s in all`)

const failed = results.filter((r) => r.status === "error" || r.status === "limit")
if (failed.length > 0) {
  console.error(`\n${failed.length} comparison(s) failed:`)
  for (const r of failed) console.error(`- ${r.subject} ${r.kind} ${formatSize(r.size)}: ${r.message}`)
  process.exit(1)
}

// -----------------------------------------------------------------------------

function loadNow(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(" ")
}

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
  for (const name of [
    "@soonify/core",
    "@soonify/interop",
    "@soonify/worker",
    "effect",
    "effection",
    "p-limit",
    "p-map",
    "piscina"
  ]) {
    try {
      const file = new URL(`../node_modules/${name}/package.json`, import.meta.url)
      versions[name] = (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version
    } catch {
      versions[name] = "missing"
    }
  }
  return versions
}
