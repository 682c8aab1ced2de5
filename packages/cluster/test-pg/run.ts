/**
 * `pnpm test:pg`: the PostgreSQL tests. Starts a throwaway PostgreSQL server
 * (`postgres.ts`), runs `vitest.pg.config.ts` against it (the port in
 * `SOONIFY_PG_PORT`), then stops the server. Where PostgreSQL is not installed it
 * prints why and what to install, and exits with success without running the tests;
 * under CI (`CI=true`, where `.ci/run` installs PostgreSQL first) that is a failure.
 * Arguments go to Vitest (`pnpm test:pg DurableGroup` runs that file alone).
 */
import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { missingReason, startPostgres } from "./postgres.ts"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

const postgres = await startPostgres()
if (postgres === undefined) {
  console.log(`test:pg skipped: ${missingReason}`)
  process.exit(process.env.CI === "true" ? 1 : 0)
}
let status = 1
try {
  console.log(`test:pg: PostgreSQL from ${postgres.binDir} on 127.0.0.1:${postgres.port}`)
  const vitest = spawnSync(
    process.execPath,
    [
      path.join(packageDir, "node_modules", "vitest", "vitest.mjs"),
      "run",
      "--config",
      "vitest.pg.config.ts",
      ...process.argv.slice(2)
    ],
    { cwd: packageDir, stdio: "inherit", env: { ...process.env, SOONIFY_PG_PORT: String(postgres.port) } }
  )
  status = vitest.status ?? 1
} finally {
  postgres.stop()
}
process.exit(status)
