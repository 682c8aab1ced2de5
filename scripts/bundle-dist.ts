// One module per entry point for the packages whose import time is a target (DESIGN §9:
// interop imports in ≤ 5× p-map's time). `tsc -b` writes one `dist` file per source file;
// Node then resolves, reads and links each of them, and for the kernel and interop that
// was two thirds of the import (34 modules: 20 ms, the same code as one module: 6 ms).
// This step, run by `pnpm build` after `tsc -b`, rewrites each entry of `exports` as one
// module bundled by esbuild from the entry's source (`dist/index.js` from `src/index.ts`;
// not minified; a source map back to `src/`). From the sources, not from tsc's output:
// the bundle replaces tsc's entry file, so an incremental `tsc -b` that leaves the entry
// alone would otherwise hand the next bundling the previous bundle, stale. Dependencies
// and Node's built-ins stay imports, so a process that loads two adapters still has one
// `@soonify/kernel`. tsc's per-file modules stay beside it for the declaration files; no
// entry imports them (but a subpath import such as interop's `#ambient`, which stays one).
//
// Usage: node scripts/bundle-dist.ts            (the packages below)
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { build } from "esbuild"

const repoRoot = join(import.meta.dirname, "..")

/** The packages bundled: those a Promise program imports, whose import time is measured. */
const packages = ["kernel", "interop"]

interface Manifest {
  readonly exports: Record<string, unknown>
  readonly imports?: Record<string, unknown>
  readonly dependencies?: Record<string, string>
  readonly peerDependencies?: Record<string, string>
}

/**
 * The sources of a package's entry points: for the `default` of each export but
 * `package.json` (`./dist/X.js`), the `src/X.ts` it is built from.
 */
const entriesOf = (manifest: Manifest): Array<string> =>
  Object.values(manifest.exports).flatMap((target) => {
    const file = typeof target === "object" && target !== null ? (target as { default?: unknown }).default : undefined
    return typeof file === "string" && file.startsWith("./dist/") && file.endsWith(".js")
      ? [`./src/${file.slice("./dist/".length, -".js".length)}.ts`]
      : []
  })

for (const name of packages) {
  const folder = join(repoRoot, "packages", name)
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as Manifest
  const entries = entriesOf(manifest)
  if (entries.length === 0) throw new Error(`packages/${name}/package.json: no ./dist/*.js entry in "exports"`)
  for (const entry of entries)
    if (!existsSync(join(folder, entry)))
      throw new Error(`packages/${name}: "exports" names a dist file with no source ${entry}`)
  await build({
    absWorkingDir: folder,
    entryPoints: entries,
    outdir: "dist",
    outbase: "src",
    allowOverwrite: true,
    // What tsconfig.base.json sets and esbuild should not guess (ES2024 class fields).
    tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: true } },
    bundle: true,
    splitting: entries.length > 1,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    sourcemap: true,
    legalComments: "none",
    // A subpath import (`#ambient`) stays an import: the user's bundler or runtime picks its
    // file by condition (interop's `browser` build of the ambient context).
    external: [
      "node:*",
      ...Object.keys(manifest.imports ?? {}),
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {})
    ],
    logLevel: "warning"
  })
}
