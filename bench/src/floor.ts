/**
 * The floor: the least a structured group of Promise tasks with handles can cost in
 * plain JavaScript, as a reference for what "close to the limit" means for interop.
 *
 * Per task: one counter increment, one handle object and one `.then`. Per group: one
 * promise, and an `AbortController` made only when someone asks for the signal or a
 * task fails. The group's promise settles after its body and every task; the first
 * failure aborts the signal and rejects the group once everything has settled.
 *
 * It has none of interop's guarantees beyond these (no ambient cancellation, no
 * timeout, no concurrency limit, no AggregateError, no names): it is the price of
 * the shape, not a competitor.
 */

type Status = "pending" | "fulfilled" | "rejected"

/** A task's handle: `value` throws before the task ends, and the task's error if it failed. */
export class FloorHandle<A> {
  status: Status = "pending"
  result: A | undefined = undefined
  error: unknown = undefined

  get value(): A {
    if (this.status === "fulfilled") return this.result as A
    if (this.status === "rejected") throw this.error
    throw new Error("the task has not ended yet")
  }
}

export interface FloorGroup {
  /** Aborted once a task or the body fails. */
  readonly signal: AbortSignal
  readonly soonify: <Args extends ReadonlyArray<unknown>, A>(
    fn: (...args: Args) => PromiseLike<A>
  ) => (...args: Args) => FloorHandle<A>
}

/** Runs `body` with a group; settles after the body and every task spawned in it. */
export const floorGroup = <T>(body: (group: FloorGroup) => PromiseLike<T> | T): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    let pending = 1 // the body counts as one
    let controller: AbortController | undefined
    let failed = false
    let failure: unknown
    let outcome: T
    const abortSignal = (): AbortController => (controller ??= new AbortController())
    const fail = (error: unknown): void => {
      if (failed) return
      failed = true
      failure = error
      abortSignal().abort(error)
    }
    const settle = (): void => {
      if (--pending !== 0) return
      if (failed) reject(failure)
      else resolve(outcome)
    }
    const group: FloorGroup = {
      get signal() {
        return abortSignal().signal
      },
      soonify:
        <Args extends ReadonlyArray<unknown>, A>(fn: (...args: Args) => PromiseLike<A>) =>
        (...args: Args): FloorHandle<A> => {
          const handle = new FloorHandle<A>()
          pending++
          fn(...args).then(
            (value) => {
              handle.status = "fulfilled"
              handle.result = value
              settle()
            },
            (error: unknown) => {
              handle.status = "rejected"
              handle.error = error
              fail(error)
              settle()
            }
          )
          return handle
        }
    }
    let started: PromiseLike<T> | T
    try {
      started = body(group)
    } catch (error) {
      fail(error)
      settle()
      return
    }
    Promise.resolve(started).then(
      (value) => {
        outcome = value
        settle()
      },
      (error: unknown) => {
        fail(error)
        settle()
      }
    )
  })
