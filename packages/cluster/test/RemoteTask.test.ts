import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Fiber, Layer, Queue, Schema } from "effect"
import { TestRunner } from "effect/cluster"
import { TaskGroup } from "@soonify/core"
import { isTransportError, RemoteTask, TransportError } from "@soonify/cluster"
import {
  defectsOf,
  Fragile,
  failuresOf,
  Hang,
  ImageTooLarge,
  inCluster,
  Local,
  Resize,
  Scoped,
  shardsAcquired,
  Where,
  WhereDefault
} from "./support.ts"

const image = (url: string, bytes = 10) => ({ url, bytes, tags: ["a", "b"] })

describe("RemoteTask.call in a task group", () => {
  it.effect("gives the handler's value through the task's handle, named after the remote task", () =>
    inCluster(() =>
      Effect.gen(function* () {
        const [a, b] = yield* TaskGroup.run((group) =>
          Effect.all([
            group.soonify(RemoteTask.call(Resize))(image("a.png")),
            group.soonify(RemoteTask.call(Resize))(image("b.png"))
          ])
        )
        expect(a.ready && b.ready).toBe(true)
        expect(yield* a.value).toBe("resized a.png")
        expect(yield* b.value).toBe("resized b.png")
        expect(a.name).toBe("Resize")
      })
    )
  )

  it.effect("sends the payload encoded with its schema and decoded on the runner, as between processes", () =>
    inCluster((observed) =>
      Effect.gen(function* () {
        const payload = image("a.png")
        yield* RemoteTask.call(Resize)(payload)
        expect(observed.payloads).toEqual([payload])
        // a copy made by decoding, not the caller's object
        expect(observed.payloads[0]).not.toBe(payload)
        expect((observed.payloads[0] as typeof payload).tags).not.toBe(payload.tags)
      })
    )
  )

  it.effect("fails the task with the handler's typed error, an instance of its schema's class", () =>
    inCluster(() =>
      Effect.gen(function* () {
        const [small, large] = yield* TaskGroup.run(
          (group) =>
            Effect.all([
              group.soonify(RemoteTask.call(Resize))(image("small.png")),
              group.soonify(RemoteTask.call(Resize))(image("large.png", 1000))
            ]),
          { mode: "settle" }
        )
        expect(yield* small.value).toBe("resized small.png")
        const error = yield* Effect.flip(large.value)
        assert(error instanceof ImageTooLarge)
        expect(error.bytes).toBe(1000)
      })
    )
  )

  it.effect("fails fast: a remote failure interrupts the remote siblings, whose handlers see it", () =>
    inCluster((observed) =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          TaskGroup.run((group) =>
            Effect.gen(function* () {
              yield* group.soonify(RemoteTask.call(Hang))({ id: 1 })
              yield* group.soonify(RemoteTask.call(Hang))({ id: 2 })
              // both handlers are running on the runner before the failure
              yield* Queue.take(observed.started)
              yield* Queue.take(observed.started)
              yield* group.soonify(RemoteTask.call(Resize))(image("large.png", 1000))
            })
          )
        )
        assert(Exit.isFailure(exit))
        // the group fails with the failure alone, not the interruptions it caused
        expect(failuresOf(exit.cause)).toEqual([new ImageTooLarge({ bytes: 1000 })])
        expect(Cause.hasInterrupts(exit.cause)).toBe(false)
        const interrupted = [yield* Queue.take(observed.interrupted), yield* Queue.take(observed.interrupted)]
        expect(interrupted.toSorted()).toEqual([1, 2])
      })
    )
  )

  it.effect("soon.cancel() interrupts the remote handler, and the group does not fail", () =>
    inCluster((observed) =>
      Effect.gen(function* () {
        const [hang, other] = yield* TaskGroup.run((group) =>
          Effect.gen(function* () {
            const hang = yield* group.soonify(RemoteTask.call(Hang))({ id: 7 })
            const other = yield* group.soonify(RemoteTask.call(Resize))(image("a.png"))
            expect(yield* Queue.take(observed.started)).toBe(7)
            yield* hang.cancel
            return [hang, other] as const
          })
        )
        // the handler on the runner observed its own interruption
        expect(yield* Queue.take(observed.interrupted)).toBe(7)
        const exit = yield* Effect.exit(hang.await)
        assert(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
        expect(yield* other.value).toBe("resized a.png")
      })
    )
  )

  it.effect("interrupting the group from outside interrupts the remote handlers", () =>
    inCluster((observed) =>
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(TaskGroup.run((group) => group.soonify(RemoteTask.call(Hang))({ id: 3 })))
        expect(yield* Queue.take(observed.started)).toBe(3)
        yield* Fiber.interrupt(fiber)
        expect(yield* Queue.take(observed.interrupted)).toBe(3)
        const exit = yield* Fiber.await(fiber)
        assert(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause))
      })
    )
  )

  it.effect("the group's concurrency bounds the calls in flight; calls queued when it fails are never sent", () =>
    inCluster((observed) =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(
          TaskGroup.run(
            (group) =>
              Effect.gen(function* () {
                for (let id = 1; id <= 4; id++) yield* group.soonify(RemoteTask.call(Hang))({ id })
                const running = [yield* Queue.take(observed.started), yield* Queue.take(observed.started)]
                expect(running.toSorted()).toEqual([1, 2])
                yield* shardsAcquired
                // the other two wait for a slot: their calls have not reached the runner
                expect(Queue.sizeUnsafe(observed.started)).toBe(0)
                return yield* Effect.fail("stop")
              }),
            { concurrency: 2 }
          )
        )
        assert(Exit.isFailure(exit))
        expect(failuresOf(exit.cause)).toEqual(["stop"])
        const interrupted = [yield* Queue.take(observed.interrupted), yield* Queue.take(observed.interrupted)]
        expect(interrupted.toSorted()).toEqual([1, 2])
        yield* shardsAcquired
        expect(Queue.sizeUnsafe(observed.started)).toBe(0)
        expect(Queue.sizeUnsafe(observed.interrupted)).toBe(0)
      })
    )
  )

  it.effect("a handler's finalizers run when its call ends, before the caller gets the reply", () =>
    inCluster((observed) =>
      Effect.gen(function* () {
        yield* RemoteTask.call(Scoped)({ id: 1 })
        expect(Queue.sizeUnsafe(observed.finalized)).toBe(1)
        yield* RemoteTask.call(Scoped)({ id: 2 })
        expect([yield* Queue.take(observed.finalized), yield* Queue.take(observed.finalized)]).toEqual([1, 2])
      })
    )
  )

  it.effect("a handler's defect is the task's defect, and the entity goes on serving", () =>
    inCluster(() =>
      Effect.gen(function* () {
        const route = RemoteTask.call(Fragile)
        const exit = yield* Effect.exit(TaskGroup.run((group) => group.soonify(route)({ n: -1 })))
        assert(Exit.isFailure(exit))
        expect(failuresOf(exit.cause)).toEqual([])
        expect(String(defectsOf(exit.cause)[0])).toContain("negative: -1")
        // the next call is served at once, not after a restart of the entity
        expect(yield* route({ n: 5 })).toBe(5)
      })
    )
  )
})

