/**
 * A throwaway PostgreSQL server on 127.0.0.1, for `pnpm test:pg` and the demo's
 * multi-process mode: a fresh data directory under the system's temporary directory
 * and a free port, as the `postgres` user when run as root (PostgreSQL refuses root).
 */
import { execFileSync, spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir, userInfo } from "node:os"
import * as path from "node:path"

/** A running server: its port, and how to stop it (which also removes its directory). */
export interface Postgres {
  readonly port: number
  readonly binDir: string
  readonly stop: () => void
}

/** The directory of `initdb` and `pg_ctl` (Debian's `postgresql` package), or `undefined`. */
const findBinDir = (): string | undefined => {
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
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject()))
    })
  })

/** Why no server can be started here, for the message of whoever skips. */
export const missingReason =
  "no PostgreSQL server binaries (initdb, pg_ctl) found on the PATH or under /usr/lib/postgresql/<version>/bin; " +
  "install Debian's `postgresql` package"

/** Starts a server, or gives `undefined` when PostgreSQL is not installed (see {@link missingReason}). */
export const startPostgres = async (): Promise<Postgres | undefined> => {
  const binDir = findBinDir()
  if (binDir === undefined) return undefined
  const asRoot = userInfo().uid === 0
  const pg = (command: string, args: ReadonlyArray<string>) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", path.join(binDir, command), ...args], { stdio: "pipe" })
      : execFileSync(path.join(binDir, command), args, { stdio: "pipe" })
  const dir = mkdtempSync(path.join(tmpdir(), "soonify-pg-"))
  if (asRoot) chownSync(dir, Number(execFileSync("id", ["-u", "postgres"]).toString()), 0)
  const data = path.join(dir, "data")
  const port = await freePort()
  const remove = () => rmSync(dir, { recursive: true, force: true })
  try {
    pg("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
    pg("pg_ctl", [
      "-D",
      data,
      "-l",
      path.join(dir, "server.log"),
      "-w",
      "-o",
      // commit timestamps: the demo reads when the engine committed each reply (pg_xact_commit_timestamp)
      `-h 127.0.0.1 -p ${port} -k ${dir} -F -c track_commit_timestamp=on`,
      "start"
    ])
  } catch (error) {
    remove()
    throw error
  }
  return {
    port,
    binDir,
    stop: () => {
      try {
        pg("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"])
      } finally {
        remove()
      }
    }
  }
}
