import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Clock, Deferred, Effect, Exit, Fiber } from "effect"
import { TestClock } from "effect/testing"
import { type SoonValue, TaskGroup } from "@soonify/core"
import { defectOf, settle } from "./support.ts"

// Flow control inside a group (DESIGN §10): priority, partitions, rate windows and
// setConcurrency, decided by the kernel's scheduler; core hands it the options.

/** Moves the TestClock on `step` ms at a time, `times` times, letting fibers run in between. */
const advance = (step: number, times: number) =>
  Effect.gen(function* () {
    for (let i = 0; i < times; i++) {
      yield* TestClock.adjust(step)
      yield* settle
    }
  })

describe("TaskGroup flow control", () => {
  it.effect("rate: at most `limit` starts in every sliding window of `interval` (checked over every window)", () =>
    Effect.gen(function* () {
      const starts: Array<number> = []
      const durations = [30, 700, 10, 250, 990, 40, 600, 5, 320, 80, 1500, 60, 15, 400, 900, 70]
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.forEach(durations, (ms) =>
              group.spawn(
                Effect.flatMap(Clock.currentTimeMillis, (now) => {
                  starts.push(now)
                  return Effect.sleep(ms)
                })
              )
            ),
          { rate: { limit: 3, interval: "1 second" } }
        )
      )
      yield* settle
      yield* advance(37, 200)
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
      assert.strictEqual(starts.length, durations.length)
      // Every window [starts[i], starts[i] + 1000) holds at most 3 starts, wherever it begins.
      for (let i = 0; i + 3 < starts.length; i++) assert.isAtLeast(starts[i + 3] - starts[i], 1000, `window at ${i}`)
      // And the window is used: the first three start at once.
      assert.deepStrictEqual(starts.slice(0, 3), [0, 0, 0])
    })
  )

  it.effect("partitions: running tasks per partition value never above its limit, values independent", () =>
    Effect.gen(function* () {
      const running = new Map<string, number>()
      let most = 0
      let mostAtOnce = 0
      let now = 0
      const job = (host: string, ms: number) =>
        Effect.gen(function* () {
          running.set(host, (running.get(host) ?? 0) + 1)
          now++
          most = Math.max(most, running.get(host)!)
          mostAtOnce = Math.max(mostAtOnce, now)
          yield* Effect.sleep(ms)
          running.set(host, running.get(host)! - 1)
          now--
        })
      const hosts = ["a", "b", "a", "c", "a", "a", "b", "b", "b", "a", "c", "c", "c", "a"]
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.forEach(hosts, (host, i) => group.spawn(job(host, 10 + ((i * 37) % 50)), { partition: host })),
          { partitions: { concurrency: 2 } }
        )
      )
      yield* advance(5, 100)
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
      assert.strictEqual(most, 2)
      assert.strictEqual(mostAtOnce, 6, "three partitions, two each")
    })
  )

  it.effect("partitions.rate and soonify's partition from the call's arguments", () =>
    Effect.gen(function* () {
      const starts: Record<string, Array<number>> = {}
      const fetch = (host: string, path: string) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) => {
          ;(starts[host] ??= []).push(now)
          return Effect.succeed(`${host}${path}`)
        })
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) => {
            const get = group.soonify(fetch, {
              partition: (host, path) => {
                expectTypeOf(host).toEqualTypeOf<string>()
                expectTypeOf(path).toEqualTypeOf<string>()
                return host
              }
            })
            return Effect.forEach(["a", "b", "a", "a", "b", "a"], (host, i) => get(host, `/${i}`))
          },
          { partitions: { rate: { limit: 2, interval: 100 } } }
        )
      )
      yield* advance(10, 30)
      const handles = yield* Fiber.join(fiber)
      assert.deepStrictEqual(yield* Effect.forEach(handles, (h) => h.value), ["a/0", "b/1", "a/2", "a/3", "b/4", "a/5"])
      assert.deepStrictEqual(starts, { a: [0, 0, 100, 100], b: [0, 0] })
    })
  )

  it.effect("priority: among waiting tasks higher starts first, equal priorities in spawn order", () =>
    Effect.gen(function* () {
      const order: Array<string> = []
      const gate = yield* Deferred.make<void>()
      const job = (name: string) => Effect.sync(() => void order.push(name))
      yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            yield* group.spawn(Deferred.await(gate))
            yield* group.spawn(job("low"))
            yield* group.spawn(job("high"), { priority: 5 })
            yield* group.soonify(job, { priority: 1 })("mid")
            yield* group.spawn(job("high 2"), { priority: 5 })
            yield* group
              .start((started) => Effect.andThen(started(undefined), job("started")), { priority: 3 })
              .pipe(Effect.forkChild)
            yield* settle
            yield* Deferred.succeed(gate, undefined)
          }),
        { concurrency: 1 }
      )
      assert.deepStrictEqual(order, ["high", "high 2", "started", "mid", "low"])
    })
  )

  it.effect("setConcurrency: raising it starts waiting tasks at once; lowering it starts no more until below", () =>
    Effect.gen(function* () {
      let running = 0
      const job = Effect.acquireUseRelease(
        Effect.sync(() => running++),
        () => Effect.sleep(100),
        () => Effect.sync(() => running--)
      )
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              for (let i = 0; i < 10; i++) yield* group.spawn(job)
              yield* settle
              const seen = [running, (yield* TaskGroup.snapshot(group)).concurrency]
              yield* group.setConcurrency(4)
              yield* settle
              seen.push(running, (yield* TaskGroup.snapshot(group)).concurrency)
              yield* TaskGroup.setConcurrency(group, 1)
              yield* TestClock.adjust(100)
              yield* settle
              seen.push(running)
              yield* group.pipe(TaskGroup.setConcurrency("unbounded"))
              yield* settle
              seen.push(running, (yield* TaskGroup.snapshot(group)).concurrency)
              return seen
            }),
          { concurrency: 2 }
        )
      )
      yield* settle
      yield* advance(50, 10)
      // 2 → 4 at once; lowered to 1: the 4 running finish, then 1; unbounded: the 5 left.
      assert.deepStrictEqual(yield* Fiber.join(fiber), [2, 2, 4, 4, 1, 5, "unbounded"])
    })
  )

  it.effect("snapshots show each waiting task's reason and the group's limits", () =>
    Effect.gen(function* () {
      const group = yield* TaskGroup.make({
        concurrency: 2,
        rate: { limit: 3, interval: "1 second" },
        partitions: { concurrency: 1, rate: { limit: 5, interval: 2000 } }
      })
      yield* group.spawn(Effect.never, { name: "a1", partition: "a" })
      yield* group.spawn(Effect.never, { name: "a2", partition: "a" })
      yield* group.spawn(Effect.never, { name: "b1", partition: "b" })
      yield* group.spawn(Effect.never, { name: "c1" })
      yield* settle
      yield* Effect.sleep(0)
      const snapshot = yield* TaskGroup.snapshot(group)
      assert.deepStrictEqual(
        snapshot.tasks.map((t) => [t.name, t.status, t.waiting, t.partition]),
        [
          ["a1", "running", undefined, "a"],
          ["a2", "queued", "partition", "a"],
          ["b1", "running", undefined, "b"],
          ["c1", "queued", "permit", undefined]
        ]
      )
      assert.strictEqual(snapshot.concurrency, 2)
      assert.deepStrictEqual(snapshot.rate, { limit: 3, interval: 1000 })
      assert.deepStrictEqual(snapshot.partitions, { concurrency: 1, rate: { limit: 5, interval: 2000 } })
      yield* TaskGroup.cancel(group)
    }).pipe(Effect.scoped)
  )

  it.effect("a snapshot shows the partition limits as given: a rate alone, with no concurrency", () =>
    Effect.gen(function* () {
      const partitions = yield* TaskGroup.run(
        (group) => Effect.sync(() => TaskGroup.snapshotUnsafe(group).partitions),
        {
          partitions: { rate: { limit: 2, interval: "1 second" } }
        }
      )
      assert.deepStrictEqual(partitions, { rate: { limit: 2, interval: 1000 } })
    })
  )

  it.effect("layer takes rate and partitions too", () =>
    Effect.gen(function* () {
      const group = yield* TaskGroup.Service
      const snapshot = yield* TaskGroup.snapshot(group)
      assert.deepStrictEqual([snapshot.rate, snapshot.partitions], [{ limit: 2, interval: 60_000 }, { concurrency: 3 }])
    }).pipe(
      Effect.provide(TaskGroup.layer({ rate: { limit: 2, interval: "1 minute" }, partitions: { concurrency: 3 } }))
    )
  )

  it.effect("cancellation while waiting for each reason settles every handle", () =>
    Effect.gen(function* () {
      for (const reason of ["permit", "partition", "rate"] as const) {
        const group = yield* TaskGroup.make({
          concurrency: reason === "permit" ? 1 : "unbounded",
          ...(reason === "partition" ? { partitions: { concurrency: 1 } } : {}),
          ...(reason === "rate" ? { rate: { limit: 1, interval: "1 hour" } } : {})
        })
        const first = yield* group.spawn(Effect.never, { partition: "p" })
        const waiting: Array<SoonValue.SoonValue<never>> = []
        for (let i = 0; i < 3; i++) waiting.push(yield* group.spawn(Effect.never, { partition: "p" }))
        yield* settle
        const snapshot = yield* TaskGroup.snapshot(group)
        assert.deepStrictEqual(
          snapshot.tasks.map((t) => t.waiting),
          [undefined, reason, reason, reason]
        )
        // One cancelled by its handle, the rest by the group's cancel: every handle settles.
        yield* waiting[0].cancel
        assert.isTrue(waiting[0].ready)
        yield* TaskGroup.cancel(group)
        for (const soon of [first, ...waiting]) {
          assert.isTrue(soon.ready, reason)
          const exit = yield* Effect.exit(soon.await)
          assert.isTrue(Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause), reason)
        }
        assert.isTrue(Exit.isFailure(yield* Effect.exit(TaskGroup.join(group))))
      }
    }).pipe(Effect.scoped)
  )

  describe("bad values fail like the existing options, naming the argument", () => {
    const dies = (effect: Effect.Effect<unknown, unknown>, text: string) =>
      Effect.gen(function* () {
        const exit = yield* Effect.exit(effect)
        const defect = defectOf(exit)
        assert.isTrue(Cause.isIllegalArgumentError(defect), String(defect))
        assert.include((defect as Error).message, text)
      })

    it.effect("group options rate and partitions", () =>
      Effect.gen(function* () {
        const run = (options: object) => TaskGroup.run(() => Effect.void, options as TaskGroup.Options)
        yield* dies(run({ rate: 5 }), 'TaskGroup.run: option "rate" must be { limit, interval }, received number 5')
        yield* dies(
          run({ rate: { limit: 0, interval: 1000 } }),
          '"limit" must be a positive integer, received number 0'
        )
        yield* dies(run({ rate: { limit: 1.5, interval: 1000 } }), '"limit" must be a positive integer')
        yield* dies(run({ rate: { limit: 1, interval: "0 millis" } }), '"interval" must be a Duration.Input above 0')
        yield* dies(run({ rate: { limit: 1, interval: "Infinity" } }), '"interval" must be a Duration.Input above 0')
        yield* dies(run({ rate: { limit: 1, interval: Number.NaN } }), '"interval"')
        yield* dies(run({ partitions: "host" }), 'option "partitions" must be { concurrency?, rate? }')
        yield* dies(
          run({ partitions: { concurrency: 0 } }),
          'option "partitions.concurrency" must be a positive integer'
        )
        yield* dies(run({ partitions: { rate: { limit: -1, interval: 1 } } }), 'option "partitions.rate"')
        yield* dies(
          TaskGroup.make({ rate: { limit: 1, interval: -1 } }).pipe(Effect.scoped),
          'TaskGroup.make: option "rate"'
        )
        yield* dies(
          Effect.provide(
            Effect.map(TaskGroup.Service, (group) => group.name),
            TaskGroup.layer({ partitions: { concurrency: -2 } })
          ),
          'TaskGroup.layer: option "partitions.concurrency"'
        )
      })
    )

    it.effect("null rate and partitions, an interval that is no duration or past the longest timer", () =>
      Effect.gen(function* () {
        const run = (options: object) => TaskGroup.run(() => Effect.void, options as TaskGroup.Options)
        yield* dies(run({ rate: null }), 'TaskGroup.run: option "rate" must be { limit, interval }, received null')
        yield* dies(
          run({ partitions: null }),
          'TaskGroup.run: option "partitions" must be { concurrency?, rate? }, received null'
        )
        yield* dies(
          run({ rate: { limit: 1, interval: "soon" } }),
          '"interval" must be a Duration.Input above 0 and finite (such as "1 second" or 1000 millis), received string "soon"'
        )
        // The longest timer a runtime keeps is 2,147,483,647 ms: one more is refused.
        yield* dies(run({ rate: { limit: 1, interval: 2_147_483_648 } }), '"interval" must be a Duration.Input above 0')
        assert.strictEqual(
          yield* TaskGroup.run(() => Effect.succeed("ok"), { rate: { limit: 1, interval: 2_147_483_647 } }),
          "ok"
        )
      })
    )

    it.effect("setConcurrency with no value dies naming it", () =>
      TaskGroup.run((group) =>
        dies(
          group.setConcurrency(undefined as any),
          'TaskGroup.setConcurrency: concurrency must be a positive integer or "unbounded", received undefined'
        )
      )
    )

    it.effect("task options priority and partition, and setConcurrency", () =>
      TaskGroup.run((group) =>
        Effect.gen(function* () {
          yield* dies(
            group.spawn(Effect.void, { priority: "high" as any }),
            'TaskGroup.spawn: option "priority" must be a number, received string "high"'
          )
          yield* dies(group.spawn(Effect.void, { priority: Number.NaN }), 'option "priority" must be a number')
          yield* dies(
            group.spawn(Effect.void, { partition: 3 as any }),
            'TaskGroup.spawn: option "partition" must be a string, received number 3'
          )
          yield* dies(
            group.start(() => Effect.void, { partition: (() => "a") as any }),
            'TaskGroup.start: option "partition" must be a string'
          )
          yield* dies(
            Effect.sync(() => group.soonify(() => Effect.void, { priority: null as any })),
            'TaskGroup.soonify: option "priority"'
          )
          yield* dies(
            Effect.sync(() => group.soonify(() => Effect.void, { partition: 1 as any })),
            'option "partition" must be a string or a function of the arguments that gives one'
          )
          yield* dies(
            group.soonify((n: number) => Effect.succeed(n), { partition: (n) => n as any })(1),
            'the "partition" function must return a string, returned number 1'
          )
          yield* dies(
            group.setConcurrency(0),
            'TaskGroup.setConcurrency: concurrency must be a positive integer or "unbounded", received number 0'
          )
          yield* dies(TaskGroup.setConcurrency(group, 2.5), "TaskGroup.setConcurrency: concurrency must be")
        })
      )
    )
  })

  it.effect("a soonify'd call whose partition function throws dies with what it threw, and spawns nothing", () =>
    Effect.gen(function* () {
      const broken = new Error("no partition for this host")
      const [exit, spawned] = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const fetch = group.soonify((host: string) => Effect.succeed(host), {
            partition: () => {
              throw broken
            }
          })
          const exit = yield* Effect.exit(fetch("a.example"))
          return [exit, TaskGroup.snapshotUnsafe(group).counts] as const
        })
      )
      assert.strictEqual(defectOf(exit), broken)
      assert.deepStrictEqual(spawned, { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 })
    })
  )

  it("types: the options and setConcurrency", () => {
    expectTypeOf<TaskGroup.Options["rate"]>().toEqualTypeOf<TaskGroup.RateLimit | undefined>()
    expectTypeOf<TaskGroup.SpawnOptions["priority"]>().toEqualTypeOf<number | undefined>()
    expectTypeOf<TaskGroup.SpawnOptions["partition"]>().toEqualTypeOf<string | undefined>()
    expectTypeOf<TaskGroup.SoonifyOptions<[string, number]>["partition"]>().toEqualTypeOf<
      string | ((...args: [string, number]) => string) | undefined
    >()
    expectTypeOf<TaskGroup.TaskGroup["setConcurrency"]>().parameter(0).toEqualTypeOf<number | "unbounded">()
    expectTypeOf(TaskGroup.setConcurrency(3)).toEqualTypeOf<
      <E, R>(group: TaskGroup.TaskGroup<E, R>) => Effect.Effect<void>
    >()
    // Option functions of soonify take the first parameters, or all of them, typed from f's.
    const fetchPage = (host: string, path: string) => Effect.succeed(host + path)
    TaskGroup.run((group) =>
      Effect.succeed(
        group.soonify(fetchPage, {
          partition: (host) => {
            expectTypeOf(host).toEqualTypeOf<string>()
            return host
          },
          name: (host) => host,
          key: (host, path) => host + path
        })
      )
    )
    // @ts-expect-error: a partition function gives a string
    TaskGroup.run((group) => Effect.succeed(group.soonify(fetchPage, { partition: (host) => host.length })))
    expectTypeOf<TaskGroup.TaskSnapshot["waiting"]>().toEqualTypeOf<"permit" | "partition" | "rate" | undefined>()
  })
})