describe("transport failures", () => {
  it.effect(
    "a payload its schema cannot encode fails with TransportError MalformedMessage; the handler never runs",
    () =>
      inCluster(() =>
        Effect.gen(function* () {
          const soon = yield* TaskGroup.run((group) => group.soonify(RemoteTask.call(Local))({ secret: "s3cr3t" }), {
            mode: "settle"
          })
          const error = yield* Effect.flip(soon.value)
          assert(isTransportError(error))
          expect(error.reason).toBe("MalformedMessage")
          expect(error.task).toBe("Local")
          expect(error.message).toContain('Remote task "Local"')
        })
      )
  )

  it.effect("a full mailbox fails the call with TransportError MailboxFull, which fails a failFast group", () =>
    Effect.gen(function* () {
      const Slow = RemoteTask.make("Slow", { payload: { id: Schema.Number }, route: () => "one" })
      const started = yield* Queue.unbounded<number>()
      const interrupted = yield* Queue.unbounded<number>()
      const SlowLive = RemoteTask.toLayer(
        Slow,
        ({ id }) =>
          Queue.offer(started, id).pipe(
            Effect.andThen(Effect.never),
            Effect.onInterrupt(() => Queue.offer(interrupted, id))
          ),
        { mailboxCapacity: 1 }
      )
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            yield* group.soonify(RemoteTask.call(Slow))({ id: 1 })
            yield* Queue.take(started)
            yield* group.soonify(RemoteTask.call(Slow))({ id: 2 })
          })
        )
      ).pipe(Effect.provide(SlowLive.pipe(Layer.provideMerge(TestRunner.layer))))
      assert(Exit.isFailure(exit))
      const [error] = failuresOf(exit.cause)
      assert(error instanceof TransportError)
      expect(error.reason).toBe("MailboxFull")
      expect(error.task).toBe("Slow")
      // fail fast reached the first call's handler
      expect(yield* Queue.take(interrupted)).toBe(1)
    })
  )

  it.effect("the task's own typed errors are never TransportErrors", () =>
    inCluster(() =>
      Effect.gen(function* () {
        const error = yield* Effect.flip(RemoteTask.call(Resize)(image("large.png", 1000)))
        expect(isTransportError(error)).toBe(false)
        expect(error._tag).toBe("ImageTooLarge")
      })
    )
  )
})

