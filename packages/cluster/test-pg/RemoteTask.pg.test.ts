import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"
import { afterAll, assert, beforeAll, describe, expect, it } from "@effect/vitest"
import { NodeClusterSocket } from "@effect/platform-node"
import { PgClient } from "@effect/sql-pg"
import { Cause, Effect, Exit, Layer, Queue } from "effect"
import { TaskGroup } from "@soonify/core"
import { isTransportError, RemoteTask } from "@soonify/cluster"
import { freePort } from "./postgres.ts"
import { Hang, ImageTooLarge, Resize } from "./remote-tasks.ts"

const pgPort = Number(process.env.SOONIFY_PG_PORT)
if (!Number.isInteger(pgPort))
  throw new Error("test-pg: SOONIFY_PG_PORT is not set; run these tests with `pnpm test:pg`")

/** What the runner process's `Hang` handler reports, as it comes. */
const lines = Effect.runSync(Queue.unbounded<string>())
let runner: ChildProcess | undefined

beforeAll(async () => {
  const port = await freePort()
  const script = fileURLToPath(new URL("remote-runner.ts", import.meta.url))
  runner = spawn(process.execPath, ["--conditions=@soonify/source", script, String(port), String(pgPort)], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  await new Promise<void>((resolve, reject) => {
    runner!.once("exit", (code) => reject(new Error(`the runner exited with ${code} before it was ready`)))
    createInterface({ input: runner!.stdout! }).on("line", (line) => {
      if (line === "ready") resolve()
      // the handler's reports, not the runner's own logs
      else if (/^(started|interrupted) \d+$/.test(line)) Queue.offerUnsafe(lines, line)
    })
  })
  runner.removeAllListeners("exit")
}, 60_000)

afterAll(async () => {
  if (runner === undefined || runner.exitCode !== null || runner.signalCode !== null) return
  await new Promise((resolve) => (runner!.once("exit", resolve), runner!.kill("SIGTERM")))
})

/** This process as a client of the cluster: it holds no shards, the runner process serves the calls. */
const client = NodeClusterSocket.layer({ clientOnly: true, storage: "sql" }).pipe(
  Layer.provide(PgClient.layer({ host: "127.0.0.1", port: pgPort, username: "postgres", database: "postgres" }))
)

describe("RemoteTask.call to a runner process over loopback sockets", () => {
  it.live(
    "gives the handler's value and typed error decoded with their schemas, and cancelling interrupts the handler there",
    () =>
      Effect.gen(function* () {
        const [small, large] = yield* TaskGroup.run(
          (group) =>
            Effect.all([
              group.soonify(RemoteTask.call(Resize))({ url: "a.png", bytes: 10 }),
              group.soonify(RemoteTask.call(Resize))({ url: "huge.png", bytes: 1000 })
            ]),
          { mode: "settle" }
        )
        const value = yield* small.value
        expect(value.url).toBe("a.png")
        // a Date, decoded from the string it travelled as
        assert(value.at instanceof Date)
        expect(value.at.getTime()).toBe(0)
        const error = yield* Effect.flip(large.value)
        assert(error instanceof ImageTooLarge)
        expect(error.bytes).toBe(1000)

        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              const hang = yield* group.soonify(RemoteTask.call(Hang))({ id: 7 })
              expect(yield* Queue.take(lines)).toBe("started 7")
              yield* hang.cancel
              return hang
            })
          )
        )
        assert(Exit.isSuccess(exit))
        const hangExit = yield* Effect.exit(exit.value.await)
        assert(Exit.isFailure(hangExit) && Cause.hasInterruptsOnly(hangExit.cause))
        // the handler, in the other process, had seen its own interruption before cancel returned
        expect(yield* Queue.take(lines)).toBe("interrupted 7")
      }).pipe(Effect.provide(client), Effect.timeout("30 seconds")),
    60_000
  )
})

describe("RemoteTask.call to a runner process that dies (last: it kills the runner)", () => {
  it.live(
    "cancelling a call whose runner was killed ends the task within cancelTimeout (3 s) with TransportError CancelUnacknowledged",
    () =>
      Effect.gen(function* () {
        let cancelledAt = 0
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              const soon = yield* group.soonify(RemoteTask.call(Hang))({ id: 9 })
              expect(yield* Queue.take(lines)).toBe("started 9")
              runner!.kill("SIGKILL")
              yield* Effect.promise(() => new Promise((resolve) => runner!.once("exit", resolve)))
              cancelledAt = Date.now()
              yield* soon.cancel
            })
          )
        )
        const waited = Date.now() - cancelledAt
        console.log(`a cancel to a killed runner ended the task and its group after ${waited} ms`)
        // within the bound: cancelTimeout (3 s), and a little
        expect(waited).toBeGreaterThanOrEqual(2900)
        expect(waited).toBeLessThan(6000)
        // the cancelled task is not a failure of its group; its unacknowledged cancellation is
        assert(Exit.isFailure(exit))
        const [error] = exit.cause.reasons.filter(Cause.isFailReason).map((reason) => reason.error)
        assert(isTransportError(error))
        expect(error.reason).toBe("CancelUnacknowledged")
      }).pipe(Effect.provide(client), Effect.timeout("30 seconds")),
    60_000
  )
})
