import { configDefaults, defineProject } from "vitest/config"

/**
 * `pnpm test:stress` (SOONIFY_STRESS=1) runs only the reliability suites, at full size:
 * the fuzzers and the "cancellation always settles" sweeps with twenty times the cases,
 * the leak probes with more groups, and the `*.stress.test.ts` files (a million tasks in
 * one group), which `pnpm test` leaves out.
 */
const stress = process.env.SOONIFY_STRESS === "1"

/**
 * What every package's Vitest project shares: sources are imported through the
 * `@soonify/source` export condition, so tests run against `src/` without a build.
 */
export const sharedProject = (name: string) =>
  defineProject({
    resolve: { conditions: ["@soonify/source", "module", "node", "import", "default"] },
    ssr: { resolve: { conditions: ["@soonify/source", "module", "node", "import", "default"] } },
    test: {
      name,
      include: stress
        ? ["test/fuzz.test.ts", "test/cancelSettles.test.ts", "test/leaks.test.ts", "test/**/*.stress.test.ts"]
        : ["test/**/*.test.ts"],
      exclude: stress ? configDefaults.exclude : [...configDefaults.exclude, "test/**/*.stress.test.ts"],
      setupFiles: ["../../test-setup/strict-process.ts"],
      testTimeout: 20_000
    }
  })
