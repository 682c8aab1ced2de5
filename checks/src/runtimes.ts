// interop where users run it besides Node (DESIGN §3: AsyncLocalStorage on Node, Deno and
// Bun): Bun and Deno, from the npm registry (this package's `bun` and `deno`
// devDependencies; each binary comes inside its platform package, an optional dependency
// pnpm installs, and neither install script runs: pnpm-workspace.yaml's allowBuilds).
// Under each: interop's own Vitest suite (on src/, as `pnpm test` runs it) and
// runtimes/conformance.ts on the built dist/, which Node runs first, so that the
// program is itself tested.
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { checksRoot, repoRoot, run, step } from "./support.ts"

/**
 * The binary of a runtime installed from npm: the wrapper package (`bun`, `deno`) lists
 * one platform package per OS and CPU as optional dependencies, and pnpm installs only
 * the one that fits this machine. Its binary is run directly (the wrappers' own `bin`
 * entries are a placeholder, for Bun, or a Node script that starts the binary, for Deno).
 */
const binaryOf = (wrapper: "bun" | "deno", file: string): string => {
  const manifest = createRequire(join(checksRoot, "package.json")).resolve(`${wrapper}/package.json`)
  const platforms = Object.keys(
    (JSON.parse(readFileSync(manifest, "utf8")) as { optionalDependencies?: Record<string, string> })
      .optionalDependencies ?? {}
  )
  const fromWrapper = createRequire(manifest)
  for (const platform of platforms) {
    let platformManifest: string
    try {
      platformManifest = fromWrapper.resolve(`${platform}/package.json`)
    } catch {
      continue
    }
    const binary = join(dirname(platformManifest), file)
    if (existsSync(binary)) return binary
  }
  throw new Error(
    `${wrapper}: none of its platform packages (${platforms.join(", ")}) is installed for ${process.platform} ${process.arch}; run pnpm install`
  )
}

const conformance = join(checksRoot, "runtimes/conformance.ts")
const vitest = join(repoRoot, "node_modules/vitest/vitest.mjs")
/**
 * interop's suite but its two size suites, which `pnpm test` runs on Node: groups nested
 * 10,000 deep and 50,000 tasks (scale.test.ts), the heap after 10,000 groups
 * (leaks.test.ts). They pass under both runtimes too, but take 25 of Deno's 43 s here,
 * and what this check is for is the semantics on each runtime, within a minute.
 */
const interopSuite = [
  "run",
  "--config",
  "vitest.workspace.ts",
  "--project",
  "interop",
  "--exclude",
  "**/scale.test.ts",
  "--exclude",
  "**/leaks.test.ts"
]
// Deno would otherwise look for a newer release of itself online.
const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1" }

await step("runtimes: interop under Node, Bun and Deno", async () => {
  const bun = binaryOf("bun", "bin/bun")
  const deno = binaryOf("deno", "deno")
  const bunVersion = run(bun, ["--version"], { capture: true }).trim()
  const denoVersion = /^deno (\S+)/.exec(run(deno, ["--version"], { capture: true, env }))?.[1] ?? "unknown"
  console.log(`Node ${process.versions.node}, Bun ${bunVersion}, Deno ${denoVersion}`)

  await step(`conformance on Node ${process.versions.node} (dist)`, () => run(process.execPath, [conformance]))

  await step(`Bun ${bunVersion}: conformance (dist)`, () => run(bun, [conformance], { env }))
  // `--bun` runs Vitest itself on Bun, not on the Node its shebang names. `--pool threads`:
  // the default pool forks child processes and calls `child.channel.unref()`, which Bun's
  // child_process does not have; worker threads run on Bun as well.
  await step(`Bun ${bunVersion}: interop's Vitest suite (src), but the size suites`, () =>
    run(bun, ["--bun", vitest, ...interopSuite, "--pool", "threads"], { cwd: repoRoot, env })
  )

  await step(`Deno ${denoVersion}: conformance (dist)`, () =>
    run(deno, ["run", "--allow-read", "--allow-env", conformance], { env })
  )
  // Left out under Deno: undisposed.test.ts (an undisposed group's failure reported once
  // the group is garbage-collected). Under Deno 2.9 a group whose task rejected with an
  // Error whose `stack` was never read is never collected (rejected with a string, a
  // plain object, or once `stack` was read, it is), so the report never comes: see
  // checks/README.md, "Found on the way". Also appRecipe.test.ts and dumpOnSignal.test.ts:
  // they start a child process with `process.execPath` and Node's own flags
  // (`--conditions`, `--input-type=module-typescript`), which Deno's binary does not take
  // (Bun's does); the semantics they exercise run in-process in the other files.
  const nodeChildren = ["undisposed", "appRecipe", "dumpOnSignal"].flatMap((file) => [
    "--exclude",
    `**/${file}.test.ts`
  ])
  await step(
    `Deno ${denoVersion}: interop's Vitest suite (src), but the size suites and the Node child-process ones`,
    () => run(deno, ["run", "--allow-all", vitest, ...interopSuite, ...nodeChildren], { cwd: repoRoot, env })
  )
})
