// Hidden classes that outlive a full garbage collection.
//
// V8 gives every object a hidden class (a "map"), one more for each field it gets, and
// compiles the hot functions against those classes (a field it has only seen written
// once is taken as a constant, the class of what a field holds is assumed). A class is
// kept only while some object has it: once a burst of groups has ended and a full
// collection has run, the classes of a task record, a group, its context and its
// scheduler are gone, the code compiled against them is thrown away, and the next burst
// builds the classes again and deoptimizes every function once more as each field is
// written a second time. A task record has about 20 fields, so that cost more than the
// tasks themselves. Measured with `pnpm bench`'s protocol (a full collection before each
// run), as instructions counted under valgrind per task, 10,000 tasks that yield once:
// `gather` 20,975 → 12,843, `taskGroup` + `soonify` 22,931 → 15,473, with `concurrency:
// 64` 31,163 → 17,735 (`Promise.all`: 10,521).
//
// So the first group a process opens first runs one small group of its own (a
// `soonify`'d async call under a `concurrency`), and keeps what it gave back for the life
// of the process: one ended handle with its group (about 1 KB), which keeps those
// classes, with their fields already known to change, alive. It runs under a task of
// its own that no group holds, so no snapshot shows it and no signal of the caller's
// reaches it; it ends a microtask later. At the first group rather than at load:
// compiling that path at load made the import 5 ms slower, and a program that imports
// interop and opens no group pays nothing.
//
// The kernel runs it and keeps what it gave back, in the registry (packages/kernel/src/Layouts.ts,
// the same mechanism as core's kept layouts): TaskGroup.ts, which can open a group, gives
// the keeper at load (`keepShapesWith`); each group that opens asks for it (`keepShapes`),
// and only the first ask runs it.
import { keepLayouts, setLayoutKeeper, Task } from "@soonify/kernel"
import { runIn } from "#ambient"

/** The name interop's entries in the kernel's registry go by. */
const interopAdapter = "@soonify/interop"

/** Runs `run()` under a task no group holds: what it opens is in no snapshot, and never cancelled. */
const unseen = (run: () => unknown): unknown =>
  runIn({ signal: new AbortController().signal, task: new Task(undefined) }, run, undefined)

/** Gives the small group (called by TaskGroup.ts, which has `taskGroup`, at load). */
export const keepShapesWith = (run: () => unknown): void => setLayoutKeeper(interopAdapter, () => unseen(run))

/** Runs the small group, once per process: called as a group opens (see the header). */
export const keepShapes = (): void => keepLayouts(interopAdapter, "now")
