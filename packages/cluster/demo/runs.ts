// The record of the demo's activity runs, in PostgreSQL (multi-process mode): each run of
// the `render` activity is a row of the demo's own table, written by the runner that runs
// it, with PostgreSQL's clock; the engine's own tables (effect/cluster's SqlMessageStorage:
// `cluster_messages`, `cluster_replies`) say when it committed each activity's reply
// (`pg_xact_commit_timestamp`, with the server's `track_commit_timestamp` on). From both
// the demo measures what ran again after a runner was killed, and why.
import { Effect } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { RenderHooks } from "./render.ts"

/** Creates the table of runs (once, before the runners start). */
export const createRunsTable = (sql: SqlClient) =>
  sql`
    CREATE TABLE IF NOT EXISTS demo_activity_runs (
      id BIGSERIAL PRIMARY KEY,
      order_id INT NOT NULL,
      attempt INT NOT NULL,
      runner INT NOT NULL,
      started_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
      finished_at TIMESTAMPTZ
    )
  `.pipe(Effect.asVoid, Effect.orDie)

/**
 * The hooks of a runner process (`runner` is its port): a run is recorded (committed)
 * before its work starts, and marked finished once its work has ended, before the
 * engine saves its reply.
 */
export const recordingHooks = (sql: SqlClient, runner: number): RenderHooks => ({
  started: (order, attempt) =>
    sql<{ readonly id: string }>`
      INSERT INTO demo_activity_runs (order_id, attempt, runner) VALUES (${order}, ${attempt}, ${runner})
      RETURNING id
    `.pipe(
      Effect.map((rows) => Number(rows[0]!.id)),
      Effect.orDie
    ),
  finished: (_order, run) =>
    sql`UPDATE demo_activity_runs SET finished_at = clock_timestamp() WHERE id = ${run}`.pipe(
      Effect.asVoid,
      Effect.orDie
    )
})

/** PostgreSQL's clock now: the time of the kill, on the same clock as the runs and commits. */
export const databaseNow = (sql: SqlClient) =>
  sql<{ readonly now: Date }>`SELECT clock_timestamp() AS now`.pipe(
    Effect.map((rows) => new Date(rows[0]!.now)),
    Effect.orDie
  )

/** One run of an activity, with when the engine committed that activity's reply (if it did). */
interface Run {
  readonly order: number
  readonly attempt: number
  readonly runner: number
  readonly startedAt: Date
  readonly finishedAt: Date | null
  readonly committedAt: Date | null
}

/** Every run, joined with the commit of its activity's reply (same execution, same attempt). */
const readRuns = (sql: SqlClient) =>
  sql<{
    readonly order_id: number
    readonly attempt: number
    readonly runner: number
    readonly started_at: Date
    readonly finished_at: Date | null
    readonly committed_at: Date | null
  }>`
    WITH executions AS (
      SELECT entity_id, (payload::jsonb ->> 'order')::int AS order_id
      FROM cluster_messages
      WHERE entity_type = 'Workflow/Render' AND tag = 'run'
    ), replies AS (
      SELECT e.order_id, (m.payload::jsonb ->> 'attempt')::int AS attempt,
        min(pg_xact_commit_timestamp(r.xmin)) AS committed_at
      FROM cluster_messages m
      JOIN executions e ON e.entity_id = m.entity_id
      JOIN cluster_replies r ON r.request_id = m.id
      WHERE m.entity_type = 'Workflow/Render' AND m.tag = 'activity' AND r.kind = 0
      GROUP BY 1, 2
    )
    SELECT runs.order_id, runs.attempt, runs.runner, runs.started_at, runs.finished_at, replies.committed_at
    FROM demo_activity_runs runs
    LEFT JOIN replies ON replies.order_id = runs.order_id AND replies.attempt = runs.attempt
  `.pipe(
    Effect.map((rows) =>
      rows.map((row): Run => ({
        order: row.order_id,
        attempt: row.attempt,
        runner: row.runner,
        startedAt: new Date(row.started_at),
        finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
        committedAt: row.committed_at === null ? null : new Date(row.committed_at)
      }))
    ),
    Effect.orDie
  )

