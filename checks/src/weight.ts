// Weight (DESIGN §9): minimal programs bundled for the browser by esbuild (minified,
// then gzip -9), and the import time of the built packages, beside p-map and p-limit.
// The interop program's bundle is held to checks/weight/baseline.json: it may not grow
// past the stated tolerance unless the baseline is updated with a reason
// (`pnpm check:weight --update "why"`). DESIGN §9's targets are gates too (see `targets`
// below): interop ≤ 10 KB gzip with no `effect` module in its bundle or in the modules Node
// loads for it, and core's addition over Effect's own minimal program ≤ 8 KB gzip. Import
// time gates only as a ratio to p-map's, measured in the same run (a loaded machine slows
// both), never as a lone time.
import { spawnSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { join, relative } from "node:path"
import { gzipSync } from "node:zlib"
import { build, type Metafile } from "esbuild"
import { checksRoot, repoRoot, step } from "./support.ts"

const baselineFile = join(checksRoot, "weight/baseline.json")

interface Figures {
  readonly minBytes: number
  readonly gzipBytes: number
  readonly importMs: number
}

interface Baseline {
  readonly tolerance: { readonly bytes: number; readonly importMs: number }
  /** Targets not met yet, each with the reason and the issue that meets it: reported, not failed. */
  readonly pending?: Readonly<Record<string, string>>
  readonly program: string
  readonly current: Figures
  readonly history: ReadonlyArray<Figures & { readonly date: string; readonly reason: string }>
}

/** The programs bundled, and the module each one's import time is measured for. */
const programs = [
  { name: "interop-minimal", module: "@soonify/interop" },
  { name: "gather-minimal", module: "@soonify/interop" },
  { name: "core-minimal", module: "@soonify/core" },
  { name: "kernel-minimal", module: "@soonify/kernel" },
  { name: "effect-minimal", module: "effect/Effect" },
  { name: "p-map-minimal", module: "p-map" },
  { name: "p-limit-minimal", module: "p-limit" }
] as const

interface Bundle {
  readonly minBytes: number
  readonly gzipBytes: number
  readonly metafile: Metafile
}

const bundle = async (name: string): Promise<Bundle> => {
  const result = await build({
    entryPoints: [join(checksRoot, "weight", `${name}.ts`)],
    bundle: true,
    minify: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    write: false,
    metafile: true,
    outfile: `${name}.js`,
    logLevel: "warning"
  })
  const output = result.outputFiles.find((file) => file.path.endsWith(".js"))
  if (output === undefined) throw new Error(`esbuild wrote no bundle for ${name}`)
  return {
    minBytes: output.contents.byteLength,
    gzipBytes: gzipSync(output.contents, { level: 9 }).byteLength,
    metafile: result.metafile
  }
}

/** Which package an esbuild input (a path from the working folder) belongs to. */
const ownerOf = (input: string): string => {
  const inModules = /.*node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1]
  if (inModules !== undefined) return inModules
  const path = relative(repoRoot, join(process.cwd(), input))
  const inPackages = /^packages\/([^/]+)\//.exec(path)?.[1]
  return inPackages !== undefined ? `@soonify/${inPackages}` : path
}

/** Minified bytes by package, and the largest files of `effect`, from esbuild's metafile. */
const breakdown = (metafile: Metafile): { byOwner: Map<string, number>; effectFiles: Array<[string, number]> } => {
  const byOwner = new Map<string, number>()
  const effectFiles: Array<[string, number]> = []
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const owner = ownerOf(input)
      byOwner.set(owner, (byOwner.get(owner) ?? 0) + bytesInOutput)
      if (owner === "effect") effectFiles.push([input, bytesInOutput])
    }
  }
  effectFiles.sort((a, b) => b[1] - a[1])
  return { byOwner, effectFiles }
}

/** Milliseconds `import(module)` takes in a new Node process (the module's whole graph). */
const importOnce = (module: string): number => {
  const source = `const t = performance.now(); await import(${JSON.stringify(module)}); console.log(performance.now() - t)`
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", source], {
    cwd: checksRoot,
    encoding: "utf8"
  })
  if (result.status !== 0) throw new Error(`import ${module} failed: ${result.stderr}`)
  return Number(result.stdout.trim())
}

