import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Stream from "effect/Stream"
import type { SoonValue } from "../SoonValue.ts"
import { type HandleBase, isHandle } from "./handle.ts"
import { describe, illegalArgument, isIterable } from "./validation.ts"

/** Reads an iterable of handles into an array, or gives the message of the problem. */
export const handlesFrom = <H>(where: string, handles: unknown): Array<H & HandleBase<unknown, unknown>> | string => {
  if (!isIterable(handles) || typeof handles === "string") {
    return `${where}: expected an iterable of SoonValues, received ${describe(handles)}`
  }
  const array = Array.from(handles)
  for (let i = 0; i < array.length; i++) {
    if (!isHandle(array[i])) {
      return `${where}: element ${i} is not a SoonValue (or Future), received ${describe(array[i])}`
    }
  }
  return array as Array<H & HandleBase<unknown, unknown>>
}

/** @internal */
export const waitAny = <H extends SoonValue<any, any>>(handles: Iterable<H>): Effect.Effect<H> =>
  Effect.suspend(() => {
    const array = handlesFrom<H>("SoonValue.waitAny", handles)
    if (typeof array === "string") return Effect.die(illegalArgument(array))
    if (array.length === 0) {
      return Effect.die(
        illegalArgument("SoonValue.waitAny: needs at least one handle to wait for, received an empty iterable")
      )
    }
    const ended = array.find((handle) => handle.ready)
    if (ended !== undefined) return Effect.succeed(ended)
    return Effect.raceAllFirst(array.map((handle) => Effect.as(endOf(handle), handle)))
  })

/** Waits until a handle has ended, without reading its outcome (see `HandleBase.whenEnded`). */
const endOf = (handle: SoonValue<any, any>): Effect.Effect<void> =>
  (handle as unknown as HandleBase<any, any>).whenEnded

/** @internal */
export const waitAll = (handles: Iterable<SoonValue<any, any>>): Effect.Effect<void> =>
  Effect.suspend(() => {
    const array = handlesFrom("SoonValue.waitAll", handles)
    if (typeof array === "string") return Effect.die(illegalArgument(array))
    return Effect.forEach(array, endOf, { discard: true })
  })

/** @internal */
export const asCompleted = <H extends SoonValue<any, any>>(handles: Iterable<H>): Stream.Stream<H> =>
  Stream.unwrap(
    Effect.sync(() => {
      const array = handlesFrom<H>("SoonValue.asCompleted", handles)
      if (typeof array === "string") return Stream.die(illegalArgument(array))
      if (array.length === 0) return Stream.empty
      return Stream.callback<H>((queue) =>
        Effect.gen(function* () {
          let remaining = array.length
          const arrived = (handle: H) =>
            Effect.flatMap(Queue.offer(queue, handle), () => (--remaining === 0 ? Queue.end(queue) : Effect.void))
          // Handles that have ended come first, in input order; each other one is
          // watched by a fiber of the stream's own scope, so a consumer that stops early
          // interrupts only these watchers, never the tasks.
          for (const handle of array) {
            if (handle.ready) yield* arrived(handle)
            else yield* Effect.forkScoped(Effect.andThen(endOf(handle), arrived(handle)))
          }
        })
      )
    })
  )
