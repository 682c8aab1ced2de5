// Run by mapMemory.test.ts in a fresh Node process with --expose-gc: `TaskGroup.map`
// over an endless generator, 64 calls at once, each yielding once; prints the heap after
// full collections once 1e5 and once 1e6 results have been read (DESIGN §10: memory
// stays flat over an endless input).
import { TaskGroup } from "@soonify/core"
import { Effect, Stream } from "effect"
import { settledHeap } from "../../../../test-setup/map-memory.ts"

const total = Number(process.argv[2] ?? 1_000_000)
const early = total / 10

const settle = Effect.promise(settledHeap)

function* naturals() {
  for (let n = 0; ; n++) yield n
}

const heap: Record<string, number> = {}
let read = 0
await Effect.runPromise(
  TaskGroup.map(naturals(), (n) => Effect.as(Effect.yieldNow, n), { concurrency: 64 }).pipe(
    Stream.take(total),
    Stream.runForEach((n) =>
      Effect.suspend(() => {
        if (n !== read) return Effect.die(new Error(`result ${read} was ${n}`))
        read++
        if (read === early) return Effect.map(settle, (used) => void (heap.early = used))
        if (read === total) return Effect.map(settle, (used) => void (heap.late = used))
        return Effect.void
      })
    )
  )
)
console.log(JSON.stringify({ read, ...heap }))
