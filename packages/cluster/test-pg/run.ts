/**
 * `pnpm test:pg`: the PostgreSQL tests. Starts a throwaway PostgreSQL server on
 * 127.0.0.1 (a fresh data directory under the system's temporary directory, a free
 * port), runs `vitest.pg.config.ts` against it (the port in `SOONIFY_PG_PORT`), then
 * stops the server and removes its directory.
 *
 * Where no PostgreSQL server binaries are found (`initdb`, `pg_ctl` on the PATH or
 * under /usr/lib/postgresql/<version>/bin; Debian's `postgresql` package), it prints
 * why and what to install, and exits with success without running the tests.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir, userInfo } from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))

/** The directory of `initdb` and `pg_ctl`, or `undefined`. */
const binDir = (): string | undefined => {
  const onPath = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim()
  if (onPath !== "") return path.dirname(onPath)
  const debian = "/usr/lib/postgresql"
  if (!existsSync(debian)) return undefined
  const versions = readdirSync(debian)
    .filter((version) => existsSync(path.join(debian, version, "bin", "initdb")))
    .toSorted((a, b) => Number(b) - Number(a))
  return versions.length === 0 ? undefined : path.join(debian, versions[0]!, "bin")
}

/** A TCP port nobody listens on right now. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()))
    })
  })

const bin = binDir()
if (bin === undefined) {
  console.log(
    "test:pg skipped: no PostgreSQL server binaries (initdb, pg_ctl) found on the PATH or under " +
      "/usr/lib/postgresql/<version>/bin. Install Debian's `postgresql` package to run these tests."
  )
  process.exit(0)
}

// PostgreSQL refuses to run as root: run its commands as the `postgres` user then.
const asRoot = userInfo().uid === 0
const pg = (command: string, args: ReadonlyArray<string>) =>
  asRoot
    ? execFileSync("runuser", ["-u", "postgres", "--", path.join(bin, command), ...args], { stdio: "pipe" })
    : execFileSync(path.join(bin, command), args, { stdio: "pipe" })

const dir = mkdtempSync(path.join(tmpdir(), "soonify-pg-"))
if (asRoot) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString()), 0)
const data = path.join(dir, "data")
const port = await freePort()
let status = 1
try {
  pg("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
  pg("pg_ctl", [
    "-D",
    data,
    "-l",
    path.join(dir, "server.log"),
    "-w",
    "-o",
    `-h 127.0.0.1 -p ${port} -k ${dir} -F`,
    "start"
  ])
  console.log(`test:pg: PostgreSQL from ${bin} on 127.0.0.1:${port}`)
  const vitest = spawnSync(
    process.execPath,
    [path.join(packageDir, "node_modules", "vitest", "vitest.mjs"), "run", "--config", "vitest.pg.config.ts"],
    { cwd: packageDir, stdio: "inherit", env: { ...process.env, SOONIFY_PG_PORT: String(port) } }
  )
  status = vitest.status ?? 1
} finally {
  try {
    pg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
process.exit(status)
