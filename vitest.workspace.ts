import { defineConfig } from "vitest/config"

// The root Vitest config: one project per package (and per example with tests) (Vitest 5 reads no workspace file
// by itself, so the scripts pass this file with --config).
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "examples/*/vitest.config.ts"]
  }
})
