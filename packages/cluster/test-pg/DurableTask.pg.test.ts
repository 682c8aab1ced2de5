import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Layer, Queue, References, Scope } from "effect"
import { PgClient } from "@effect/sql-pg"
import {
  ClusterWorkflowEngine,
  RunnerHealth,
  Runners,
  Sharding,
  ShardingConfig,
  SqlMessageStorage,
  SqlRunnerStorage
} from "effect/cluster"
import * as Digest from "effect/crypto/Digest"
import { DurableDeferred } from "effect/workflow"
import { Delivered, Ship, shipAll, shipLayer } from "../test/shipping.ts"

const port = Number(process.env.SOONIFY_PG_PORT)
if (!Number.isInteger(port)) throw new Error("test-pg: SOONIFY_PG_PORT is not set; run these tests with `pnpm test:pg`")

const orders = Array.from({ length: 20 }, (_, i) => ({ orderId: `o-${i}`, express: i % 2 === 0 }))

const shipOrders = shipAll(orders)

describe("DurableTask.call on PostgreSQL storage", () => {
  it.live(
    "a runner stopped mid-group leaves its executions in PostgreSQL: the next runner completes the group, each activity ran once",
    () =>
      Effect.gen(function* () {
        const packed = new Map<string, number>()
        const started = yield* Queue.unbounded<string>()
        const ShipLive = shipLayer(packed, started)
        const config = ShardingConfig.layer({
          entityTerminationTimeout: 0,
          refreshAssignmentsInterval: 100,
          entityMessagePollInterval: 100,
          entityReplyPollInterval: 50,
          shardLockExpiration: "2 seconds",
          shardLockRefreshInterval: "500 millis"
        })
        const database = PgClient.layer({ host: "127.0.0.1", port, username: "postgres", database: "postgres" })
        /** One runner: its own connection pool, sharding and workflow engine, on the shared database. */
        const runner = ShipLive.pipe(
          Layer.provideMerge(ClusterWorkflowEngine.layer),
          Layer.provideMerge(Sharding.layer),
          Layer.provide([Runners.layerNoop, RunnerHealth.layerNoop]),
          Layer.provide([SqlMessageStorage.layer, SqlRunnerStorage.layer]),
          Layer.provide([database, Digest.layerWebCrypto]),
          Layer.provide(config)
        )

        // Runner 1 packs every order, then stops while half of them wait for delivery.
        const runner1 = yield* Scope.make()
        const group1 = yield* Effect.forkChild(
          Effect.provideContext(shipOrders, yield* Layer.buildWithScope(runner, runner1))
        )
        for (let i = 0; i < orders.length; i++) yield* Queue.take(started)
        yield* Scope.close(runner1, Exit.void)
        const stopped = yield* Fiber.join(group1)
        // the group ended with its runner: every handle has ended (the waiting ones interrupted)
        expect(stopped.every((soon) => soon.ready)).toBe(true)

        // Runner 2, on the same database: the parcels are delivered and the same group runs again.
        const runner2 = yield* Scope.make()
        const services2 = yield* Layer.buildWithScope(runner, runner2)
        for (const { orderId, express } of orders) {
          if (express) continue
          const token = yield* DurableDeferred.tokenFromPayload(Delivered, {
            workflow: Ship,
            payload: { orderId, express }
          })
          yield* DurableDeferred.done(Delivered, { token, exit: Exit.succeed("delivered") }).pipe(
            Effect.provideContext(services2)
          )
        }
        const handles = yield* Effect.provideContext(shipOrders, services2).pipe(Effect.timeout("20 seconds"))
        const values = yield* Effect.forEach(handles, (soon) => soon.value)
        expect(values).toEqual(
          orders.map(({ orderId, express }) => `parcel ${orderId} ${express ? "shipped" : "delivered"}`)
        )
        // no task lost, none run twice: every order packed exactly once, across both runners
        expect([...packed.values()].every((n) => n === 1) && packed.size === orders.length).toBe(true)
        yield* Scope.close(runner2, Exit.void)
      }).pipe(
        // a stopping runner warns that no runner is left while the next one starts: expected here
        Effect.provideService(References.MinimumLogLevel, "Error")
      ),
    60_000
  )
})
