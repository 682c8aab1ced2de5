// The member workflow of the DurableGroup tests: reserves (an activity with a
// compensation), then works for `ms` (a long activity), then fails or succeeds.
import { Effect, Layer, Schema } from "effect"
import { Activity, Workflow, WorkflowEngine } from "effect/workflow"
import { DurableGroup } from "@soonify/cluster"

export class WorkFailed extends Schema.TaggedError<WorkFailed>()("WorkFailed", { id: Schema.String }) {}

export const Work = Workflow.make("Work", {
  payload: { id: Schema.String, ms: Schema.Number, fail: Schema.Boolean },
  success: Schema.String,
  error: WorkFailed,
  idempotencyKey: ({ id }) => id
})

/** What the members did, seen from outside the engine. */
export interface Observed {
  /** How many times each member's "work" activity started. */
  readonly worked: Map<string, number>
  /** Members whose "work" activity saw its interruption. */
  readonly workInterrupted: Array<string>
  /** Members whose reservation was compensated, in order. */
  readonly compensated: Array<string>
  /** When each member's compensation ran (ms since the epoch). */
  readonly compensatedAt: Map<string, number>
}

export const makeObserved = (): Observed => ({
  worked: new Map(),
  workInterrupted: [],
  compensated: [],
  compensatedAt: new Map()
})

const WorkLive = (observed: Observed) =>
  Work.toLayer(({ id, ms, fail }) =>
    Effect.gen(function* () {
      yield* Activity.make({ name: "reserve", execute: Effect.void }).pipe(
        Workflow.withCompensation(() =>
          Effect.sleep("50 millis").pipe(
            Effect.andThen(
              Effect.sync(() => {
                observed.compensated.push(id)
                observed.compensatedAt.set(id, Date.now())
              })
            )
          )
        )
      )
      yield* Activity.make({
        name: "work",
        execute: Effect.sync(() => observed.worked.set(id, (observed.worked.get(id) ?? 0) + 1)).pipe(
          Effect.andThen(Effect.sleep(ms)),
          Effect.onInterrupt(() => Effect.sync(() => observed.workInterrupted.push(id)))
        )
      })
      if (fail) return yield* new WorkFailed({ id })
      return `done ${id}`
    })
  )

/** An engine (in memory) that serves `Work` and durable groups of it: what outlives callers. */
export const engineLayer = (observed: Observed) =>
  Layer.mergeAll(WorkLive(observed), DurableGroup.layer(Work)).pipe(Layer.provideMerge(WorkflowEngine.layerMemory))

export const work = (id: string, ms: number, fail = false) => ({ id, ms, fail })
