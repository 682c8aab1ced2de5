// The link between interop's SoonValue (a class whose core handle is a private field)
// and the rest of interop: SoonValue.ts hands these two functions over when it loads.
import type { SoonValue as CoreSoonValue } from "@soonify/core"
import type { SoonValue } from "../SoonValue.ts"

/** A core handle: a task's SoonValue or a Future, with untyped errors (Promise code has no `E`). */
export type CoreHandle<A> = CoreSoonValue.SoonValue<A, unknown>

interface Access {
  readonly coreOf: <A>(soon: SoonValue<A>) => CoreHandle<A>
  readonly wrap: <A>(handle: CoreHandle<A>) => SoonValue<A>
}

let access: Access | undefined

/** @internal Called once, by SoonValue.ts. */
export const provideAccess = (provided: Access): void => {
  access = provided
}

/** The core handle behind an interop SoonValue (or Future). */
export const coreOf = <A>(soon: SoonValue<A>): CoreHandle<A> => access!.coreOf(soon)

/** An interop SoonValue reading a core handle. */
export const wrap = <A>(handle: CoreHandle<A>): SoonValue<A> => access!.wrap(handle)
