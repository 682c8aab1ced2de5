// One module per entry point for the packages whose import time is a target (DESIGN §9:
// interop imports in ≤ 5× p-map's time). `tsc -b` writes one `dist` file per source file;
// Node then resolves, reads and links each of them, and for the kernel and interop that
// was two thirds of the import (34 modules: 20 ms, the same code as one module: 6 ms).
// This step, run by `pnpm build` after `tsc -b`, rewrites each entry of `exports` as one
// module bundled by esbuild from tsc's output (not minified; a source map back to `src/`
// through tsc's maps). Dependencies and Node's built-ins stay imports, so a process that
// loads two adapters still has one `@soonify/kernel`. The per-file modules stay beside it
// for the declaration files; no entry imports them.
//
// Usage: node scripts/bundle-dist.ts            (the packages below)
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { build } from "esbuild"

const repoRoot = join(import.meta.dirname, "..")

/** The packages bundled: those a Promise program imports, whose import time is measured. */
const packages = ["kernel", "interop"]

interface Manifest {
  readonly exports: Record<string, unknown>
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
}

/** The `dist` files of a package's entry points (the `default` of each export but `package.json`). */
const entriesOf = (manifest: Manifest): Array<string> =>
  Object.values(manifest.exports).flatMap((target) => {
    const file = typeof target === "object" && target !== null ? (target as { default?: unknown }).default : undefined
    return typeof file === "string" && file.startsWith("./dist/") && file.endsWith(".js") ? [file] : []
  })

for (const name of packages) {
  const folder = join(repoRoot, "packages", name)
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as Manifest
  const entries = entriesOf(manifest)
  if (entries.length === 0) throw new Error(`packages/${name}/package.json: no ./dist/*.js entry in "exports"`)
  await build({
    absWorkingDir: folder,
    entryPoints: entries,
    outdir: "dist",
    outbase: "dist",
    allowOverwrite: true,
    bundle: true,
    splitting: entries.length > 1,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    sourcemap: true,
    legalComments: "none",
    external: ["node:*", ...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})],
    logLevel: "warning"
  })
}
