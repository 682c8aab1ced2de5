// `tg.spawn` and `tg.soonify` with `key` or `retry` (DESIGN §6): the core options for one
// spawn. group.ts comes here only when one of them is given.
import type { TaskGroup as CoreTaskGroup } from "@soonify/core"
import type { TaskKey } from "../TaskGroup.ts"
import { checkKey } from "./keys.ts"
import { retryPolicyOf } from "./retry.ts"

/** Whether task options ask for `key` or `retry`. */
export const hasCapabilities = (options: { readonly key?: unknown; readonly retry?: unknown } | undefined): boolean =>
  options !== undefined && (options.key !== undefined || options.retry !== undefined)

/** Checks `key` (a key, or for `soonify` a key function) and reads `retry`; throws for a bad one. */
export const capabilitiesOf = (
  where: string,
  options: { readonly key?: unknown; readonly retry?: unknown },
  functionKey: "function allowed" | "key only"
): { readonly retry: CoreTaskGroup.RetryPolicy<unknown> | undefined } => {
  checkKey(where, options.key, functionKey)
  return { retry: options.retry === undefined ? undefined : retryPolicyOf(where, options.retry) }
}

/** The core options of one spawn. */
export const coreOptions = (
  task: CoreTaskGroup.TaskOptions,
  key: TaskKey | undefined,
  retry: CoreTaskGroup.RetryPolicy<unknown> | undefined
): CoreTaskGroup.SpawnOptions => {
  const options: { name?: string; key?: TaskKey; retry?: CoreTaskGroup.RetryPolicy<unknown> } = {}
  if (task.name !== undefined) options.name = task.name
  if (key !== undefined) options.key = key
  if (retry !== undefined) options.retry = retry
  return options
}
