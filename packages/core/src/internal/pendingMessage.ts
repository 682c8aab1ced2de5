// A `PendingValue` is raised by reading `value` too early, from a task's handle or from a
// Future. Its field is the name either way (`task`); what its message advises differs: a
// task ends by itself, a Future only once somebody completes it. The read records, here,
// that it read a Future.
const futureReads = new WeakSet<object>()

/** Records that `error` was raised by reading a Future's value; gives `error`. */
export const raisedByFuture = <E extends object>(error: E): E => {
  futureReads.add(error)
  return error
}

/** The message of a `PendingValue` for the handle named `name`. */
export const pendingMessage = (error: object, name: string): string =>
  futureReads.has(error)
    ? `The value of Future "${name}" is still pending: it was read before anything completed it. ` +
      "Complete it first (Future.succeed, Future.fail, Future.complete), check `future.ready`, " +
      "or use `yield* future.await` to wait for it."
    : `The value of task "${name}" is still pending: it was read before the task ended, ` +
      "most likely inside the TaskGroup.run block. Read it after the group has ended, " +
      "or use `yield* soon.await` to wait for it."
