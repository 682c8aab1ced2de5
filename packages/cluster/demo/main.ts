/**
 * `pnpm demo:cluster`: a group of durable tasks that survives the loss of a runner.
 *
 * Multi-process mode (when PostgreSQL is installed): a throwaway PostgreSQL server,
 * three runner processes on loopback sockets (`demo/runner.ts`) sharing it, and this
 * process, a client of the cluster, running a group of ORDERS durable tasks. Halfway,
 * one runner is killed (SIGKILL); once its shard locks expire the others take its
 * shards over and carry on its executions, and the group finishes with every result.
 *
 * In-memory mode (no PostgreSQL, or `--memory`): one process, two runners in turn on
 * one in-memory message storage; runner 1 is stopped halfway and runner 2 runs the
 * same group again: finished tasks re-attach to their results, the rest run on.
 *
 * Either way the demo checks that every order has its result and that every activity
 * ran, counts the activities that ran twice (at-least-once: work cut off before its
 * result was saved runs again), and fails if any work was lost.
 *
 * Then a durable group (`DurableGroup.run`) survives its caller's death: a caller
 * (a process of its own in multi-process mode, `demo/group-caller.ts`) spawns half of
 * PARCELS members and is killed; the group's members go on in the engine; a second
 * caller runs the same group again, re-attaches by key, and prints every result.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { NodeClusterSocket } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Exit, Fiber, Layer, References, Scope } from "effect"
import {
  ClusterWorkflowEngine,
  MessageStorage,
  RunnerHealth,
  Runners,
  RunnerStorage,
  Sharding,
  ShardingConfig
} from "effect/cluster"
import { SqlClient } from "effect/sql/SqlClient"
import { WorkflowEngine } from "effect/workflow"
import { SoonValue, TaskGroup } from "@soonify/core"
import { DurableGroup, DurableTask } from "@soonify/cluster"
import { freePort, missingReason, type Postgres, startPostgres } from "../test-pg/postgres.ts"
import { deliverAll, parcels } from "./group.ts"
import { Deliver, deliverLive, Render, renderLive } from "./render.ts"
import { countRuns, createRunsTable, databaseNow, type RunCounts, waitForSettledShards } from "./runs.ts"
import { shardingConfig } from "./settings.ts"

const orders = Number(process.env.ORDERS ?? 2000)

/** How many times each order's activity ran, across every runner. */
const runs = new Map<number, number>()
/** The orders whose activity has finished at least once. */
const renderedOrders = new Set<number>()
const onRun = (order: number) => void runs.set(order, (runs.get(order) ?? 0) + 1)
const onRendered = (order: number) => void renderedOrders.add(order)

/** The group: one durable task per order, at most 200 at once. */
const renderAll = TaskGroup.run(
  (group) =>
    Effect.forEach(
      Array.from({ length: orders }, (_, order) => order),
      (order) => group.soonify(DurableTask.call(Render))({ order })
    ),
  { concurrency: 200, name: "render-all" }
)

/** The progress line: rewritten in place on a terminal, one line per update elsewhere. */
const progress = (label: string) =>
  process.stdout.write(
    `${process.stdout.isTTY ? "\r" : ""}${label}: ${renderedOrders.size}/${orders} rendered${process.stdout.isTTY ? "" : "\n"}`
  )
const endLine = () => (process.stdout.isTTY ? "\n" : "")

/** Checks the group's results and the activities' runs, and prints them. */
const report = (handles: ReadonlyArray<SoonValue.SoonValue<string>>, cutOff: string) =>
  Effect.gen(function* () {
    const values = yield* Effect.forEach(handles, (soon) => soon.value)
    const missing = values.filter((value, order) => value !== `order ${order} rendered`).length
    const twice = [...runs.values()].filter((n) => n > 1).length
    console.log(`${endLine()}the group finished: ${values.length - missing}/${orders} results, ${missing} missing`)
    console.log(`activities run twice: ${twice} (at-least-once: only ${cutOff}), never run: ${orders - runs.size}`)
    if (missing > 0 || runs.size !== orders) return yield* Effect.die("the demo lost work")
  })

