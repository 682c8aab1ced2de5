// How the rest of interop makes and reads SoonValues: a SoonValue keeps its core handle
// under a symbol the package does not export; task handles are made by `wrap`, which
// the class sets up itself (its constructor is protected: user code cannot call it).
import type { SoonValue as CoreSoonValue } from "@soonify/core"

export { coreOf, wrap } from "../SoonValue.ts"

/** A core handle: a task's SoonValue or a Future, with untyped errors (Promise code has no `E`). */
export type CoreHandle<A> = CoreSoonValue.SoonValue<A, unknown>
