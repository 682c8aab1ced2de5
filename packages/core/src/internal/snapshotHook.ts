import { installSnapshotHooks, installSnapshotJsonHook } from "@soonify/kernel"

// The snapshot hooks that `soonify ps | pstree | top <pid>` (@soonify/inspect) evaluates
// in a running process through its inspector: `Symbol.for("soonify.snapshot")` and
// `Symbol.for("soonify.snapshotJson")` on `globalThis`. They are @soonify/kernel's, over
// its process-wide registry, which core's groups are in (see registry.ts): one hook shows
// every package's groups in one tree. Another copy of soonify loaded beside this one
// without the registry adds its groups to the hook it finds. Core carries the JSON writer
// anyway, so it installs the serialised hook too (a Promise-only program need not).

/** Puts the hooks on `globalThis`, keeping a hook of another copy found there. */
export const installSnapshotHook = (): void => {
  installSnapshotHooks()
  installSnapshotJsonHook()
}