/** median [min–max] over `rounds` processes per module, the modules interleaved round by round. */
const importTimes = (modules: ReadonlyArray<string>, rounds: number): Map<string, Array<number>> => {
  const times = new Map(modules.map((module) => [module, [] as Array<number>]))
  for (const module of modules) importOnce(module) // warm the file cache; not counted
  for (let round = 0; round < rounds; round++) {
    for (const module of modules) times.get(module)?.push(importOnce(module))
  }
  return times
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = values.toSorted((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2
}

/** DESIGN §9's targets. Each fails the check on a breach unless `pending` in the baseline names it. */
const targets = {
  interopGzip: { limit: 10 * 1024, what: "interop's minimal program ≤ 10 KB gzip" },
  interopNoEffect: { what: "no effect module in interop's bundle or in the modules Node loads for it" },
  interopImport: { ratio: 5, what: "interop's import time ≤ 5× p-map's (median of 7 processes each, same run)" },
  coreAddition: { limit: 8 * 1024, what: "core's addition over Effect's minimal program ≤ 8 KB gzip" }
} as const

/** The `effect` modules Node loads when a fresh process imports `module` (a resolve hook records them). */
const effectModulesLoaded = (module: string): Array<string> => {
  const hooks = `import { registerHooks } from "node:module"
globalThis.__resolved = []
registerHooks({ resolve(specifier, context, next) { const result = next(specifier, context); globalThis.__resolved.push(result.url); return result } })`
  const source = `await import(${JSON.stringify(module)}); console.log(JSON.stringify(globalThis.__resolved))`
  const result = spawnSync(
    process.execPath,
    ["--import", `data:text/javascript,${encodeURIComponent(hooks)}`, "--input-type=module", "-e", source],
    { cwd: checksRoot, encoding: "utf8" }
  )
  if (result.status !== 0) throw new Error(`import ${module} failed: ${result.stderr}`)
  const urls = JSON.parse(result.stdout.trim()) as Array<string>
  return urls.filter((url) => /\/node_modules\/effect\//.test(url))
}

/** The import chain by which the bundle's entry reaches `target` (breadth first: a shortest one). */
const chainTo = (metafile: Metafile, entry: string, target: string): Array<string> => {
  const parent = new Map<string, string>([[entry, entry]])
  const queue = [entry]
  for (let file = queue.shift(); file !== undefined && file !== target; file = queue.shift()) {
    for (const { path } of metafile.inputs[file]?.imports ?? []) {
      if (!parent.has(path) && path in metafile.inputs) {
        parent.set(path, file)
        queue.push(path)
      }
    }
  }
  const chain = [target]
  for (let file = target; file !== entry && parent.has(file); file = parent.get(file) as string) {
    chain.unshift(parent.get(file) as string)
  }
  return chain
}

/** A short name for an esbuild input in a chain: `effect/Duration`, `@soonify/core/internal/group`. */
const shortName = (input: string): string =>
  input
    .replace(/^.*node_modules\/((?:@[^/]+\/)?[^/]+)\/dist\//, "$1/")
    .replace(/^.*packages\/([^/]+)\/dist\//, "@soonify/$1/")
    .replace(/\.js$/, "")

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`
const ms = (values: ReadonlyArray<number>): string =>
  `${median(values).toFixed(1)} ms [${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}]`

const updateReason = (): string | undefined => {
  const at = process.argv.indexOf("--update")
  if (at === -1) return undefined
  const reason = process.argv[at + 1]
  if (reason === undefined || reason.trim() === "")
    throw new Error('--update needs a reason: --update "why it changed"')
  return reason
}

await step("weight: minimal programs bundled for the browser, import time", async () => {
  const reason = updateReason()
  const baseline = JSON.parse(readFileSync(baselineFile, "utf8")) as Baseline
  const bundles = new Map<string, Bundle>()
  for (const { name } of programs) bundles.set(name, await bundle(name))
  const modules = [...new Set(programs.map((program) => program.module))]
  const times = importTimes(modules, 7)

  console.log(
    `\n${"program".padEnd(18)} ${"minified".padStart(10)} ${"gzip -9".padStart(10)}   import of the package (median [min–max], 7 processes, Node ${process.versions.node})`
  )
  for (const { name, module } of programs) {
    const { minBytes, gzipBytes } = bundles.get(name) as Bundle
    console.log(
      `${name.padEnd(18)} ${kb(minBytes).padStart(10)} ${kb(gzipBytes).padStart(10)}   ${module}: ${ms(times.get(module) ?? [])}`
    )
  }

  const interop = bundles.get(baseline.program) as Bundle
  const { byOwner, effectFiles } = breakdown(interop.metafile)
  console.log(`\n${baseline.program}, minified bytes by package:`)
  for (const [owner, bytes] of [...byOwner].toSorted((a, b) => b[1] - a[1]))
    console.log(`  ${owner.padEnd(20)} ${kb(bytes).padStart(9)}`)
  console.log("  effect's largest files in it:")
  const entry = Object.keys(interop.metafile.inputs).find((input) => input.endsWith(`${baseline.program}.ts`)) ?? ""
  for (const [file, bytes] of effectFiles.slice(0, 15)) {
    const chain = chainTo(interop.metafile, entry, file).slice(1, -1).map(shortName)
    console.log(`    ${shortName(file).padEnd(28)} ${kb(bytes).padStart(9)}  via ${chain.join(" > ")}`)
  }
  const core = bundles.get("core-minimal") as Bundle
  const effectOnly = bundles.get("effect-minimal") as Bundle
  console.log(
    `core's own addition over the same program with Effect alone: ${kb(core.minBytes - effectOnly.minBytes)} minified, ${kb(core.gzipBytes - effectOnly.gzipBytes)} gzip`
  )

  const missed: Array<string> = []
  const gate = (name: keyof typeof targets, met: boolean, figure: string): void => {
    const pending = baseline.pending?.[name]
    const verdict = met
      ? pending !== undefined
        ? "met (remove it from pending)"
        : "met"
      : pending !== undefined
        ? `not met, pending: ${pending}`
        : "NOT MET"
    console.log(`  ${targets[name].what}: ${figure} — ${verdict}`)
    if (!met && pending === undefined) missed.push(targets[name].what)
  }
  console.log("\ntargets (DESIGN §9):")
  gate("interopGzip", interop.gzipBytes <= targets.interopGzip.limit, kb(interop.gzipBytes))
  const effectInBundle = byOwner.get("effect") ?? 0
  const effectLoaded = effectModulesLoaded("@soonify/interop")
  gate(
    "interopNoEffect",
    effectInBundle === 0 && effectLoaded.length === 0,
    `${kb(effectInBundle)} of effect bundled, ${effectLoaded.length} effect modules loaded by Node`
  )
  const importRatio = median(times.get("@soonify/interop") ?? []) / median(times.get("p-map") ?? [])
  gate("interopImport", importRatio <= targets.interopImport.ratio, `${importRatio.toFixed(1)}× p-map`)
  const coreAddition = core.gzipBytes - effectOnly.gzipBytes
  gate("coreAddition", coreAddition <= targets.coreAddition.limit, kb(coreAddition))

  const measured: Figures = {
    minBytes: interop.minBytes,
    gzipBytes: interop.gzipBytes,
    importMs: Number(median(times.get("@soonify/interop") ?? []).toFixed(1))
  }
  if (reason !== undefined) {
    const updated: Baseline = {
      ...baseline,
      current: measured,
      history: [...baseline.history, { date: new Date().toISOString().slice(0, 10), ...measured, reason }]
    }
    writeFileSync(baselineFile, JSON.stringify(updated, null, 2) + "\n")
    console.log(`\nbaseline updated: ${relative(repoRoot, baselineFile)} (commit it)`)
    return
  }

  const last = baseline.history.at(-1)
  if (last?.minBytes !== baseline.current.minBytes || last.gzipBytes !== baseline.current.gzipBytes) {
    throw new Error(
      `${relative(repoRoot, baselineFile)}: "current" must match the last history entry, which gives its reason`
    )
  }
  const limit = (base: number) => Math.floor(base * (1 + baseline.tolerance.bytes))
  console.log(
    `\n${baseline.program} against the baseline (tolerance +${baseline.tolerance.bytes * 100}%):` +
      ` minified ${measured.minBytes} B (baseline ${baseline.current.minBytes}, limit ${limit(baseline.current.minBytes)}),` +
      ` gzip ${measured.gzipBytes} B (baseline ${baseline.current.gzipBytes}, limit ${limit(baseline.current.gzipBytes)}),` +
      ` import ${measured.importMs} ms (baseline ${baseline.current.importMs} ms, reported only)`
  )
  if (measured.importMs > baseline.current.importMs * (1 + baseline.tolerance.importMs)) {
    console.log(
      `note: import time is over the baseline's by more than ${baseline.tolerance.importMs * 100}%: look before it is taken as a regression (a loaded machine shows this too)`
    )
  }
  const grew =
    measured.minBytes > limit(baseline.current.minBytes) || measured.gzipBytes > limit(baseline.current.gzipBytes)
  if (grew) {
    throw new Error(
      `${baseline.program} grew past the baseline's tolerance: find what pulled it in (the breakdown above), or update the baseline with the reason: pnpm check:weight --update "why"`
    )
  }
  if (missed.length > 0) {
    throw new Error(`DESIGN §9 targets missed: ${missed.join("; ")} (see "targets" above)`)
  }
  if (measured.gzipBytes < baseline.current.gzipBytes * (1 - baseline.tolerance.bytes)) {
    console.log(
      `note: ${baseline.program} is smaller than the baseline: lower it, with the reason (pnpm check:weight --update "why")`
    )
  }
})
