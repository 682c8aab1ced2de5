// The member workflow of `DurableGroup.pg.test.ts`, served by its runner processes:
// reserves (an activity with a compensation), then works for `ms` (a long activity
// that fails with `WorkFailed` when `fail` is set). It reports what it does on stdout.
import { Effect, Schema } from "effect"
import { Activity, Workflow } from "effect/workflow"

export class WorkFailed extends Schema.TaggedError<WorkFailed>()("WorkFailed", { id: Schema.String }) {}

export const Work = Workflow.make("PgWork", {
  payload: { id: Schema.String, ms: Schema.Number, fail: Schema.Boolean },
  success: Schema.String,
  error: WorkFailed,
  idempotencyKey: ({ id }) => id
})

export const work = (id: string, ms: number, fail = false) => ({ id, ms, fail })

/** The members of the group every caller process of the test runs, in order. */
export const members = [work("pg-1", 60_000), work("pg-2", 60_000), work("pg-bad", 1500, true)]

/** Serves `Work`, reporting `worked <id>`, `failing <id> <ms>`, `workInterrupted <id>`, `compensated <id> <ms>`. */
export const workLayer = (report: (line: string) => void) =>
  Work.toLayer(({ id, ms, fail }) =>
    Effect.gen(function* () {
      yield* Activity.make({ name: "reserve", execute: Effect.void }).pipe(
        Workflow.withCompensation(() => Effect.sync(() => report(`compensated ${id} ${Date.now()}`)))
      )
      yield* Activity.make({
        name: "work",
        error: WorkFailed,
        execute: Effect.sync(() => report(`worked ${id}`)).pipe(
          Effect.andThen(Effect.sleep(ms)),
          Effect.onInterrupt(() => Effect.sync(() => report(`workInterrupted ${id}`))),
          Effect.andThen(
            fail
              ? Effect.andThen(
                  Effect.sync(() => report(`failing ${id} ${Date.now()}`)),
                  Effect.fail(new WorkFailed({ id }))
                )
              : Effect.void
          )
        )
      })
      return `done ${id}`
    })
  )
