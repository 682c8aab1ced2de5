import type { GroupSnapshot } from "../TaskGroup.ts"
import { jsonText } from "./jsonText.ts"
import { snapshotAll } from "./snapshot.ts"

// The snapshot hook that `soonify ps | pstree | top <pid>` (@soonify/inspect) evaluates
// in a running process through its inspector: one function on `globalThis`, under a
// registered symbol so that any copy of soonify finds it. Nothing calls it but an attach,
// so with nothing attached it costs nothing. Groups of @soonify/interop are groups of
// this registry, so one hook shows both packages' groups in one tree. Another copy of
// the package loaded beside this one (two versions in one program) adds its own groups
// to the hook it finds.
//
// Beside it, a second function gives the hook's result already as JSON text, written
// without recursion: `JSON.stringify` in the attach overflowed the stack on groups
// nested about 2,000 deep, and groups run 10,000 deep. It calls whatever hook is on
// `globalThis` when it is called, so it shows every copy's groups whichever copy put it
// there.

/** The key of the hook on `globalThis`: `Symbol.for("soonify.snapshot")`. */
export const snapshotHookKey: unique symbol = Symbol.for("soonify.snapshot") as never

/** What the hook gives: every open root group of the process, as `snapshotAll` does. */
export type SnapshotHook = () => Array<GroupSnapshot>

/** The key of the serialised hook on `globalThis`: `Symbol.for("soonify.snapshotJson")`. */
export const snapshotJsonHookKey: unique symbol = Symbol.for("soonify.snapshotJson") as never

/** What the serialised hook gives: the hook's result as JSON text, at any depth. */
export type SnapshotJsonHook = () => string

const installed = new WeakSet<SnapshotHook>()

/** Puts the hook on `globalThis` (once per copy of the package), keeping one found there. */
export const installSnapshotHook = (): void => {
  const global = globalThis as { [snapshotHookKey]?: unknown; [snapshotJsonHookKey]?: unknown }
  if (typeof global[snapshotJsonHookKey] !== "function") {
    const serialised: SnapshotJsonHook = () => {
      const hook = global[snapshotHookKey]
      return jsonText(typeof hook === "function" ? (hook as SnapshotHook)() : snapshotAll())
    }
    Object.defineProperty(globalThis, snapshotJsonHookKey, { value: serialised, configurable: true, writable: true })
  }
  const found = global[snapshotHookKey]
  if (typeof found === "function" && installed.has(found as SnapshotHook)) return
  const hook: SnapshotHook =
    typeof found === "function" ? () => [...(found as SnapshotHook)(), ...snapshotAll()] : snapshotAll
  installed.add(hook)
  Object.defineProperty(globalThis, snapshotHookKey, { value: hook, configurable: true, writable: true })
}
