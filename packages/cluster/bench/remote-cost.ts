/**
 * What a remote task costs against a local one, on Effect's in-process cluster
 * (`TestRunner.layer`: the caller and the runner share a process, payloads are encoded
 * and decoded with their schemas, no sockets).
 *
 * `node --conditions=@soonify/source bench/remote-cost.ts` runs five child processes.
 * Each one interleaves, round by round, a local task group and a remote one (same
 * group code, same task: return the input) and reports two ratios, remote / local:
 * `roundTrip` (one call after another, so one call's latency) and `throughput`
 * (N calls at once in one group). The parent prints the median [min–max] over the
 * processes of each process's median ratio, and each process's absolute figures.
 */
import { execFile } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Effect, Layer, Schema } from "effect"
import { TestRunner } from "effect/cluster"
import { TaskGroup } from "@soonify/core"
import { RemoteTask } from "@soonify/cluster"

const processes = 5
const rounds = 7
const sequentialCalls = 200
const concurrentCalls = 2_000

const Echo = RemoteTask.make("Echo", { payload: { i: Schema.Number }, success: Schema.Number })
const EchoLive = RemoteTask.toLayer(Echo, ({ i }) => Effect.succeed(i))

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
}).pipe(Effect.provide(EchoLive.pipe(Layer.provideMerge(TestRunner.layer))))

const runChild = (): Promise<Record<string, number>> =>
  new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), "--child"],
      { encoding: "utf8" },
      (error, stdout) => (error === null ? resolve(JSON.parse(stdout.trim().split("\n").at(-1)!)) : reject(error))
    )
  )

if (process.argv.includes("--child")) {
  console.log(JSON.stringify(await Effect.runPromise(child)))
} else {
  const results: Array<Record<string, number>> = []
  for (let p = 0; p < processes; p++) results.push(await runChild())
  const summary = (key: string, digits: number) => {
    const xs = results.map((r) => r[key]!)
    return `${median(xs).toFixed(digits)} [${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`
  }
  console.log(`remote / local, median [min–max] over ${processes} processes, ${rounds} interleaved rounds each:`)
  console.log(`  round trip (${sequentialCalls} calls one by one): ${summary("roundTrip", 1)}×`)
  console.log(`  throughput (${concurrentCalls} calls in one group): ${summary("throughput", 1)}×`)
  console.log(`absolute, same processes: local call ${summary("localCallUs", 1)} µs,`)
  console.log(`  remote call ${summary("remoteCallUs", 1)} µs, remote calls/s at once ${summary("remotePerSec", 0)}`)
  console.log(
    `load average: ${(await import("node:os"))
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`
  )
}
