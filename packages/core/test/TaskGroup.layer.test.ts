import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Context, Data, Deferred, Effect, Exit, Fiber, Layer, Logger, ManagedRuntime } from "effect"
import { TestClock } from "effect/testing"
import { isTaskGroupClosed, type SoonValue, TaskGroup } from "@soonify/core"
import { settle } from "./support.ts"

class JobFailed extends Data.TaggedError("JobFailed")<{ readonly job: string }> {}
class Jobs extends Context.Service<Jobs, TaskGroup.TaskGroup<JobFailed>>()("layer-test/Jobs") {}
class Greeting extends Context.Service<Greeting, { readonly hello: string }>()("layer-test/Greeting") {}

const defectsOf = (exit: Exit.Exit<unknown, unknown>): Array<unknown> =>
  Exit.isFailure(exit) ? exit.cause.reasons.filter(Cause.isDieReason).map((reason) => reason.defect) : []

/** `promise`, or a rejection after `ms` real milliseconds saying what hung. */
const within = <A>(promise: Promise<A>, ms: number, what: string): Promise<A> =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms))
  ])

describe("TaskGroup.layer", () => {
  it("ManagedRuntime.dispose() interrupts a never-ending task, runs its finalizer and finishes", async () => {
    const runtime = ManagedRuntime.make(TaskGroup.layer(Jobs, { name: "jobs" }))
    const log: Array<string> = []
    const soon = await runtime.runPromise(
      Effect.gen(function* () {
        const jobs = yield* Jobs
        const running = yield* Deferred.make<void>()
        const soon = yield* jobs.spawn(
          Effect.onInterrupt(Effect.andThen(Deferred.succeed(running, undefined), Effect.never), () =>
            Effect.sync(() => log.push("finalizer ran"))
          ),
          { name: "poller" }
        )
        yield* Deferred.await(running)
        return soon
      })
    )
    assert.isFalse(soon.ready)
    await within(runtime.dispose(), 5_000, "ManagedRuntime.dispose()")
    assert.deepStrictEqual(log, ["finalizer ran"])
    assert.isTrue(soon.ready)
  })

  it.effect("without a tag, the group is TaskGroup.Service", () =>
    Effect.gen(function* () {
      const value = yield* Effect.gen(function* () {
        const group = yield* TaskGroup.Service
        expectTypeOf(group).toEqualTypeOf<TaskGroup.TaskGroup<unknown, never>>()
        const soon = yield* group.spawn(Effect.succeed("sent"))
        return [group.name, yield* soon.await]
      }).pipe(Effect.provide(TaskGroup.layer({ name: "background" })))
      assert.deepStrictEqual(value, ["background", "sent"])
    })
  )

  it.effect("its tasks run with the spawner's context", () =>
    Effect.gen(function* () {
      const hello = yield* Effect.gen(function* () {
        const jobs = yield* Jobs
        const soon = yield* jobs.spawn(Effect.map(Greeting, (greeting) => greeting.hello))
        return yield* soon.await
      }).pipe(Effect.provideService(Greeting, { hello: "hi" }), Effect.provide(TaskGroup.layer(Jobs)))
      assert.strictEqual(hello, "hi")
    })
  )

  it.effect("its release raises, as defects, the failures nobody observed; not those read from their handle", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.gen(function* () {
          const jobs = yield* Jobs
          const seen = yield* jobs.spawn(Effect.fail(new JobFailed({ job: "seen" })))
          yield* Effect.exit(seen.await)
        }).pipe(Effect.provide(TaskGroup.layer(Jobs, { mode: "settle" })))
      )
      assert.isTrue(Exit.isSuccess(exit))
      const unseen = yield* Effect.exit(
        Effect.gen(function* () {
          const jobs = yield* Jobs
          yield* jobs.spawn(Effect.fail(new JobFailed({ job: "unseen" })))
          yield* Effect.yieldNow
        }).pipe(Effect.provide(TaskGroup.layer(Jobs)))
      )
      assert.deepStrictEqual(defectsOf(unseen), [new JobFailed({ job: "unseen" })])
    })
  )

  it.effect("its release reports a task that ignores its interruption after stuckAfter, and still waits for it", () =>
    Effect.gen(function* () {
      const warnings: Array<string> = []
      const logger = Logger.make((options) => {
        if (options.logLevel === "Warn") warnings.push(String(options.message))
      })
      let ended = false
      const released = yield* Effect.forkChild(
        Effect.gen(function* () {
          const jobs = yield* Jobs
          yield* jobs.spawn(
            Effect.ensuring(
              Effect.uninterruptible(Effect.sleep("5 seconds")),
              Effect.sync(() => (ended = true))
            ),
            { name: "deaf" }
          )
          yield* Effect.yieldNow
        }).pipe(
          Effect.provide(TaskGroup.layer(Jobs, { name: "jobs", stuckAfter: "1 second" })),
          Effect.provide(Logger.layer([logger]))
        )
      )
      yield* settle
      yield* TestClock.adjust("1 second")
      yield* settle
      assert.strictEqual(warnings.length, 1)
      assert.include(warnings[0], 'TaskGroup "jobs": task "deaf" was asked to stop')
      assert.isFalse(ended)
      yield* TestClock.adjust("4 seconds")
      yield* Fiber.join(released)
      assert.isTrue(ended)
    })
  )

  it.effect("a bad option dies naming TaskGroup.layer", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(Layer.build(TaskGroup.layer({ concurrency: 0 })).pipe(Effect.scoped))
      assert.match(String(defectsOf(exit)[0]), /TaskGroup\.layer/)
    })
  )
})

