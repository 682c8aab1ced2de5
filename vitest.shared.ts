import { defineProject } from "vitest/config"

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
      include: ["test/**/*.test.ts"],
      setupFiles: ["../../test-setup/strict-process.ts"],
      testTimeout: 20_000
    }
  })
