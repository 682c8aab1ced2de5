import { assert, describe, expectTypeOf, it } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Ref } from "effect"
import { TestClock } from "effect/testing"
import { TaskGroup } from "@soonify/core"
import { defectOf, isInterruptedOnly, settle, thrown } from "./support.ts"

/** A task that counts its starts, then waits for `gate`. */
const counted = (starts: Ref.Ref<number>, gate: Deferred.Deferred<string>) =>
  Effect.andThen(
    Ref.update(starts, (n) => n + 1),
    Deferred.await(gate)
  )

describe("keyed tasks (single flight)", () => {
  it.effect("spawning a key whose task has not ended gives that task's handle and starts nothing", () =>
    Effect.gen(function* () {
      const starts = yield* Ref.make(0)
      const gate = yield* Deferred.make<string>()
      const [a, b, other] = yield* TaskGroup.run((group) =>
        Effect.gen(function* () {
          const a = yield* group.spawn(counted(starts, gate), { key: "user-1" })
          yield* settle
          const b = yield* group.spawn(counted(starts, gate), { key: "user-1" })
          const other = yield* group.spawn(counted(starts, gate), { key: "user-2" })
          yield* settle
          yield* Deferred.succeed(gate, "loaded")
          return [a, b, other] as const
        })
      )
      assert.strictEqual(a, b)
      assert.notStrictEqual(a, other)
      assert.strictEqual(yield* Ref.get(starts), 2)
      assert.strictEqual(yield* b.value, "loaded")
    })
  )

  it.effect("frees the key once its task has ended: the next spawn starts a new task", () =>
    Effect.gen(function* () {
      const starts = yield* Ref.make(0)
      const task = Effect.andThen(
        Ref.update(starts, (n) => n + 1),
        Effect.sleep(10)
      )
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const first = yield* group.spawn(task, { key: 7 })
            yield* first.await
            assert.deepStrictEqual(group.keys, [])
            const second = yield* group.spawn(task, { key: 7 })
            return first !== second
          })
        )
      )
      yield* settle
      yield* TestClock.adjust(10)
      yield* settle
      yield* TestClock.adjust(10)
      assert.deepStrictEqual(yield* Fiber.await(fiber), Exit.succeed(true))
      assert.strictEqual(yield* Ref.get(starts), 2)
    })
  )

  it.effect("group.keys lists the live keys in spawn order, queued ones included", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const symbol = Symbol("report")
      yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            assert.deepStrictEqual(group.keys, [])
            yield* group.spawn(Deferred.await(gate), { key: "b" })
            yield* group.spawn(Deferred.await(gate)) // no key
            yield* group.spawn(Deferred.await(gate), { key: 1 })
            yield* group.spawn(Deferred.await(gate), { key: symbol })
            yield* settle
            assert.deepStrictEqual(group.keys, ["b", 1, symbol])
            yield* Deferred.succeed(gate, undefined)
          }),
        { concurrency: 1 }
      )
    })
  )

  it.effect("under concurrency, a keyed task still queued for a slot counts as running", () =>
    Effect.gen(function* () {
      const starts = yield* Ref.make(0)
      const gate = yield* Deferred.make<string>()
      const [queued, again] = yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            yield* group.spawn(Deferred.await(gate)) // holds the only slot
            const queued = yield* group.spawn(counted(starts, gate), { key: "k" })
            yield* settle
            assert.strictEqual(yield* Ref.get(starts), 0, "still queued")
            const again = yield* group.spawn(counted(starts, gate), { key: "k" })
            yield* Deferred.succeed(gate, "done")
            return [queued, again] as const
          }),
        { concurrency: 1 }
      )
      assert.strictEqual(queued, again)
      assert.strictEqual(yield* Ref.get(starts), 1)
    })
  )

  it.effect("a keyed task cancelled with soon.cancel frees its key: the next spawn starts a new one", () =>
    Effect.gen(function* () {
      const starts = yield* Ref.make(0)
      const gate = yield* Deferred.make<string>()
      yield* TaskGroup.run(
        (group) =>
          Effect.gen(function* () {
            const first = yield* group.spawn(counted(starts, gate), { key: "k" })
            // cancelled while still queued behind the slot, before it ever ran
            const queuedFirst = yield* group.spawn(counted(starts, gate), { key: "q" })
            yield* settle
            // The queued one first: cancelling `first` hands its slot to the next waiting task at once.
            yield* queuedFirst.cancel
            yield* first.cancel
            assert.isTrue(isInterruptedOnly(yield* Effect.exit(first.value)))
            assert.deepStrictEqual(group.keys, [])
            const second = yield* group.spawn(counted(starts, gate), { key: "k" })
            assert.notStrictEqual(first, second)
            assert.deepStrictEqual(group.keys, ["k"])
            yield* Deferred.succeed(gate, "done")
          }),
        { concurrency: 1 }
      )
      assert.strictEqual(yield* Ref.get(starts), 2)
    })
  )

  it.effect("in settle mode, a failed keyed task keeps its failure in the one handle and frees the key", () =>
    Effect.gen(function* () {
      const attempts = yield* Ref.make(0)
      const flaky = Effect.andThen(
        Ref.updateAndGet(attempts, (n) => n + 1),
        (n) => (n === 1 ? Effect.andThen(Effect.sleep(10), Effect.fail("down")) : Effect.succeed(n))
      )
      const fiber = yield* Effect.forkChild(
        TaskGroup.run(
          (group) =>
            Effect.gen(function* () {
              const a = yield* group.spawn(flaky, { key: "svc" })
              const b = yield* group.spawn(flaky, { key: "svc" })
              const failed = yield* Effect.exit(b.await)
              const c = yield* group.spawn(flaky, { key: "svc" })
              return { same: a === b, failed, value: yield* c.await }
            }),
          { mode: "settle" }
        )
      )
      yield* settle
      yield* TestClock.adjust(10)
      const result = yield* Fiber.join(fiber)
      assert.isTrue(result.same)
      assert.deepStrictEqual(result.failed, Exit.fail("down"))
      assert.strictEqual(result.value, 2)
    })
  )

  it.effect("keys belong to one group: a nested group's key does not dedupe against its parent's", () =>
    Effect.gen(function* () {
      const starts = yield* Ref.make(0)
      const gate = yield* Deferred.make<string>()
      yield* TaskGroup.run((outer) =>
        Effect.gen(function* () {
          const mine = yield* outer.spawn(counted(starts, gate), { key: "k" })
          const theirs = yield* outer.spawn(
            TaskGroup.run((inner) =>
              Effect.gen(function* () {
                const nested = yield* inner.spawn(counted(starts, gate), { key: "k" })
                assert.deepStrictEqual(inner.keys, ["k"])
                return nested
              })
            )
          )
          yield* settle
          assert.deepStrictEqual(outer.keys, ["k"])
          assert.strictEqual(yield* Ref.get(starts), 2)
          yield* Deferred.succeed(gate, "done")
          assert.notStrictEqual(mine, yield* theirs.await)
        })
      )
    })
  )

  it.effect("soonify dedupes by a key function of the arguments (concurrent loads of the same user)", () =>
    Effect.gen(function* () {
      const loads = yield* Ref.make<Array<number>>([])
      const loadUser = (id: number, _reason: string) =>
        Effect.andThen(
          Ref.update(loads, (all) => [...all, id]),
          Effect.as(Effect.sleep(10), { id })
        )
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) => {
          const load = group.soonify(loadUser, {
            key: (id, reason) => {
              expectTypeOf(id).toEqualTypeOf<number>()
              expectTypeOf(reason).toEqualTypeOf<string>()
              return `user:${id}`
            }
          })
          return Effect.all([load(1, "header"), load(1, "sidebar"), load(2, "header")])
        })
      )
      yield* settle
      yield* TestClock.adjust(10)
      const [a, b, c] = yield* Fiber.join(fiber)
      assert.strictEqual(a, b)
      assert.notStrictEqual(a, c)
      assert.deepStrictEqual(yield* Ref.get(loads), [1, 2])
      assert.deepStrictEqual(yield* b.value, { id: 1 })
    })
  )

  it.effect("soonify with a fixed key runs one call at a time per key", () =>
    Effect.gen(function* () {
      const runs = yield* Ref.make(0)
      const refresh = () =>
        Effect.andThen(
          Ref.update(runs, (n) => n + 1),
          Effect.sleep(5)
        )
      const fiber = yield* Effect.forkChild(
        TaskGroup.run((group) => {
          const refreshOnce = group.soonify(refresh, { key: "cache" })
          return Effect.all([refreshOnce(), refreshOnce(), refreshOnce()])
        })
      )
      yield* settle
      yield* TestClock.adjust(5)
      yield* Fiber.join(fiber)
      assert.strictEqual(yield* Ref.get(runs), 1)
    })
  )

  it.effect("spawning into an ended group with a key is still TaskGroupClosed", () =>
    Effect.gen(function* () {
      const group = yield* TaskGroup.run((group) => Effect.succeed(group))
      const exit = yield* Effect.exit(group.spawn(Effect.void, { key: "k" }))
      assert.strictEqual((defectOf(exit) as { _tag: string })._tag, "TaskGroupClosed")
    })
  )

  describe("bad input", () => {
    it.effect("spawn dies with IllegalArgumentError naming the key option", () =>
      Effect.gen(function* () {
        for (const key of [null, {}, Number.NaN, true]) {
          const exit = yield* Effect.exit(TaskGroup.run((group) => group.spawn(Effect.void, { key: key as any })))
          const defect = defectOf(exit)
          assert.isTrue(Cause.isIllegalArgumentError(defect), `got ${String(defect)}`)
          assert.include(
            (defect as Error).message,
            `TaskGroup.spawn: option "key" must be a string, a number or a symbol`
          )
        }
      })
    )

    it.effect("soonify throws at once for a bad key; a call dies when the key function gives a bad one", () =>
      Effect.gen(function* () {
        yield* TaskGroup.run((group) =>
          Effect.gen(function* () {
            const error = thrown(() => group.soonify(() => Effect.void, { key: [1] as any }))
            assert.isTrue(Cause.isIllegalArgumentError(error))
            assert.include((error as Error).message, 'TaskGroup.soonify: option "key"')
            const call = group.soonify((id: number) => Effect.succeed(id), { key: (id) => ({ id }) as any })
            const defect = defectOf(yield* Effect.exit(call(1)))
            assert.isTrue(Cause.isIllegalArgumentError(defect))
            assert.include((defect as Error).message, "the key function's result must be a string")
          })
        )
      })
    )
  })
})