describe("a make group's scope close raises only the failures nobody observed", () => {
  it.effect("a failure its spawner read from the handle (failFast) is not raised again", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make<JobFailed>()
            const soon = yield* group.spawn(Effect.fail(new JobFailed({ job: "read" })))
            const read = yield* Effect.exit(soon.await)
            assert.isTrue(Exit.isFailure(read))
          })
        )
      )
      assert.isTrue(Exit.isSuccess(exit))
    })
  )

  it.effect("one nobody read still is, beside the one that was read", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.scoped(
          Effect.gen(function* () {
            const group = yield* TaskGroup.make<JobFailed>()
            // fails too, while the group shuts down (it ignores the interruption)
            yield* group.spawn(
              Effect.uninterruptible(Effect.andThen(Effect.yieldNow, Effect.fail(new JobFailed({ job: "unread" }))))
            )
            const read = yield* group.spawn(Effect.fail(new JobFailed({ job: "read" })))
            yield* Effect.exit(read.await)
          })
        )
      )
      assert.deepStrictEqual(defectsOf(exit), [new JobFailed({ job: "unread" })])
    })
  )
})

describe("TaskGroup.runtime", () => {
  it.live("spawns from a callback with the captured context, and refuses once the group has ended", () =>
    Effect.gen(function* () {
      let callback: ((name: string) => SoonValue.SoonValue<string>) | undefined
      const handles: Array<SoonValue.SoonValue<string>> = []
      yield* Effect.scoped(
        Effect.gen(function* () {
          const group = yield* TaskGroup.make<never, Greeting>()
          const run = yield* TaskGroup.runtime(group)<Greeting>()
          callback = (name) => run(Effect.map(Greeting, (greeting) => `${greeting.hello}, ${name}`))
          // a listener, called outside any fiber
          setTimeout(() => handles.push(callback!("Ada")), 0)
          yield* Effect.sleep("10 millis")
          yield* TaskGroup.join(group)
        })
      ).pipe(Effect.provideService(Greeting, { hello: "Hello" }))
      assert.strictEqual(yield* handles[0].value, "Hello, Ada")
      const late = (() => {
        try {
          return callback!("late")
        } catch (error) {
          return error
        }
      })()
      assert.isTrue(isTaskGroupClosed(late))
    })
  )
})
