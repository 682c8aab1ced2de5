// What the checks share: running a command (its output shown, a failure stops the
// check), timing a step, a scratch folder outside the workspace, the machine's own Node.
import { spawnSync, type SpawnSyncOptions } from "node:child_process"
import { accessSync, constants, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository's root folder. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..")

/** This check's own folder (`checks/`). */
export const checksRoot = join(repoRoot, "checks")

/** Runs `command args` and throws if it does not exit with 0; returns its stdout when `capture`. */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: SpawnSyncOptions & { readonly capture?: boolean } = {}
): string => {
  const { capture = false, ...rest } = options
  const result = spawnSync(command, args, {
    stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
    encoding: "utf8",
    ...rest
  })
  if (result.error !== undefined) throw result.error
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}`)
  }
  return capture ? String(result.stdout) : ""
}

/** Runs `f`, printing how long it took under `label`. */
export const step = async <A>(label: string, f: () => A | Promise<A>): Promise<A> => {
  console.log(`\n=== ${label}`)
  const started = performance.now()
  const value = await f()
  console.log(`=== ${label}: ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return value
}

/** A new empty folder in the system's temporary folder, outside the workspace. */
export const scratchDir = (prefix: string): string => mkdtempSync(join(tmpdir(), `soonify-${prefix}-`))

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * The machine's own `node`, not the one the workspace pins: `pnpm` scripts run with
 * `node_modules/.bin` (the `node` devDependency, Node 24) first on PATH, so this takes
 * `SOONIFY_SYSTEM_NODE` when set (`.ci/run` sets it before pnpm is involved), else the
 * first `node` on PATH outside any `node_modules`.
 */
export const systemNode = (): string => {
  const fromEnv = process.env["SOONIFY_SYSTEM_NODE"]
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "" || dir.split(/[\\/]/).includes("node_modules")) continue
    const candidate = join(dir, "node")
    if (isExecutable(candidate)) return candidate
  }
  throw new Error("no system node found on PATH outside node_modules; set SOONIFY_SYSTEM_NODE")
}

/** The major version of the Node at `nodePath`. */
export const nodeMajor = (nodePath: string): number =>
  Number(/^v(\d+)\./.exec(run(nodePath, ["--version"], { capture: true }).trim())?.[1])
