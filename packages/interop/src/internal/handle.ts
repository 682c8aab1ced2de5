// How the rest of interop makes and reads SoonValues: a SoonValue keeps its core handle
// under a symbol the package does not export, and its constructor is protected, so the
// handles of tasks are made by a subclass that lives here.
import type { SoonValue as CoreSoonValue } from "@soonify/core"
import { coreHandle, SoonValue as PublicSoonValue } from "../SoonValue.ts"

/** A core handle: a task's SoonValue or a Future, with untyped errors (Promise code has no `E`). */
export type CoreHandle<A> = CoreSoonValue.SoonValue<A, unknown>

// Named like its base so that it prints as one (`SoonValue(task-1: fulfilled)`).
class SoonValue<A> extends PublicSoonValue<A> {
  // Not useless: it makes the base's protected constructor callable here.
  // oxlint-disable-next-line no-useless-constructor
  constructor(handle: CoreHandle<A>) {
    super(handle)
  }
}

/** The core handle behind an interop SoonValue (or Future). */
export const coreOf = <A>(soon: PublicSoonValue<A>): CoreHandle<A> => soon[coreHandle] as CoreHandle<A>

/** An interop SoonValue reading a core handle. */
export const wrap = <A>(handle: CoreHandle<A>): PublicSoonValue<A> => new SoonValue(handle)
