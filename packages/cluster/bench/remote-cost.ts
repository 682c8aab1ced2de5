/**
 * What a remote task costs against a local one.
 *
 * - In-process (default): on Effect's in-process cluster (`TestRunner.layer`: the
 *   caller and the runner share a process, payloads are encoded and decoded with their
 *   schemas, no sockets).
 * - `--loopback`: the caller and a runner process (`bench/echo-runner.ts`) on loopback
 *   sockets (`NodeClusterSocket`, msgpack), the runner registry in a throwaway
 *   PostgreSQL server (`test-pg/postgres.ts`); the calls themselves are not persisted.
 *
 * `pnpm bench [--loopback]` runs five child processes.
 * Each one interleaves, round by round, a local task group and a remote one (same
 * group code, same task: return the input) and reports two ratios, remote / local:
 * `roundTrip` (one call after another, so one call's latency) and `throughput`
 * (N calls at once in one group). The parent prints the median [min–max] over the
 * processes of each process's median ratio, and each process's absolute figures.
 */
import { execFile, spawn } from "node:child_process"
import { loadavg } from "node:os"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { NodeClusterSocket } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Effect, Layer } from "effect"
import { TestRunner } from "effect/cluster"
import { TaskGroup } from "@soonify/core"
import { RemoteTask } from "@soonify/cluster"
import { freePort, missingReason, startPostgres } from "../test-pg/postgres.ts"
import { Echo, EchoLive } from "./echo.ts"

const processes = 5
const rounds = 7
const sequentialCalls = 200
const concurrentCalls = 2_000

const loopback = process.argv.includes("--loopback")
const pgPort = Number(process.argv[process.argv.indexOf("--pg") + 1])

const local = ({ i }: { readonly i: number }) => Effect.succeed(i)
const remote = RemoteTask.call(Echo)

/** One group of `n` tasks, all at once; checks every result. */
const atOnce = (task: typeof local, n: number) =>
  Effect.gen(function* () {
    const handles = yield* TaskGroup.run((group) =>
      Effect.forEach(
        Array.from({ length: n }, (_, i) => i),
        (i) => group.soonify(task)({ i })
      )
    )
    for (let i = 0; i < n; i++) if ((yield* handles[i]!.value) !== i) return yield* Effect.die("wrong result")
  })

/** `n` groups of one task each, one after another. */
const oneByOne = (task: typeof local, n: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < n; i++) {
      const soon = yield* TaskGroup.run((group) => group.soonify(task)({ i }))
      if ((yield* soon.value) !== i) return yield* Effect.die("wrong result")
    }
  })

const timed = <E, R>(effect: Effect.Effect<void, E, R>) =>
  Effect.gen(function* () {
    const start = performance.now()
    yield* effect
    return performance.now() - start
  })

const median = (xs: ReadonlyArray<number>): number => {
  const sorted = xs.toSorted((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const child = Effect.gen(function* () {
  // warm up both paths (entities are created on first use)
  yield* atOnce(remote as typeof local, concurrentCalls)
  yield* atOnce(local, concurrentCalls)
  const figures = { roundTrip: [] as Array<number>, throughput: [] as Array<number> }
  const absolute = {
    localCallUs: [] as Array<number>,
    remoteCallUs: [] as Array<number>,
    remotePerSec: [] as Array<number>
  }
  for (let round = 0; round < rounds; round++) {
    const l1 = yield* timed(oneByOne(local, sequentialCalls))
    const r1 = yield* timed(oneByOne(remote as typeof local, sequentialCalls))
    const l2 = yield* timed(atOnce(local, concurrentCalls))
    const r2 = yield* timed(atOnce(remote as typeof local, concurrentCalls))
    figures.roundTrip.push(r1 / l1)
    figures.throughput.push(r2 / l2)
    absolute.localCallUs.push((l1 * 1000) / sequentialCalls)
    absolute.remoteCallUs.push((r1 * 1000) / sequentialCalls)
    absolute.remotePerSec.push((concurrentCalls * 1000) / r2)
  }
  return {
    roundTrip: median(figures.roundTrip),
    throughput: median(figures.throughput),
    localCallUs: median(absolute.localCallUs),
    remoteCallUs: median(absolute.remoteCallUs),
    remotePerSec: median(absolute.remotePerSec)
  }
}).pipe(
  Effect.provide(
    loopback
      ? NodeClusterSocket.layer({ clientOnly: true, storage: "sql" }).pipe(
          Layer.provide(PgClient.layer({ host: "127.0.0.1", port: pgPort, username: "postgres", database: "postgres" }))
        )
      : EchoLive.pipe(Layer.provideMerge(TestRunner.layer))
  )
)

const runChild = (args: ReadonlyArray<string>): Promise<Record<string, number>> =>
  new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), "--child", ...args],
      { encoding: "utf8" },
      (error, stdout) => (error === null ? resolve(JSON.parse(stdout.trim().split("\n").at(-1)!)) : reject(error))
    )
  )

/** Starts the echo runner process on `port`; resolves once it serves. */
const startRunner = (port: number, pg: number) =>
  new Promise<ReturnType<typeof spawn>>((resolve, reject) => {
    const runner = fileURLToPath(new URL("echo-runner.ts", import.meta.url))
    const child = spawn(process.execPath, [...process.execArgv, runner, String(port), String(pg)], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    child.once("exit", (code) => reject(new Error(`the echo runner exited with ${code} before it was ready`)))
    createInterface({ input: child.stdout! }).on("line", (line) => line === "ready" && resolve(child))
  })

const measureAll = async (args: ReadonlyArray<string>) => {
  const results: Array<Record<string, number>> = []
  for (let p = 0; p < processes; p++) results.push(await runChild(args))
  return results
}

if (process.argv.includes("--child")) {
  console.log(JSON.stringify(await Effect.runPromise(child)))
} else {
  let results: Array<Record<string, number>>
  let where = "in-process cluster (TestRunner.layer)"
  if (loopback) {
    const postgres = await startPostgres()
    if (postgres === undefined) {
      console.log(`--loopback skipped: ${missingReason}`)
      process.exit(0)
    }
    try {
      const runner = await startRunner(await freePort(), postgres.port)
      try {
        results = await measureAll(["--loopback", "--pg", String(postgres.port)])
      } finally {
        runner.removeAllListeners("exit")
        await new Promise((resolve) => (runner.once("exit", resolve), runner.kill("SIGTERM")))
      }
    } finally {
      postgres.stop()
    }
    where = "a runner process on loopback sockets"
  } else {
    results = await measureAll([])
  }
  const summary = (key: string, digits: number) => {
    const xs = results.map((r) => r[key]!)
    return `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`
  }
  console.log(`remote (${where}) / local, median [min–max] over ${processes} processes, ${rounds} rounds each:`)
  console.log(`  round trip (${sequentialCalls} calls one by one): ${summary("roundTrip", 1)}×`)
  console.log(`  throughput (${concurrentCalls} calls in one group): ${summary("throughput", 1)}×`)
  console.log(`absolute, same processes: local call ${summary("localCallUs", 1)} µs,`)
  console.log(`  remote call ${summary("remoteCallUs", 1)} µs, remote calls/s at once ${summary("remotePerSec", 0)}`)
  console.log(
    `load average: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`
  )
}