/** What the runs show about a runner killed at `killedAt`. */
export interface RunCounts {
  /** Runs of every activity, on every runner. */
  readonly runs: number
  /** Runs beyond each order's first. */
  readonly reRuns: number
  /** Of those, the ones whose previous run (same activity, same attempt) was on the killed runner. */
  readonly reRunsAfterKilled: number
  /**
   * The others: their previous run was on a runner still alive, which handed the shard
   * over (to a runner joining, or as the shards were spread again after the kill).
   */
  readonly reRunsAfterHandOver: number
  /** Orders whose activity has no committed reply. */
  readonly withoutReply: number
  /** Runs that started after their activity's reply was committed (at-least-once allows none). */
  readonly afterCommit: number
  /** Runs that started on the killed runner without a reply committed before the kill. */
  readonly killedUnsaved: number
  /** Of those, the ones still working at the kill. */
  readonly killedInFlight: number
  /** Of those, the ones whose work had finished but whose reply was not saved yet. */
  readonly killedFinishedUnsaved: number
}

/** Measures the runs of `orders` activities, around the kill of the runner `killed` at `killedAt`. */
export const countRuns = (sql: SqlClient, orders: number, killed: number, killedAt: Date) =>
  Effect.map(readRuns(sql), (runs): RunCounts => {
    const byOrder = new Set(runs.map((run) => run.order))
    const committed = new Map<number, Date>()
    for (const run of runs) if (run.committedAt !== null) committed.set(run.order, run.committedAt)
    const killedUnsaved = runs.filter(
      (run) => run.runner === killed && (run.committedAt === null || run.committedAt > killedAt)
    )
    const previousRunner = new Map<string, number>()
    let reRunsAfterKilled = 0
    let reRunsAfterHandOver = 0
    for (const run of runs.toSorted((a, b) => a.startedAt.getTime() - b.startedAt.getTime())) {
      const activity = `${run.order}/${run.attempt}`
      const previous = previousRunner.get(activity)
      if (previous === killed) reRunsAfterKilled++
      else if (previous !== undefined) reRunsAfterHandOver++
      previousRunner.set(activity, run.runner)
    }
    return {
      runs: runs.length,
      reRuns: runs.length - byOrder.size,
      reRunsAfterKilled,
      reRunsAfterHandOver,
      withoutReply: orders - committed.size,
      afterCommit: runs.filter((run) => run.committedAt !== null && run.startedAt > run.committedAt).length,
      killedUnsaved: killedUnsaved.length,
      killedInFlight: killedUnsaved.filter((run) => run.finishedAt === null || run.finishedAt > killedAt).length,
      killedFinishedUnsaved: killedUnsaved.filter((run) => run.finishedAt !== null && run.finishedAt <= killedAt).length
    }
  })

/**
 * Waits until `runners` runner processes together hold all `shards` shards (their
 * advisory locks in PostgreSQL, `objsubid = 2` as effect/cluster's SqlRunnerStorage
 * takes them), each its share, unchanged over two looks 500 ms apart.
 * A runner that joins while another holds its shards makes that one hand them over, with
 * whatever activities they had in flight (which then run again): the demo starts its
 * group only once the cluster has settled, so that the only hand-over is the kill's.
 */
export const waitForSettledShards = (sql: SqlClient, runners: number, shards: number) => {
  const look = sql<{ readonly pid: number; readonly held: string }>`
    SELECT pid, count(*) AS held FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND objsubid = 2
    GROUP BY pid ORDER BY pid
  `.pipe(
    Effect.map((rows) => rows.map((row) => `${row.pid}:${row.held}`).join(",")),
    Effect.orDie
  )
  const held = (looked: string) => looked.split(",").reduce((sum, entry) => sum + Number(entry.split(":")[1]), 0)
  const loop = (previous: string): Effect.Effect<void> =>
    Effect.flatMap(Effect.andThen(Effect.sleep("500 millis"), look), (current) =>
      current === previous && current.split(",").length === runners && held(current) === shards
        ? Effect.void
        : loop(current)
    )
  return Effect.flatMap(look, loop).pipe(
    Effect.timeoutOrElse({
      duration: "30 seconds",
      orElse: () => Effect.die(`the ${runners} runners did not settle their shards within 30 s`)
    })
  )
}
