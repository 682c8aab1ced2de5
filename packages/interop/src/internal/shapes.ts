// Hidden classes that outlive a full garbage collection.
//
// V8 gives every object a hidden class (a "map"), one more for each field it gets, and
// compiles the hot functions against those classes (a field it has only seen written
// once is taken as a constant, the class of what a field holds is assumed). A class is
// kept only while some object has it: once a burst of groups has ended and a full
// collection has run, the classes of a task record, a group, its context and its
// scheduler are gone, the code compiled against them is thrown away, and the next burst
// builds the classes again and deoptimizes every function once more as each field is
// written a second time. Task records have about 25 fields, so that costs more than the
// tasks themselves: measured with `pnpm bench`'s protocol (a full collection before each
// run; instructions counted under valgrind for 10,000 tasks that yield once), a task
// cost 20,975 instructions in `gather` and 31,163 with `concurrency: 64`, and 12,234 and
// 17,707 with one group's objects kept (Promise.all: 10,521).
//
// So interop runs one small group when it loads (a `soonify`'d call under a
// `concurrency`, which ends at once) and keeps what it gave back for the life of the
// process: one ended handle (about 1 KB with its group), which keeps those classes,
// with their fields already known to change, alive.

/** What the load-time group gave back, kept so that the classes of its objects stay alive. */
export const kept: Array<unknown> = []

/** Keeps `value` (and every object it reaches) alive for the life of the process. */
export const keepShapes = (value: unknown): void => {
  kept.push(value)
}