/** How many times each parcel's activity ran, across every runner. */
const deliveries = new Map<number, number>()
const onDelivering = (parcel: number) => void deliveries.set(parcel, (deliveries.get(parcel) ?? 0) + 1)

/** Checks and prints the durable group's results and its activities' runs. */
const reportGroup = (results: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    results.forEach((result, parcel) => console.log(`  parcel ${parcel}: ${result}`))
    const missing = results.filter((result, parcel) => result !== `parcel ${parcel} delivered`).length
    const twice = [...deliveries.values()].filter((n) => n > 1).length
    console.log(`the durable group finished: ${results.length - missing}/${parcels} results, ${missing} missing`)
    console.log(
      `delivery activities run twice: ${twice}, never run: ${parcels - deliveries.size} ` +
        "(at-least-once: an activity runs again only when the runner running it dies before saving its result; " +
        "a caller's death re-runs none)"
    )
    if (missing > 0 || results.length !== parcels || deliveries.size !== parcels) {
      return yield* Effect.die("the durable group lost work")
    }
  })

/**
 * Prints what the runs recorded in PostgreSQL show, and fails on a broken at-least-once
 * bound: an order without a committed reply, a run that started after its activity's
 * reply was committed, or more re-runs after the killed runner than activities it had
 * started without a committed reply.
 */
const reportRuns = (counts: RunCounts) =>
  Effect.gen(function* () {
    const bound = counts.reRunsAfterKilled <= counts.killedUnsaved
    console.log(
      `measured in PostgreSQL: ${counts.runs} activity runs for ${orders} orders, ${counts.reRuns} re-runs ` +
        `(${counts.reRunsAfterKilled} after the killed runner, ${counts.reRunsAfterHandOver} after a hand-over between live runners)`
    )
    console.log(
      `the killed runner had started ${counts.killedUnsaved} activities without a committed reply ` +
        `(${counts.killedInFlight} in flight, ${counts.killedFinishedUnsaved} finished but not saved); ` +
        `re-runs after it <= that: ${bound ? "yes" : "NO"}`
    )
    console.log(
      `runs started after their reply was committed: ${counts.afterCommit}; ` +
        `activities without a committed reply: ${counts.withoutReply}`
    )
    if (counts.afterCommit > 0 || !bound || counts.withoutReply > 0) {
      return yield* Effect.die("the demo broke the at-least-once bound")
    }
  })

// --- in-memory mode -----------------------------------------------------------------

