// The seed programs (asyncer's soonify chapters), written with Effect and @soonify/core.
// Real time: each doWork sleeps a real second.
import { Clock, Console, Effect } from "effect"
import { PendingValue, TaskGroup } from "@soonify/core"

const doWork = (name: string) =>
  Effect.gen(function* () {
    yield* Effect.sleep("1 second")
    return `Hello, ${name}`
  })

const elapsedSince = (start: number) =>
  Effect.map(Clock.currentTimeMillis, (now) => `${((now - start) / 1000).toFixed(2)} s`)

/** Three doWork calls at once: about one second in all, not three. */
const concurrently = Effect.gen(function* () {
  yield* Console.log("1. Three doWork calls in one task group")
  const start = yield* Clock.currentTimeMillis
  const [a, b, c] = yield* TaskGroup.run((group) =>
    Effect.all([group.soonify(doWork)("Yury"), group.soonify(doWork)("Nathaniel"), group.soonify(doWork)("Alex")])
  )
  yield* Console.log(`   the group ended after ${yield* elapsedSince(start)}`)
  yield* Console.log("2. Return values, read after the group")
  for (const [label, soon] of [
    ["a", a],
    ["b", b],
    ["c", c]
  ] as const) {
    yield* Console.log(`   ${label}.value = ${JSON.stringify(yield* soon.value)}`)
  }
})

/** Reading a value inside the group, before its task ended: a typed PendingValue. */
const tooEarly = Effect.gen(function* () {
  yield* Console.log("3. Reading a value inside the group")
  const soon = yield* TaskGroup.run((group) =>
    Effect.gen(function* () {
      const inner = yield* group.soonify(doWork, { name: "doWork(Yury)" })("Yury")
      const early = yield* Effect.flip(inner.value)
      yield* Console.log(
        `   inside the group: ${early._tag} (instanceof PendingValue: ${early instanceof PendingValue})`
      )
      yield* Console.log(`   message: ${early.message}`)
      return inner
    })
  )
  yield* Console.log(`   after the group: ${yield* soon.value}`)
})

/** Checking `ready` after sleeping two seconds inside the group. */
const readyCheck = Effect.gen(function* () {
  yield* Console.log("4. Checking ready after a 2 s sleep inside the group")
  const start = yield* Clock.currentTimeMillis
  const values = yield* TaskGroup.run((group) =>
    Effect.gen(function* () {
      const first = yield* group.soonify(doWork)("Yury")
      yield* Effect.sleep("2 seconds")
      if (first.ready) yield* Console.log(`   preview, inside the group: ${yield* first.value}`)
      const second = yield* group.soonify(doWork)("Nathaniel")
      const third = yield* group.soonify(doWork)("Alex")
      return [first, second, third]
    })
  )
  const data = yield* Effect.forEach(values, (soon) => soon.value)
  yield* Console.log(`   after the group (${yield* elapsedSince(start)}): ${data.join(", ")}`)
})

export const coreDemo = Effect.gen(function* () {
  yield* Console.log("== @soonify/core (Effect) ==")
  yield* concurrently
  yield* tooEarly
  yield* readyCheck
})
