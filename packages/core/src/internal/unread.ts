import type * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { HandleBase } from "./handle.ts"

// Failures nobody read (DESIGN §3, "Long-lived groups lose nothing"): in a settle group
// without `onTaskError`, a task's failure stays in its handle, and a handle dropped
// unread would lose it. Each such handle is registered here when its task fails (never
// on the success path: a task that succeeds, or a failure read before its task ended,
// costs nothing), and unregistered when somebody reads the failure (`value`, `await`,
// `poll`, `SoonValue.pollUnsafe`). When a registered handle is garbage-collected, its
// failure is logged at Error level with the task's Cause.
//
// A FinalizationRegistry callback runs outside any fiber: the log runs in a fiber of its
// own, forked with the context of the fiber that opened the group (the one that called
// `run` or `make`; Effect's defaults for `makeUnsafe`), so it goes through that
// runtime's loggers and minimum log level, as a log from the group's opener would.

/** What is logged for a failure nobody read; holds nothing of the handle, so that it can be collected. */
interface Unread {
  readonly cause: Cause.Cause<unknown>
  readonly task: string
  readonly group: string
  readonly context: Context.Context<never>
}

/** The message of the log of an unread failure. */
export const unreadMessage = (task: string, group: string): string =>
  `TaskGroup: task "${task}" of group "${group}" failed, and nobody read its failure before its handle ` +
  "was garbage-collected. In a settle group, read each handle (soon.value, soon.await, soon.poll) " +
  "or give the group an onTaskError option to handle failures as they happen."

const report = (unread: Unread): void => {
  Effect.runForkWith(unread.context)(Effect.logError(unreadMessage(unread.task, unread.group), unread.cause))
}

const registry = new FinalizationRegistry<Unread>(report)

/** Marks a failed handle's failure as read: it is reported no more. */
export const failureRead = (handle: HandleBase<any, any>): void => {
  if (handle.unread === "watched") registry.unregister(handle)
  handle.unread = "read"
}

/** Watches a failed task's handle, unless its failure was read already (somebody awaited it). */
export const watchUnread = (
  handle: HandleBase<any, any>,
  cause: Cause.Cause<unknown>,
  group: string,
  context: Context.Context<never>
): void => {
  if (handle.unread === "read") return
  handle.unread = "watched"
  registry.register(handle, { cause, task: handle.name, group, context }, handle)
}
