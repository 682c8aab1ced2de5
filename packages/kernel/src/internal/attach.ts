// The snapshot hook `soonify ps | pstree | top` reads (DESIGN §11): evaluated on
// `globalThis` through the inspector of a Node process that loaded soonify. A browser
// build takes `attach.browser.ts` instead (the `browser` condition of `#attach` in
// package.json): nothing attaches to a browser that way.
import type { GroupSnapshot } from "../Snapshot.ts"

const snapshotHookKey = Symbol.for("soonify.snapshot")

/** Marks the hooks this kernel installed, so that installing again keeps them. */
const installedMark = Symbol.for("soonify.registryHook")

/**
 * Puts the hook on `globalThis` under `Symbol.for("soonify.snapshot")`, giving `all()`: a
 * hook put there by a copy of soonify without this registry is kept (its groups come
 * first), and one this kernel installed stays as it is.
 */
export const attachSnapshotHook = (all: () => Array<GroupSnapshot>): void => {
  const found = (globalThis as { [snapshotHookKey]?: unknown })[snapshotHookKey] as
    (() => Array<GroupSnapshot>) | undefined
  if (typeof found === "function" && (found as { [installedMark]?: boolean })[installedMark] === true) return
  const hook: (() => Array<GroupSnapshot>) & { [installedMark]?: boolean } =
    typeof found === "function" ? () => [...found(), ...all()] : () => all()
  hook[installedMark] = true
  Object.defineProperty(globalThis, snapshotHookKey, { value: hook, configurable: true, writable: true })
}
