/**
 * Profiles one configuration: runs it alone in a child, under the V8 CPU profiler for
 * its timed rounds only (start-up and warm-up left out, no forced GC between runs, so
 * the GC time is the configuration's own), then prints where the time went, by
 * function (self time, and inclusive time for soonify's own functions).
 *
 *   pnpm --filter @soonify/bench run profile -- <config> [now|now-sync|yield] [size] [runs]
 *   e.g. pnpm --filter @soonify/bench run profile -- core-run-soonify now 100000
 *
 * The `.cpuprofile` is kept under `bench/profiles/` (ignored by git): open it in
 * Chrome DevTools or VS Code for the flame chart.
 */
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { configById } from "./configs.ts"
import type { ComparisonJob } from "./job.ts"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}

interface CpuProfile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
}

const [config = "core-run-soonify", kind = "now", size = "100000", runs = "10"] = process.argv
  .slice(2)
  .filter((arg) => arg !== "--")
if (configById(config) === undefined) {
  console.error(`unknown configuration "${config}"`)
  process.exit(2)
}
if (kind !== "now" && kind !== "now-sync" && kind !== "yield" && kind !== "hash") {
  console.error(`kind must be "now", "now-sync", "yield" or "hash", received "${kind}"`)
  process.exit(2)
}

const directory = new URL("../profiles/", import.meta.url).pathname
fs.mkdirSync(directory, { recursive: true })
const name = `${config}-${kind}-${size}-${Date.now()}.cpuprofile`
const job: ComparisonJob = {
  members: [{ config, size: Number(size) }],
  kind,
  warmupRounds: 3,
  rounds: Number(runs),
  allocation: false,
  live: false,
  collectBetweenRuns: false,
  cpuProfile: path.join(directory, name)
}
const child = spawnSync(
  process.execPath,
  ["--expose-gc", new URL("./child.ts", import.meta.url).pathname, JSON.stringify(job)],
  { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }
)
if (child.status !== 0) process.exit(child.status ?? 1)

const profile = JSON.parse(fs.readFileSync(path.join(directory, name), "utf8")) as CpuProfile

/** "effect/dist/internal/effect.js:123", "@soonify/core/dist/internal/group.js:45". */
const where = (url: string, line: number): string => {
  if (url === "") return ""
  const file = url.replace(/^.*\/node_modules\/(?!\.pnpm)/, "").replace(/^.*\/packages\/(\w+)\//, "@soonify/$1/")
  return `${file.replace(/^.*\/bench\//, "bench/")}:${line + 1}`
}

const key = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame
  return `${functionName || "(anonymous)"} ${where(url, lineNumber)}`.trim()
}

const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const parent = new Map<number, number>()
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)

const self = new Map<string, number>()
const inclusive = new Map<string, number>()
let total = 0
/** Whether a sample is the profiler itself starting or stopping, not the rounds. */
const profiler = (leaf: ProfileNode): boolean => {
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id)?.callFrame
    if (frame?.url === "node:inspector" || frame?.functionName === "stopProfiler") return true
  }
  return false
}

// Each sample counts for one sampling interval (100 µs): its time delta would count the
// time the process waited for the CPU too, on a busy machine.
for (let i = 0; i < profile.samples.length; i++) {
  const delta = 100
  const leaf = byId.get(profile.samples[i])
  if (leaf === undefined || profiler(leaf)) continue
  total += delta
  self.set(key(leaf), (self.get(key(leaf)) ?? 0) + delta)
  const seen = new Set<string>()
  for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
    const frame = key(byId.get(id)!)
    if (seen.has(frame)) continue
    seen.add(frame)
    inclusive.set(frame, (inclusive.get(frame) ?? 0) + delta)
  }
}

const print = (title: string, entries: Iterable<[string, number]>, count: number) => {
  console.log(`\n${title}\n`)
  const rows = [...entries].toSorted((a, b) => b[1] - a[1]).slice(0, count)
  for (const [frame, micros] of rows) {
    console.log(
      `${(micros / 1000).toFixed(1).padStart(9)} ms ${((100 * micros) / total).toFixed(1).padStart(5)} %  ${frame}`
    )
  }
}

console.log(
  `${config}, ${kind}, ${size} tasks, ${runs} timed runs: ${total / 100} samples, one per 100 µs the sampler ran ` +
    `(ms below = samples × 0.1; on a busy machine the sampler misses some, so read the shares)`
)
print("self time, by function", self, 30)
print(
  "inclusive time, soonify's functions",
  [...inclusive].filter(([frame]) => frame.includes("@soonify/")),
  20
)
console.log(`\nprofile: ${path.relative(process.cwd(), path.join(directory, name))}`)
