import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Option, Queue, Schema } from "effect"
import { ClusterWorkflowEngine, TestRunner } from "effect/cluster"
import { Activity, DurableDeferred, Workflow, WorkflowEngine } from "effect/workflow"
import { TaskGroup } from "@soonify/core"
import { DurableTask } from "@soonify/cluster"
import { defectsOf, failuresOf, shardsAcquired as settle } from "./support.ts"

class OrderRejected extends Schema.TaggedError<OrderRejected>()("OrderRejected", { orderId: Schema.String }) {}

/** Ships an order: one activity, then waits for the `Delivered` deferred (a suspension point) unless `express`. */
const Ship = Workflow.make("Ship", {
  payload: { orderId: Schema.String, express: Schema.Boolean },
  success: Schema.String,
  error: OrderRejected,
  idempotencyKey: ({ orderId }) => orderId
})
const Delivered = DurableDeferred.make("Delivered", { success: Schema.String })

/** Calls another durable task from inside itself, which is refused. */
const Nested = Workflow.make("Nested", {
  payload: { orderId: Schema.String },
  idempotencyKey: ({ orderId }) => orderId
})

/** What the workflows of one test report. */
interface Probe {
  /** How many times the `pack` activity ran, per order: at most once each, whatever the replays. */
  readonly packed: Map<string, number>
  /** Orders whose `pack` activity has run. */
  readonly started: Queue.Queue<string>
  /** Each finished execution's order and how it ended, from its workflow finalizer. */
  readonly ended: Array<readonly [string, "success" | "failure" | "interrupted"]>
}

const workflows = (probe: Probe) =>
  Layer.mergeAll(
    Ship.toLayer(({ orderId, express }) =>
      Effect.gen(function* () {
        yield* Workflow.addFinalizer((exit) =>
          Effect.sync(() => {
            // A suspended run's scope closes with success when a later run ends it: only the last counts.
            const outcome = Exit.isSuccess(exit)
              ? "success"
              : Cause.hasInterrupts(exit.cause)
                ? "interrupted"
                : "failure"
            if (outcome !== "success" || !probe.ended.some(([id]) => id === orderId))
              probe.ended.push([orderId, outcome])
          })
        )
        if (orderId.startsWith("fragile")) {
          yield* Workflow.addFinalizer((exit) =>
            Exit.isFailure(exit) && Cause.hasInterrupts(exit.cause)
              ? Effect.die(new Error("unpacking failed"))
              : Effect.void
          )
        }
        const parcel = yield* Activity.make({
          name: "pack",
          success: Schema.String,
          execute: Effect.sync(() => {
            probe.packed.set(orderId, (probe.packed.get(orderId) ?? 0) + 1)
            Queue.offerUnsafe(probe.started, orderId)
            return `parcel ${orderId}`
          })
        })
        if (orderId.startsWith("bad")) return yield* new OrderRejected({ orderId })
        if (express) return `${parcel} shipped`
        const receipt = yield* DurableDeferred.await(Delivered)
        return `${parcel} ${receipt}`
      })
    ),
    Nested.toLayer(({ orderId }) =>
      Effect.asVoid(DurableTask.call(Ship)({ orderId, express: true }).pipe(Effect.orDie))
    )
  )

/** The engines the tests run on: Effect's in-memory one, and the cluster's on an in-process runner. */
const engines = {
  memory: WorkflowEngine.layerMemory,
  cluster: ClusterWorkflowEngine.layer.pipe(Layer.provideMerge(TestRunner.layer))
}

/** Runs `body` with the test workflows served by `engine`, once its runner has started. */
const inEngine =
  (engine: Layer.Layer<WorkflowEngine.WorkflowEngine>) =>
  <A, E>(body: (probe: Probe) => Effect.Effect<A, E, WorkflowEngine.WorkflowEngine>) =>
    Effect.gen(function* () {
      const probe: Probe = { packed: new Map(), started: yield* Queue.unbounded<string>(), ended: [] }
      return yield* Effect.andThen(settle, body(probe)).pipe(
        Effect.provide(workflows(probe).pipe(Layer.provideMerge(engine)))
      )
    })

