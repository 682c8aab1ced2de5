// The README's comparison with bare effect/workflow, measured: the same members, the
// same failure, once as children of a plain parent workflow (`Effect.all` of their
// `execute`, fail fast as Effect gives it) and once as a DurableGroup.
import { assert, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option, Schema } from "effect"
import { Workflow } from "effect/workflow"
import { DurableGroup } from "@soonify/cluster"
import { engineLayer, makeObserved, Work, WorkFailed, work } from "./durableGroupSupport.ts"

/** A plain parent workflow: its children run with `Effect.all`, which fails on the first failure. */
const Parent = Workflow.make("BareParent", {
  payload: { key: Schema.String },
  error: WorkFailed,
  idempotencyKey: ({ key }) => key
})
const ParentLive = Parent.toLayer(() =>
  Effect.all(
    [
      Work.execute(work("bare-slow-1", 2000)),
      Work.execute(work("bare-slow-2", 2000)),
      Work.execute(work("bare-bad", 50, true))
    ],
    {
      concurrency: "unbounded",
      discard: true
    }
  )
)

const status = (id: string) => Effect.flatMap(Work.executionId(work(id, 0)), (executionId) => Work.poll(executionId))

describe("sibling cancellation on a failure: bare effect/workflow vs DurableGroup (in-memory engine)", () => {
  it.live("bare: the parent fails with the typed error, but its sibling children run on to their end", () =>
    Effect.gen(function* () {
      const observed = makeObserved()
      yield* Effect.gen(function* () {
        const exit = yield* Effect.exit(Parent.execute({ key: "bare" }))
        assert(Exit.isFailure(exit))
        expect(exit.cause.reasons.filter(Cause.isFailReason).map((r) => r.error)).toEqual([
          new WorkFailed({ id: "bare-bad" })
        ])
        // the siblings were neither interrupted nor compensated: 0 of 2 cancelled
        expect(observed.workInterrupted).toEqual([])
        expect(observed.compensated).toEqual(["bare-bad"])
        const running = yield* status("bare-slow-1")
        expect(Option.isNone(running) || running.value._tag !== "Complete").toBe(true)
        // they outlive the failed parent and complete later, as if nothing had failed
        yield* Effect.sleep("2500 millis")
        for (const id of ["bare-slow-1", "bare-slow-2"]) {
          const later = yield* status(id)
          assert(Option.isSome(later) && later.value._tag === "Complete")
          expect(Exit.isSuccess(later.value.exit)).toBe(true)
        }
        expect(observed.workInterrupted).toEqual([])
      }).pipe(Effect.provide(ParentLive.pipe(Layer.provideMerge(engineLayer(observed)))))
    })
  )

  it.live("DurableGroup: the same failure interrupts both siblings and waits for their compensations", () =>
    Effect.gen(function* () {
      const observed = makeObserved()
      const exit = yield* Effect.exit(
        DurableGroup.run("compared", (group) =>
          Effect.all([
            group.spawn(Work)(work("dg-slow-1", 2000)),
            group.spawn(Work)(work("dg-slow-2", 2000)),
            group.spawn(Work)(work("dg-bad", 50, true))
          ]).pipe(Effect.flatMap((members) => Effect.forEach(members, (m) => m.await)))
        )
      ).pipe(Effect.provide(engineLayer(observed)))
      assert(Exit.isFailure(exit))
      expect(exit.cause.reasons.filter(Cause.isFailReason).map((r) => r.error)).toEqual([
        new WorkFailed({ id: "dg-bad" })
      ])
      expect(observed.workInterrupted.toSorted()).toEqual(["dg-slow-1", "dg-slow-2"])
      expect(observed.compensated.toSorted()).toEqual(["dg-bad", "dg-slow-1", "dg-slow-2"])
    })
  )
})