const inMemory = Effect.gen(function* () {
  console.log(`soonify cluster demo: ${orders} durable tasks, one runner stopped halfway (in-memory mode)`)
  const config = ShardingConfig.layer({ ...shardingConfig, refreshAssignmentsInterval: 0 })
  const storage = yield* Layer.build(
    Layer.mergeAll(MessageStorage.layerMemory, RunnerStorage.layerMemory).pipe(Layer.provide(config))
  )
  const runner = renderLive({
    started: (order) => Effect.sync(() => (onRun(order), order)),
    finished: (order) => Effect.sync(() => onRendered(order))
  }).pipe(
    Layer.provideMerge(ClusterWorkflowEngine.layer),
    Layer.provideMerge(Sharding.layer),
    Layer.provide([Runners.layerNoop, RunnerHealth.layerNoop]),
    Layer.provide(Layer.succeedContext(storage)),
    Layer.provide(config)
  )

  // runner 1 runs the group until half the orders are rendered, then stops
  const runner1 = yield* Scope.make()
  const group1 = yield* Effect.forkChild(Effect.provideContext(renderAll, yield* Layer.buildWithScope(runner, runner1)))
  // `renderedOrders` grows in the handlers' fibers, between two looks
  const halfway = () => renderedOrders.size >= orders / 2
  while (!halfway()) {
    progress("runner 1")
    yield* Effect.sleep("100 millis")
  }
  progress("runner 1")
  yield* Scope.close(runner1, Exit.void)
  const left = yield* Fiber.join(group1)
  const cutOff = left.filter((soon) => Exit.isFailure(SoonValue.pollUnsafe(soon)!)).length
  console.log(`${endLine()}runner 1 stopped: ${orders - cutOff} tasks had ended, ${cutOff} were cut off`)

  // runner 2: same storage, same group
  const runner2 = yield* Scope.make()
  const group2 = yield* Effect.forkChild(Effect.provideContext(renderAll, yield* Layer.buildWithScope(runner, runner2)))
  while (group2.pollUnsafe() === undefined) {
    progress("runner 2")
    yield* Effect.sleep("100 millis")
  }
  progress("runner 2")
  yield* report(yield* Fiber.join(group2), `tasks cut off mid-run may run again, ${cutOff} were cut off`)
  yield* Scope.close(runner2, Exit.void)

  // a durable group whose caller dies halfway (here a fiber that stops, sending nothing more)
  const key = `demo-group-${Date.now()}`
  console.log(`\ndurable group "${key}": ${parcels} parcels; its caller dies halfway, a second caller re-attaches`)
  const engine = yield* Layer.build(
    Layer.mergeAll(deliverLive(onDelivering), DurableGroup.layer(Deliver)).pipe(
      Layer.provideMerge(WorkflowEngine.layerMemory)
    )
  )
  const spawned = { count: 0 }
  const caller1 = yield* Effect.forkChild(
    DurableGroup.run(
      key,
      deliverAll(() => void spawned.count++),
      { onInterrupt: "detach" }
    ).pipe(Effect.provideContext(engine))
  )
  // `spawned` grows in the caller's fiber, between two looks
  const spawnedHalf = () => spawned.count >= parcels / 2
  while (!spawnedHalf()) yield* Effect.sleep("20 millis")
  yield* Fiber.interrupt(caller1)
  console.log(`caller 1 died after spawning ${spawned.count}/${parcels} members`)
  yield* Effect.sleep("1 second")
  console.log(`with no caller alive, the engine went on: ${deliveries.size} deliveries started so far`)
  const results = yield* DurableGroup.run(
    key,
    deliverAll(() => {})
  ).pipe(Effect.provideContext(engine))
  console.log("caller 2 re-attached to the group by its key and got:")
  yield* reportGroup(results)
})

// --- multi-process mode -------------------------------------------------------------

const runnerScript = fileURLToPath(new URL("runner.ts", import.meta.url))

/** Starts a runner process on `port`; resolves once it serves. Counts its activities' runs. */
const startRunner = (port: number, pgPort: number): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, runnerScript, String(port), String(pgPort)], {
      stdio: ["ignore", "pipe", "inherit"]
    })
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`runner on port ${port} exited with ${code} before it was ready`)))
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line === "ready") resolve(child)
      else if (line.startsWith("delivering ")) onDelivering(Number(line.slice(11)))
      else if (line.startsWith("rendered ")) onRendered(Number(line.slice(9)))
      else if (line.startsWith("ran ")) onRun(Number(line.slice(4)))
    })
  })

const multiProcess = (postgres: Postgres) =>
  Effect.gen(function* () {
    console.log(
      `soonify cluster demo: ${orders} durable tasks on 3 runner processes sharing PostgreSQL (127.0.0.1:${postgres.port}), ` +
        "one killed halfway"
    )
    const sql = yield* Layer.build(
      PgClient.layer({ host: "127.0.0.1", port: postgres.port, username: "postgres", database: "postgres" })
    ).pipe(Effect.map((services) => Context.get(services, SqlClient)))
    yield* createRunsTable(sql)
    const ports = yield* Effect.promise(() => Promise.all([freePort(), freePort(), freePort()]))
    const runners = yield* Effect.acquireRelease(
      Effect.promise(() => Promise.all(ports.map((port) => startRunner(port, postgres.port)))),
      (children) =>
        Effect.promise(() =>
          Promise.all(
            children.map(
              (child) =>
                new Promise<void>((resolve) => {
                  if (child.exitCode !== null || child.signalCode !== null) return resolve()
                  child.removeAllListeners("exit")
                  child.once("exit", () => resolve())
                  child.kill("SIGTERM")
                })
            )
          )
        )
    )
    // effect/cluster's default: 300 shards (`shardsPerGroup`) in one group
    yield* waitForSettledShards(sql, runners.length, 300)
    console.log(`runners ready on ports ${ports.join(", ")}, the 300 shards spread over them`)
    // this process is a client of the cluster: it runs the group, the runners run the tasks
    const client = ClusterWorkflowEngine.layer.pipe(
      Layer.provideMerge(NodeClusterSocket.layer({ clientOnly: true, storage: "sql", shardingConfig })),
      Layer.provide(
        PgClient.layer({ host: "127.0.0.1", port: postgres.port, username: "postgres", database: "postgres" })
      )
    )
    const group = yield* Effect.forkChild(Effect.provide(renderAll, client))
    const halfway = () => renderedOrders.size >= orders / 2
    while (!halfway()) {
      progress("3 runners")
      yield* Effect.sleep("200 millis")
    }
    runners[1]!.removeAllListeners("exit")
    runners[1]!.kill("SIGKILL")
    const killedAt = yield* databaseNow(sql)
    console.log(
      `${endLine()}killed the runner on port ${ports[1]} (SIGKILL) at ${renderedOrders.size}/${orders} rendered`
    )
    while (group.pollUnsafe() === undefined) {
      progress("2 runners")
      yield* Effect.sleep("200 millis")
    }
    progress("2 runners")
    yield* report(yield* Fiber.join(group), "work the killed runner had not saved runs again")
    yield* reportRuns(yield* countRuns(sql, orders, ports[1]!, killedAt))
    yield* groupSurvivesItsCaller(postgres)
  })

