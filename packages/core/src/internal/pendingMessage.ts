// A `PendingValue` is raised by reading `value` too early, from a task's handle or from a
// Future. Its field is the name either way (`task`); what its message advises differs: a
// task ends by itself, a Future only once somebody completes it. The read records that it
// read a Future on the error itself: a field under a symbol of this module, not
// enumerable, so that the error's own fields, its equality and how it prints stay `task`.
const futureKey = Symbol("soonify.readFuture")

/** Records, on `error`, that it was raised by reading a Future's value; gives `error`. */
export const raisedByFuture = <E extends object>(error: E): E =>
  Object.defineProperty(error, futureKey, { value: true })

/** The message of a `PendingValue` for the handle named `name`. */
export const pendingMessage = (error: object, name: string): string =>
  (error as { readonly [futureKey]?: boolean })[futureKey] === true
    ? `The value of Future "${name}" is still pending: it was read before anything completed it. ` +
      "Complete it first (Future.succeed, Future.fail, Future.complete), check `future.ready`, " +
      "or use `yield* future.await` to wait for it."
    : `The value of task "${name}" is still pending: it was read before the task ended, ` +
      "most likely inside the TaskGroup.run block. Read it after the group has ended, " +
      "or use `yield* soon.await` to wait for it."