describe("a keyed soonify call whose key function gives no key", () => {
  it.effect("dies with a message that names soonify, the key function and what it gave", () =>
    TaskGroup.run((group) =>
      Effect.gen(function* () {
        const call = group.soonify((id: number) => Effect.succeed(id), { key: () => null as any })
        const defect = defectOf(yield* Effect.exit(call(1)))
        assert.strictEqual(
          (defect as Error).message,
          "TaskGroup.soonify: the key function's result must be a string, a number or a symbol, received null"
        )
      })
    )
  )
})

describe("keyed soonify, the function and its name", () => {
  it.effect("a function that throws: the task dies with the throw", () =>
    Effect.gen(function* () {
      const exit = yield* TaskGroup.run(
        (group) =>
          Effect.flatMap(
            group.soonify(
              (): Effect.Effect<void> => {
                throw new Error("no connection")
              },
              { key: "db" }
            )(),
            (soon) => Effect.exit(soon.await)
          ),
        { mode: "settle" }
      )
      assert.strictEqual((defectOf(exit) as Error).message, "no connection")
    })
  )

  it.effect("a name function that gives no string: the spawn dies saying so, naming soonify", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        TaskGroup.run((group) =>
          group.soonify((id: number) => Effect.succeed(id), { key: "k", name: (() => 1) as any })(1)
        )
      )
      const defect = defectOf(exit)
      assert.isTrue(Cause.isIllegalArgumentError(defect))
      assert.strictEqual(
        (defect as Error).message,
        'TaskGroup.soonify: the "name" function must return a string, returned number 1'
      )
    })
  )
})
