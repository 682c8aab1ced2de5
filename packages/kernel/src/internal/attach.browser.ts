// The snapshot hook as a browser build has it (the `browser` condition of `#attach` in
// package.json): none. Only the `soonify` command reads it, attaching to a Node process
// through its inspector (DESIGN §11); in a page, `snapshotAll()` gives the same tree.
import type { GroupSnapshot } from "../Snapshot.ts"

/** Installs nothing: nothing attaches to a browser to read it. */
export const attachSnapshotHook = (_all: () => Array<GroupSnapshot>): void => {}