/** Completes the `Delivered` deferred of an order's execution, as its carrier would. */
const deliver = (orderId: string) =>
  Effect.flatMap(
    DurableDeferred.tokenFromPayload(Delivered, { workflow: Ship, payload: { orderId, express: false } }),
    (token) => DurableDeferred.done(Delivered, { token, exit: Exit.succeed("delivered") })
  )

const pollShip = (orderId: string) =>
  Effect.flatMap(Ship.executionId({ orderId, express: false }), (id) => Ship.poll(id))

for (const [engineName, engine] of Object.entries(engines)) {
  const run = inEngine(engine)

  describe(`DurableTask.call in a task group (${engineName} engine)`, () => {
    it.effect("runs each payload's execution as a task, named after the workflow", () =>
      run(() =>
        Effect.gen(function* () {
          const [a, b] = yield* TaskGroup.run((group) =>
            Effect.all([
              group.soonify(DurableTask.call(Ship))({ orderId: "o-1", express: true }),
              group.soonify(DurableTask.call(Ship))({ orderId: "o-2", express: true })
            ])
          )
          expect([yield* a.value, yield* b.value]).toEqual(["parcel o-1 shipped", "parcel o-2 shipped"])
          expect(a.name).toBe("Ship")
        })
      )
    )

    it.effect("re-attaches after a restart: the same payload is the same execution, and its work runs once", () =>
      run((probe) =>
        Effect.gen(function* () {
          // The first process: its group starts the execution, then the process stops
          // (its group is interrupted) while the execution waits for the delivery.
          const first = yield* Effect.forkChild(
            TaskGroup.run((group) =>
              group.soonify(DurableTask.call(Ship, { onInterrupt: "keepExecution" }))({
                orderId: "o-1",
                express: false
              })
            )
          )
          expect(yield* Queue.take(probe.started)).toBe("o-1")
          yield* Fiber.interrupt(first)
          const kept = yield* pollShip("o-1")
          assert(Option.isSome(kept) && kept.value._tag === "Suspended")

          // Meanwhile the parcel is delivered; the next process runs the same group again.
          yield* deliver("o-1")
          const soon = yield* TaskGroup.run((group) =>
            group.soonify(DurableTask.call(Ship))({ orderId: "o-1", express: false })
          )
          expect(yield* soon.value).toBe("parcel o-1 delivered")
          expect(probe.packed.get("o-1")).toBe(1)
        })
      )
    )

    it.effect("fails fast: a failed execution interrupts its siblings' executions, and the group waits for them", () =>
      run((probe) =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(
            TaskGroup.run((group) =>
              Effect.gen(function* () {
                yield* group.soonify(DurableTask.call(Ship))({ orderId: "o-1", express: false })
                yield* group.soonify(DurableTask.call(Ship))({ orderId: "o-2", express: false })
                yield* Queue.take(probe.started)
                yield* Queue.take(probe.started)
                yield* group.soonify(DurableTask.call(Ship))({ orderId: "bad-3", express: true })
              })
            )
          )
          assert(Exit.isFailure(exit))
          expect(failuresOf(exit.cause)).toEqual([new OrderRejected({ orderId: "bad-3" })])
          expect(Cause.hasInterrupts(exit.cause)).toBe(false)
          // by the time the group has ended, the siblings' executions have ended interrupted
          expect(probe.ended.toSorted()).toEqual([
            ["bad-3", "failure"],
            ["o-1", "interrupted"],
            ["o-2", "interrupted"]
          ])
          for (const orderId of ["o-1", "o-2"]) {
            const result = yield* pollShip(orderId)
            assert(Option.isSome(result) && result.value._tag === "Complete")
            assert(Exit.isFailure(result.value.exit) && Cause.hasInterruptsOnly(result.value.exit.cause))
          }
        })
      )
    )

    it.effect("soon.cancel() interrupts the execution alone, and the group does not fail", () =>
      run((probe) =>
        Effect.gen(function* () {
          const [waiting, express] = yield* TaskGroup.run((group) =>
            Effect.gen(function* () {
              const waiting = yield* group.soonify(DurableTask.call(Ship))({ orderId: "o-1", express: false })
              const express = yield* group.soonify(DurableTask.call(Ship))({ orderId: "o-2", express: true })
              // both start at once, in either order: wait until o-1 has packed
              while ((yield* Queue.take(probe.started)) !== "o-1") {}
              yield* waiting.cancel
              // cancel returned after the execution ended
              expect(probe.ended).toContainEqual(["o-1", "interrupted"])
              return [waiting, express] as const
            })
          )
          const exit = yield* Effect.exit(waiting.await)
          assert(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
          expect(yield* express.value).toBe("parcel o-2 shipped")
        })
      )
    )

    it.effect("settle keeps each execution's outcome in its handle", () =>
      run(() =>
        Effect.gen(function* () {
          const [good, bad] = yield* TaskGroup.run(
            (group) =>
              Effect.all([
                group.soonify(DurableTask.call(Ship))({ orderId: "o-1", express: true }),
                group.soonify(DurableTask.call(Ship))({ orderId: "bad-2", express: true })
              ]),
            { mode: "settle" }
          )
          expect(yield* good.value).toBe("parcel o-1 shipped")
          const error = yield* Effect.flip(bad.value)
          assert(error instanceof OrderRejected)
          expect(error.orderId).toBe("bad-2")
        })
      )
    )

    it.effect("a task waiting for an execution that another caller completes gets its result", () =>
      run(() =>
        Effect.gen(function* () {
          const fiber = yield* Effect.forkChild(
            TaskGroup.run((group) => group.soonify(DurableTask.call(Ship))({ orderId: "o-1", express: false }))
          )
          yield* settle
          yield* deliver("o-1")
          const soon = yield* Fiber.join(fiber)
          expect(yield* soon.value).toBe("parcel o-1 delivered")
        })
      )
    )
  })

  describe(`DurableTask.call: bad use (${engineName} engine)`, () => {
    it.effect("dies with a message when called from inside a workflow", () =>
      run(() =>
        Effect.gen(function* () {
          const exit = yield* Effect.exit(DurableTask.call(Nested)({ orderId: "o-1" }))
          assert(Exit.isFailure(exit))
          expect(String(defectsOf(exit.cause)[0])).toContain(
            'DurableTask.call: workflow "Ship" was called from inside the workflow "Nested"'
          )
        })
      )
    )

    it("throws an IllegalArgumentError for what is not a workflow, or a bad option", () => {
      expect(() => DurableTask.call({} as any)).toThrow(/DurableTask.call: expected a Workflow/)
      expect(() => DurableTask.call(Ship, { onInterrupt: "detach" as any })).toThrow(
        /option "onInterrupt" must be "interruptExecution" or "keepExecution"/
      )
      expect(() => DurableTask.call(Ship, "options" as any)).toThrow(Cause.IllegalArgumentError)
    })
  })
}

// The memory engine ends an execution whose finalizer dies. The cluster engine restarts
// the entity and replays the execution instead ("Defect in entity, restarting", with a
// growing delay), so there the group goes on waiting, as it waits for any task that does
// not end.
describe("DurableTask.call on the memory engine", () => {
  it.effect("a failure the execution meets while it is interrupted is kept with the interruption", () =>
    inEngine(engines.memory)((probe) =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.soonify(DurableTask.call(Ship))({ orderId: "fragile-1", express: false })
              yield* Queue.take(probe.started)
              yield* group.soonify(DurableTask.call(Ship))({ orderId: "bad-2", express: true })
            })
          )
        )
        assert(Exit.isFailure(exit))
        expect(failuresOf(exit.cause)).toEqual([new OrderRejected({ orderId: "bad-2" })])
        expect(defectsOf(exit.cause).map(String)).toEqual(["Error: unpacking failed"])
      })
    )
  )
})
