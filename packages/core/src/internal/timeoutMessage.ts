// What a `TaskGroupTimeout`'s message says depends on where the time ran out: a group
// (named by the user, or by the function that made it), a gather, or one late slot of a
// gather that keeps partial results. The error's fields stay `group` and `timeout`; the
// function that raises it records where, for the message alone, on the error itself: a
// field under a symbol of this module, not enumerable, so that the error's own fields,
// its equality and how it prints stay `group` and `timeout`.
import * as Duration from "effect/Duration"
import { defaultGroupName } from "./settings.ts"

/** Where a timeout ran out: the function whose `timeout` it was, and whether it is a late gather slot's. */
export interface TimeoutSite {
  readonly where:
    | "TaskGroup.run"
    | "TaskGroup.make"
    | "TaskGroup.layer"
    | "TaskGroup.makeUnsafe"
    | "TaskGroup.gather"
    | "TaskGroup.map"
    | "SoonValue.asCompleted"
  /** A slot of `gather(…, { timeout, returnExceptions: true })` that had not ended at the deadline. */
  readonly lateSlot: boolean
}

/** The key of the hidden field where an error records its site. */
const siteKey = Symbol("soonify.timeoutSite")

/** Records where `error` was raised, on `error`; gives `error`. */
export const raisedAt = <E extends object>(error: E, site: TimeoutSite): E =>
  Object.defineProperty(error, siteKey, { value: site })

/** The message of a `TaskGroupTimeout` of `group` after `timeout`, raised at `error`'s site. */
export const timeoutMessage = (error: object, group: string, timeout: Duration.Duration): string => {
  const after = Duration.format(timeout)
  const site = (error as { readonly [siteKey]?: TimeoutSite })[siteKey]
  if (site?.where === "TaskGroup.gather") {
    return site.lateSlot
      ? `TaskGroup.gather timed out after ${after} before this effect ended: it was interrupted at the deadline. ` +
          "The effects that ended in time keep their outcomes in their slots."
      : `TaskGroup.gather timed out after ${after}: the effects still running were interrupted and have ended. ` +
          "Give it a longer `timeout`, or pass `returnExceptions: true` as well to keep what ended in time."
  }
  // A group the user named is called by its name; one they did not, by the function that made it.
  const subject =
    group !== defaultGroupName || site === undefined ? `Task group "${group}"` : `The group of ${site.where}`
  return (
    `${subject} timed out after ${after}: the tasks still running were interrupted and have ended. ` +
    "Give it a longer `timeout`, or run the tasks with `TaskGroup.gather(effects, { timeout, returnExceptions: true })` " +
    "to keep what ended in time."
  )
}
