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
// entry imports them. An export with a `browser` target (`dist/index.browser.js`) is
// bundled a second time with the `browser` condition, which picks the browser files of
// the package's subpath imports (interop's `#ambient`, the kernel's `#attach`).
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
 * The sources of a package's entry points for one condition of its `exports`: for the
 * `default` (or `browser`) target of each export but `package.json` (`./dist/X.js`, or
 * `./dist/X.browser.js`), the `src/X.ts` it is built from.
 */
const entriesOf = (manifest: Manifest, condition: "default" | "browser"): Array<string> =>
  Object.values(manifest.exports).flatMap((target) => {
    const file =
      typeof target === "object" && target !== null ? (target as Record<string, unknown>)[condition] : undefined
    const suffix = condition === "browser" ? ".browser.js" : ".js"
    return typeof file === "string" && file.startsWith("./dist/") && file.endsWith(suffix)
      ? [`./src/${file.slice("./dist/".length, -suffix.length)}.ts`]
      : []
  })

for (const name of packages) {
  const folder = join(repoRoot, "packages", name)
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as Manifest
  const entries = entriesOf(manifest, "default")
  if (entries.length === 0) throw new Error(`packages/${name}/package.json: no ./dist/*.js entry in "exports"`)
  const browserEntries = entriesOf(manifest, "browser")
  for (const entry of [...entries, ...browserEntries])
    if (!existsSync(join(folder, entry)))
      throw new Error(`packages/${name}: "exports" names a dist file with no source ${entry}`)
  // Each entry once for every runtime, and once more for browsers where `exports` has a
  // `browser` target: the subpath imports (`#ambient`, `#attach`) are resolved from the
  // sources by condition, so a Node process loads one module and a browser bundle gets
  // the browser files.
  for (const [condition, points] of [
    ["default", entries],
    ["browser", browserEntries]
  ] as const) {
    if (points.length === 0) continue
    await build({
      absWorkingDir: folder,
      entryPoints: points,
      outdir: "dist",
      outbase: "src",
      entryNames: condition === "browser" ? "[dir]/[name].browser" : "[dir]/[name]",
      allowOverwrite: true,
      conditions: condition === "browser" ? ["@soonify/source", "browser"] : ["@soonify/source"],
      // What tsconfig.base.json sets and esbuild should not guess (ES2024 class fields).
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: true } },
      bundle: true,
      splitting: points.length > 1,
      format: "esm",
      platform: "neutral",
      target: "es2022",
      sourcemap: true,
      legalComments: "none",
      external: [
        "node:*",
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {})
      ],
      logLevel: "warning"
    })
  }
}
