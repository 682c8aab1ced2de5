// The demo's durable group: parcels delivered by a group that is itself a workflow
// execution, so that it survives its caller's death. Shared by the in-memory mode and
// the caller processes of the multi-process mode (`demo/group-caller.ts`).
import { Effect } from "effect"
import { DurableGroup } from "@soonify/cluster"
import { Deliver } from "./render.ts"

export const parcels = Number(process.env.PARCELS ?? 12)

/**
 * The group's body: spawns one member per parcel, one every 100 ms (`onSpawned` hears
 * of each), then waits for every result, in order.
 */
export const deliverAll = (onSpawned: (parcel: number) => void) => (group: DurableGroup.DurableGroup) =>
  Effect.gen(function* () {
    const members = []
    for (let parcel = 0; parcel < parcels; parcel++) {
      members.push(yield* group.spawn(Deliver)({ parcel }))
      onSpawned(parcel)
      yield* Effect.sleep("100 millis")
    }
    return yield* Effect.forEach(members, (member) => member.await)
  })
