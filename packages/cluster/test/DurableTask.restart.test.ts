import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Option, Queue, Scope } from "effect"
import {
  ClusterWorkflowEngine,
  MessageStorage,
  RunnerHealth,
  Runners,
  RunnerStorage,
  Sharding,
  ShardingConfig
} from "effect/cluster"
import { TestClock } from "effect/testing"
import { DurableDeferred } from "effect/workflow"
import { Delivered, Ship, shipAll, shipLayer } from "./shipping.ts"

const orders = [
  { orderId: "o-1", express: true },
  { orderId: "o-2", express: false },
  { orderId: "o-3", express: false }
]

const shipOrders = shipAll(orders)

describe("DurableTask.call across a runner restart (cluster engine, in-memory storage)", () => {
  it.effect(
    "a runner that stops mid-group leaves its executions to the next: run again, the group completes, each activity ran once",
    () =>
      Effect.gen(function* () {
        const packed = new Map<string, number>()
        const started = yield* Queue.unbounded<string>()
        const ShipLive = shipLayer(packed, started)
        const config = ShardingConfig.layer({ entityTerminationTimeout: 0, refreshAssignmentsInterval: 0 })
        // What outlives a runner process: the message storage (PostgreSQL in production) and the runner registry.
        const storage = yield* Layer.build(
          Layer.mergeAll(MessageStorage.layerMemory, RunnerStorage.layerMemory).pipe(Layer.provide(config))
        )
        /** One runner process: sharding, the cluster's workflow engine, the workflow's handler. */
        const runner = ShipLive.pipe(
          Layer.provideMerge(ClusterWorkflowEngine.layer),
          Layer.provideMerge(Sharding.layer),
          Layer.provide([Runners.layerNoop, RunnerHealth.layerNoop]),
          Layer.provide(Layer.succeedContext(storage)),
          Layer.provide(config)
        )

        // Process 1 starts the group, packs every order, and stops while two orders wait for delivery.
        const process1 = yield* Scope.make()
        const services1 = yield* Layer.buildWithScope(runner, process1)
        yield* TestClock.adjust(1)
        const group1 = yield* Effect.forkChild(Effect.provideContext(shipOrders, services1))
        // every order packed; a call sent before the runner held its shards is retried after
        // `sendRetryInterval`, so keep the clock moving while waiting
        for (let packedNow = 0, i = 0; packedNow < orders.length && i < 200; i++) {
          if (Option.isSome(yield* Queue.poll(started))) packedNow++
          else yield* TestClock.adjust("100 millis")
        }
        expect(packed.size).toBe(orders.length)
        // its shutdown waits on timers (shard lock release, entity termination): let its clock run
        const stopping = yield* Effect.forkChild(Scope.close(process1, Exit.void))
        for (let i = 0; i < 20 && stopping.pollUnsafe() === undefined; i++) yield* TestClock.adjust("1 second")
        yield* Fiber.join(stopping)
        const stopped = yield* Fiber.join(group1)
        // the group ended with its runner: the waiting tasks were interrupted, not failed
        expect(stopped.map((soon) => soon.ready)).toEqual([true, true, true])
        for (const soon of stopped.slice(1)) {
          const exit = yield* Effect.exit(soon.await)
          assert(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
        }

        // Process 2, on the same storage: the parcels are delivered, and the same group runs again.
        const process2 = yield* Scope.make()
        const services2 = yield* Layer.buildWithScope(runner, process2)
        yield* TestClock.adjust(1)
        for (const orderId of ["o-2", "o-3"]) {
          const token = yield* DurableDeferred.tokenFromPayload(Delivered, {
            workflow: Ship,
            payload: { orderId, express: false }
          })
          yield* DurableDeferred.done(Delivered, { token, exit: Exit.succeed("delivered") }).pipe(
            Effect.provideContext(services2)
          )
        }
        const group2 = yield* Effect.forkChild(Effect.provideContext(shipOrders, services2))
        // the engine polls its storage: let its clock run
        for (let i = 0; i < 20 && group2.pollUnsafe() === undefined; i++) yield* TestClock.adjust("1 second")
        const handles = yield* Fiber.join(group2)
        const values = yield* Effect.forEach(handles, (soon) => soon.value)
        expect(values).toEqual(["parcel o-1 shipped", "parcel o-2 delivered", "parcel o-3 delivered"])
        // no task lost, none run twice: every order was packed exactly once, across both processes
        expect(Object.fromEntries(packed)).toEqual({ "o-1": 1, "o-2": 1, "o-3": 1 })
        yield* Scope.close(process2, Exit.void)
      })
  )
})
