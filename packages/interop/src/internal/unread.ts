// Failures nobody read (DESIGN §3, "Long-lived groups lose nothing"): in a settle group
// without `onTaskError`, a task's failure stays in its handle, and a handle dropped
// unread would lose it. Each such handle is registered here when its task fails (never
// on the success path), as the kernel routes the failure to the handle (see group.ts), and
// unregistered when somebody reads the failure (`value`, `exception`, `wait()`, or a
// `gather` / `asCompleted` given the handle). When a registered handle is garbage-
// collected, its task's own error becomes an unhandled rejection, which Node prints
// (and, by default, exits on): asyncio's "Task exception was never retrieved".
//
// The token is the task's SoonValue, which nothing but the user holds once the task has
// ended (its group lets go of the task then).

/** What is reported: the task's error (its stack formatted already: see promiseTask.ts). */
interface Unread {
  readonly error: unknown
}

const registry = new FinalizationRegistry<Unread>((unread) => {
  void Promise.reject(unread.error)
})

/** Watches a failed task's handle: its error is reported if the handle is collected unread. */
export const watchUnread = (handle: object, error: unknown): void => {
  registry.register(handle, { error }, handle)
}

/** Marks a failed task's failure as read: it is reported no more. */
export const failureRead = (handle: object): void => {
  registry.unregister(handle)
}