describe("routing", () => {
  it.effect("sends each call to the entity id its route gives", () =>
    inCluster(() =>
      Effect.gen(function* () {
        const ids = yield* TaskGroup.gather([
          RemoteTask.call(Where)({ key: "eu-1" }),
          RemoteTask.call(Where)({ key: "us-2" })
        ])
        expect(ids).toEqual(["eu-1", "us-2"])
      })
    )
  )

  it.effect("spreads calls round-robin over entity ids when no route is given", () =>
    inCluster(() =>
      Effect.gen(function* () {
        const where = RemoteTask.call(WhereDefault)
        const ids = [yield* where(), yield* where(), yield* where()]
        expect(new Set(ids).size).toBe(3)
        expect(ids.map(Number)).toEqual([Number(ids[0]), Number(ids[0]) + 1, Number(ids[0]) + 2])
      })
    )
  )

  it.effect("a route that gives no entity id is a defect naming the task", () =>
    inCluster(() =>
      Effect.gen(function* () {
        const Broken = RemoteTask.make("Broken", { payload: { key: Schema.String }, route: ({ key }) => key })
        const exit = yield* Effect.exit(RemoteTask.call(Broken)({ key: "" }))
        assert(Exit.isFailure(exit))
        const [defect] = defectsOf(exit.cause)
        assert(defect instanceof Cause.IllegalArgumentError)
        expect(defect.message).toContain('route of remote task "Broken" must return a non-empty string')
      })
    )
  )
})

describe("bad input", () => {
  it("RemoteTask.make throws an IllegalArgumentError naming the argument", () => {
    expect(() => RemoteTask.make("" as string)).toThrow(/name must be a non-empty string/)
    expect(() => RemoteTask.make("T", { payload: 42 as any })).toThrow(/option "payload" must be a Schema/)
    expect(() => RemoteTask.make("T", { success: {} as any })).toThrow(/option "success" must be a Schema/)
    expect(() => RemoteTask.make("T", { route: "id" as any })).toThrow(/option "route" must be a function/)
    expect(() => RemoteTask.make("T", "options" as any)).toThrow(Cause.IllegalArgumentError)
  })

  it("RemoteTask.call and RemoteTask.toLayer throw for what is not a remote task, or bad options", () => {
    expect(() => RemoteTask.call({} as any)).toThrow(/RemoteTask.call: expected a RemoteTask/)
    expect(() => RemoteTask.toLayer({} as any, () => Effect.void)).toThrow(/RemoteTask.toLayer: expected a RemoteTask/)
    expect(() => RemoteTask.toLayer(Resize, "handler" as any)).toThrow(/handler must be a function/)
    expect(() => RemoteTask.toLayer(Resize, () => Effect.succeed(""), { concurrency: 0 })).toThrow(
      /option "concurrency" must be a positive integer/
    )
    expect(() => RemoteTask.toLayer(Resize, () => Effect.succeed(""), { mailboxCapacity: 1.5 })).toThrow(
      /option "mailboxCapacity" must be a positive integer/
    )
  })

  it("a remote task is recognised, and shows its name", () => {
    expect(RemoteTask.isRemoteTask(Resize)).toBe(true)
    expect(RemoteTask.isRemoteTask({ name: "Resize" })).toBe(false)
    expect(Resize.toJSON()).toEqual({ _id: "RemoteTask", name: "Resize", entityType: "Resize" })
    expect(String(Resize)).toContain("Resize")
  })
})
