// Run by mapMemory.test.ts in a fresh Node process with --expose-gc: `map` over an
// endless generator, 64 calls at once, each yielding once to the event loop; prints the
// heap after full collections once 1e5 and once 1e6 results have been read (DESIGN §10:
// memory stays flat over an endless input).
import { map } from "@soonify/interop"
import { settledHeap } from "../../../../test-setup/map-memory.ts"

const total = Number(process.argv[2] ?? 1_000_000)
const early = total / 10

const settle = settledHeap

function* naturals() {
  for (let n = 0; ; n++) yield n
}
const step = (n: number) => new Promise<number>((resolve) => setImmediate(resolve, n))

const heap: Record<string, number> = {}
let read = 0
for await (const n of map(naturals(), step, { concurrency: 64 })) {
  if (n !== read) throw new Error(`result ${read} was ${n}`)
  read++
  if (read === early) heap.early = await settle()
  if (read === total) {
    heap.late = await settle()
    break
  }
}
console.log(JSON.stringify({ read, ...heap }))
