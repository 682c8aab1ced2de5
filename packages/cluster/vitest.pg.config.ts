import { defineProject } from "vitest/config"
import { sharedProject } from "../../vitest.shared.ts"

// The PostgreSQL tests, run by `pnpm test:pg` (test-pg/run.ts), which starts the server.
const shared = sharedProject("cluster-pg")

export default defineProject({
  ...shared,
  test: { ...shared.test, include: ["test-pg/**/*.test.ts"], exclude: [] }
})
