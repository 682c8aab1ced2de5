// A remote task ends only once its handler has: cancellation is acknowledged by the
// runner after the handler and its finalizers ran (DESIGN §8), within a stated bound.
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Queue, Schema } from "effect"
import { TestRunner } from "effect/cluster"
import type { Sharding } from "effect/cluster/Sharding"
import { TaskGroup } from "@soonify/core"
import { isTransportError, RemoteTask } from "@soonify/cluster"
import { failuresOf, shardsAcquired } from "./support.ts"

class Refused extends Schema.TaggedError<Refused>()("Refused", {}) {}

/** Waits until interrupted, then cleans up for 300 ms in its `onInterrupt`. */
const SlowCleanup = RemoteTask.make("SlowCleanup", { payload: { id: Schema.Number } })
/** Fails at once. */
const Refuse = RemoteTask.make("Refuse", { error: Refused })
/** Waits until interrupted; its cleanup then dies. */
const BadCleanup = RemoteTask.make("BadCleanup")
/** Ignores its interruption for 1.5 s; its caller waits at most 200 ms for the acknowledgement. */
const Stubborn = RemoteTask.make("Stubborn", { cancelTimeout: "200 millis" })

interface Timeline {
  readonly started: Queue.Queue<number>
  /** When each handler's cleanup finished (ms since the epoch), by id. */
  readonly cleaned: Map<number, number>
}

const inCluster = <A, E>(body: (timeline: Timeline) => Effect.Effect<A, E, Sharding>) =>
  Effect.gen(function* () {
    const timeline: Timeline = { started: yield* Queue.unbounded<number>(), cleaned: new Map() }
    const handlers = Layer.mergeAll(
      RemoteTask.toLayer(SlowCleanup, ({ id }) =>
        Queue.offer(timeline.started, id).pipe(
          Effect.andThen(Effect.never),
          Effect.onInterrupt(() =>
            Effect.sleep("300 millis").pipe(Effect.andThen(Effect.sync(() => timeline.cleaned.set(id, Date.now()))))
          )
        )
      ),
      RemoteTask.toLayer(Refuse, () => Effect.fail(new Refused())),
      RemoteTask.toLayer(BadCleanup, () =>
        Queue.offer(timeline.started, 5).pipe(
          Effect.andThen(Effect.never),
          Effect.onInterrupt(() => Effect.die(new Error("cleanup broke")))
        )
      ),
      RemoteTask.toLayer(Stubborn, () =>
        Queue.offer(timeline.started, 0).pipe(
          Effect.andThen(Effect.sleep("1500 millis")),
          Effect.uninterruptible,
          Effect.andThen(Effect.never)
        )
      )
    )
    return yield* Effect.andThen(shardsAcquired, body(timeline)).pipe(
      Effect.provide(handlers.pipe(Layer.provideMerge(TestRunner.layer)))
    )
  })

describe("a remote task ends only once its handler has ended", () => {
  it.live("fail fast: the group ends after the siblings' 300 ms onInterrupt", () =>
    inCluster((timeline) =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.soonify(RemoteTask.call(SlowCleanup))({ id: 1 })
              yield* group.soonify(RemoteTask.call(SlowCleanup))({ id: 2 })
              yield* Queue.take(timeline.started)
              yield* Queue.take(timeline.started)
              yield* group.soonify(RemoteTask.call(Refuse))()
            })
          )
        )
        const ended = Date.now()
        assert(Exit.isFailure(exit))
        expect(failuresOf(exit.cause)).toEqual([new Refused()])
        expect([...timeline.cleaned.keys()].toSorted()).toEqual([1, 2])
        for (const cleaned of timeline.cleaned.values()) expect(ended).toBeGreaterThanOrEqual(cleaned)
      })
    )
  )

  it.live("soon.cancel() returns after the handler's 300 ms onInterrupt", () =>
    inCluster((timeline) =>
      Effect.gen(function* () {
        yield* TaskGroup.run((group) =>
          Effect.gen(function* () {
            const soon = yield* group.soonify(RemoteTask.call(SlowCleanup))({ id: 3 })
            yield* Queue.take(timeline.started)
            const before = Date.now()
            yield* soon.cancel
            const after = Date.now()
            expect(timeline.cleaned.get(3)).toBeDefined()
            expect(after).toBeGreaterThanOrEqual(timeline.cleaned.get(3)!)
            expect(after - before).toBeGreaterThanOrEqual(290)
          })
        )
      })
    )
  )

  it.live("interrupting the group from outside waits for the handler's cleanup", () =>
    inCluster((timeline) =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(
          TaskGroup.run((group) => group.soonify(RemoteTask.call(SlowCleanup))({ id: 4 }))
        )
        yield* Queue.take(timeline.started)
        yield* Fiber.interrupt(fiber)
        const ended = Date.now()
        expect(ended).toBeGreaterThanOrEqual(timeline.cleaned.get(4)!)
        const exit = yield* Fiber.await(fiber)
        assert(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
      })
    )
  )

  it.live("a runner that does not acknowledge within cancelTimeout ends the task with a TransportError", () =>
    inCluster((timeline) =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(RemoteTask.call(Stubborn)())
        yield* Queue.take(timeline.started)
        const before = Date.now()
        yield* Fiber.interrupt(fiber)
        const waited = Date.now() - before
        expect(waited).toBeGreaterThanOrEqual(190)
        expect(waited).toBeLessThan(1400)
        const exit = yield* Fiber.await(fiber)
        assert(Exit.isFailure(exit))
        expect(Cause.hasInterrupts(exit.cause)).toBe(true)
        const [error] = failuresOf(exit.cause)
        assert(isTransportError(error))
        expect(error.reason).toBe("CancelUnacknowledged")
        expect(String(error.cause)).toContain("within 200ms")
      })
    )
  )
})

describe("a cancelled handler's failing cleanup", () => {
  it.live("comes back with the cancellation: the group reports it, as a local task's failing cleanup", () =>
    inCluster((timeline) =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              const soon = yield* group.soonify(RemoteTask.call(BadCleanup))()
              yield* Queue.take(timeline.started)
              yield* soon.cancel
            })
          )
        )
        assert(Exit.isFailure(exit))
        const defects = exit.cause.reasons.filter(Cause.isDieReason).map((reason) => String(reason.defect))
        expect(defects.join("\n")).toContain("cleanup broke")
      })
    )
  )
})

describe("an unacknowledged cancellation in a task group", () => {
  it.live("soon.cancel() of a task whose runner does not acknowledge: the group reports the TransportError", () =>
    inCluster((timeline) =>
      Effect.gen(function* () {
        // as a local task's failing cleanup: the cancelled task is not a failure, its cleanup's is (§4.6)
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              const soon = yield* group.soonify(RemoteTask.call(Stubborn))()
              yield* Queue.take(timeline.started)
              yield* soon.cancel
            })
          )
        )
        assert(Exit.isFailure(exit))
        const [error] = failuresOf(exit.cause)
        assert(isTransportError(error))
        expect(error.reason).toBe("CancelUnacknowledged")
      })
    )
  )
})

describe("bad input", () => {
  it("RemoteTask.make rejects a cancelTimeout that is not a positive finite duration", () => {
    expect(() => RemoteTask.make("T", { cancelTimeout: -1 })).toThrow(/option "cancelTimeout" must be a positive/)
    expect(() => RemoteTask.make("T", { cancelTimeout: "forever" as any })).toThrow(/cancelTimeout/)
    expect(() => RemoteTask.make("T", { cancelTimeout: "Infinity" as any })).toThrow(/cancelTimeout/)
  })
})
