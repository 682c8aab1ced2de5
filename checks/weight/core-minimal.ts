// The minimal core program: one group, one task, its value read after the group.
import { TaskGroup } from "@soonify/core"
import { Effect } from "effect"

const program = Effect.gen(function* () {
  const soon = yield* TaskGroup.run((group) => group.spawn(Effect.succeed(21)))
  return yield* soon.value
})
console.log(await Effect.runPromise(program))
