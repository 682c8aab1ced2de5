/**
 * Object layouts that outlive a full garbage collection, kept in the registry for each
 * adapter.
 *
 * V8 gives every object a hidden class (a layout), one more for each field it gets, and
 * compiles the hot functions against those classes. A class is kept only while some
 * object has it: once every group, task and handle of a program has ended and a full
 * collection has run, the classes of the group path are gone, the code compiled against
 * them is thrown away, and the next burst of groups runs two to three times slower until
 * V8 has optimized it again. So each adapter runs one small group of its own, once per
 * process, and keeps what it gave back (an ended group and its handles, about 1 KB) for
 * the life of the process. The adapter writes that group (it is made of the adapter's own
 * objects); the kernel decides when it runs, runs it once, and keeps what it gave back:
 *
 * - at load, the adapter's module that can open a group gives its keeper
 *   ({@link setLayoutKeeper});
 * - where the adapter wants it run (interop: as its first group opens; core: once its
 *   first group has ended), it asks for it ({@link keepLayouts}), on every group: only
 *   the first ask runs it.
 *
 * The registry holds each adapter's entry, by the adapter's package name, so every copy
 * of the kernel in the process sees one entry per adapter: the first copy of an adapter
 * to give a keeper is the one whose layouts are kept (a second copy of the same adapter
 * only misses that speed-up).
 *
 * @since 0.1.0
 */
import { registry } from "./Registry.ts"

/**
 * Gives `adapter` its keeper: a function that runs one small group of the adapter's own
 * and gives back what keeps its layouts alive. A keeper given earlier (by another copy of
 * the adapter), or one already run, stays.
 *
 * **Example**
 *
 * ```ts
 * import { keepLayouts, keptLayouts, setLayoutKeeper } from "@soonify/kernel"
 *
 * setLayoutKeeper("example/setLayoutKeeper", () => ["an ended group"])
 * keepLayouts("example/setLayoutKeeper", "now")
 * keptLayouts("example/setLayoutKeeper") // => ["an ended group"]
 * ```
 *
 * @since 0.1.0
 * @category registry
 */
export const setLayoutKeeper = (adapter: string, keeper: () => unknown): void => {
  const all = (registry().layouts ??= new Map())
  if (!all.has(adapter)) all.set(adapter, { keeper, kept: undefined })
}

/**
 * Runs `adapter`'s keeper, once per process: `"now"`, inside this call, or `"soon"`, in
 * a microtask (so that the group that asked has finished its own ending). Later calls,
 * and calls made while the keeper runs (its group asks too), do nothing; so does a call
 * made before the adapter gave a keeper. A keeper that throws keeps nothing and is not
 * run again: it only ever makes later groups faster.
 *
 * **Example**
 *
 * ```ts
 * import { keepLayouts, keptLayouts, setLayoutKeeper } from "@soonify/kernel"
 *
 * let runs = 0
 * setLayoutKeeper("example/keepLayouts", () => ++runs)
 * keepLayouts("example/keepLayouts", "now")
 * keepLayouts("example/keepLayouts", "now")
 * runs // => 1
 * keptLayouts("example/keepLayouts") // => 1
 * ```
 *
 * @since 0.1.0
 * @category registry
 */
export const keepLayouts = (adapter: string, when: "now" | "soon"): void => {
  const entry = registry().layouts?.get(adapter)
  if (entry?.keeper === undefined) return
  const keeper = entry.keeper
  entry.keeper = undefined
  const run = (): void => {
    try {
      entry.kept = keeper()
    } catch {
      // Nothing is kept: the keeper only ever makes later groups faster.
    }
  }
  if (when === "now") run()
  else queueMicrotask(run)
}

/**
 * What `adapter`'s keeper gave back (`undefined` before it has run): for tests.
 *
 * **Example**
 *
 * ```ts
 * import { keptLayouts } from "@soonify/kernel"
 *
 * keptLayouts("example/nobody") // => undefined
 * ```
 *
 * @since 0.1.0
 * @category registry
 */
export const keptLayouts = (adapter: string): unknown => registry().layouts?.get(adapter)?.kept
