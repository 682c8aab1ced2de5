import { defineConfig } from "vitest/config"
import { sharedProject } from "./vitest.shared.ts"

/**
 * The Vitest config `pnpm test:mutation` runs (see `stryker.config.json` and `mutation/README.md`):
 * the core and interop projects without the suites that cannot see a mutant or take seconds
 * per run. The leak probes, the strict-process and undisposed checks, and the doc examples run
 * their code in child processes or through `tsc`, so Stryker's in-process instrumentation is
 * invisible to them; the scale and fuzz suites take 5–17 s each and would run for most mutants.
 */
const outOfReach = [
  "test/leaks.test.ts",
  "test/strictProcess.test.ts",
  "test/undisposed.test.ts",
  "test/longLived.test.ts",
  "test/docExamples.test.ts",
  "test/scale.test.ts",
  "test/fuzz.test.ts",
  // The kernel's check that jsonText's source stands alone: an instrumented source does not.
  "test/jsonTextSource.test.ts"
]

/**
 * The files that need a process where no group has ended before them (the layouts each
 * adapter keeps once the first group has ended): each runs isolated, in a project of its
 * own (`<package>-fresh`), as with `pnpm test`.
 */
const freshProcessOnly: Record<string, ReadonlyArray<string>> = {
  core: ["test/layouts.test.ts"],
  interop: ["test/shapes.test.ts"]
}

const mutationProject = (name: string) => {
  const base = sharedProject(name)
  return {
    ...base,
    root: `packages/${name}`,
    test: {
      ...base.test,
      isolate: false,
      exclude: [...(base.test?.exclude ?? []), ...outOfReach, ...(freshProcessOnly[name] ?? [])]
    }
  }
}

/** The files of `freshProcessOnly` of package `name`, each in a fresh process. */
const freshProject = (name: string) => {
  const base = sharedProject(`${name}-fresh`)
  return {
    ...base,
    root: `packages/${name}`,
    test: { ...base.test, isolate: true, include: [...freshProcessOnly[name]] }
  }
}

/**
 * `SOONIFY_MUTATION_PROJECTS=kernel pnpm test:mutation --mutate "packages/kernel/src/**"`
 * runs the kernel's own suite only: the kernel's rules are pinned down by its own tests
 * (the adapters' suites reach them too, at many times the cost per mutant).
 */
const only = process.env.SOONIFY_MUTATION_PROJECTS?.split(",")

const projects = [
  { name: "kernel", make: () => mutationProject("kernel") },
  { name: "core", make: () => mutationProject("core") },
  { name: "core", make: () => freshProject("core") },
  { name: "interop", make: () => mutationProject("interop") },
  { name: "interop", make: () => freshProject("interop") }
]

export default defineConfig({
  test: {
    projects: projects.filter(({ name }) => only === undefined || only.includes(name)).map(({ make }) => make())
  }
})