const groupCallerScript = fileURLToPath(new URL("group-caller.ts", import.meta.url))

/** Starts a caller process of the durable group `key`; `onLine` hears each line it prints. */
const startCaller = (pgPort: number, key: string, onLine: (line: string) => void): ChildProcess => {
  const child = spawn(process.execPath, [...process.execArgv, groupCallerScript, String(pgPort), key], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  createInterface({ input: child.stdout! }).on("line", onLine)
  return child
}

/** A durable group on the runners left: its caller process is killed halfway, a second one re-attaches. */
const groupSurvivesItsCaller = (postgres: Postgres) =>
  Effect.gen(function* () {
    const key = `demo-group-${Date.now()}`
    console.log(
      `\ndurable group "${key}": ${parcels} parcels; its caller process is killed halfway, a second caller re-attaches`
    )
    const spawned = { count: 0 }
    const caller1 = startCaller(postgres.port, key, (line) => {
      if (line.startsWith("spawned ")) spawned.count++
    })
    // `spawned` grows as the caller's lines arrive, between two looks
    const spawnedHalf = () => spawned.count >= parcels / 2
    while (!spawnedHalf()) yield* Effect.sleep("20 millis")
    caller1.kill("SIGKILL")
    console.log(`killed caller 1 (SIGKILL) after it spawned ${spawned.count}/${parcels} members`)
    yield* Effect.sleep("1 second")
    console.log(`with no caller alive, the runners went on: ${deliveries.size} deliveries started so far`)
    const results = yield* Effect.callback<ReadonlyArray<string>, Error>((resume) => {
      const caller2 = startCaller(postgres.port, key, (line) => {
        if (line.startsWith("results ")) resume(Effect.succeed(JSON.parse(line.slice(8))))
      })
      caller2.once("exit", (code) => {
        if (code !== 0) resume(Effect.fail(new Error(`caller 2 exited with ${code}`)))
      })
    })
    console.log("caller 2 re-attached to the group by its key and got:")
    yield* reportGroup(results)
  })

// --- main ---------------------------------------------------------------------------

const main = Effect.gen(function* () {
  const postgres = process.argv.includes("--memory") ? undefined : yield* Effect.promise(startPostgres)
  if (postgres === undefined) {
    console.log(
      process.argv.includes("--memory")
        ? "skipped: the multi-process mode (asked for --memory)"
        : `skipped: the multi-process mode (runner processes sharing PostgreSQL): ${missingReason}`
    )
    return yield* inMemory
  }
  yield* Effect.addFinalizer(() => Effect.sync(postgres.stop))
  yield* multiProcess(postgres)
})

// The runners' own logs (a runner stopping warns that no runner is left) would break the progress line.
await Effect.runPromise(Effect.scoped(main).pipe(Effect.provideService(References.MinimumLogLevel, "Error")))
