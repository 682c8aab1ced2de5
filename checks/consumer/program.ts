// A user's first program, run from the published tarballs installed with npm into a
// scratch project (see ../src/packages.ts): compiled by TypeScript 5.9 and run on every
// supported Node. The type annotations are checks too: a wrong published type fails tsc.
import assert from "node:assert/strict"
import { TaskGroup } from "@soonify/core"
import { createTaskGroup, gather, type SoonValue, taskGroup, TimeoutError } from "@soonify/interop"
import { Effect } from "effect"

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener("abort", () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })

// core: a group of effects, every value read after the group.
const fromCore: [number, string] = await Effect.runPromise(
  Effect.gen(function* () {
    const [a, b] = yield* TaskGroup.run((group) =>
      Effect.all([group.spawn(Effect.succeed(1)), group.soonify((n: number) => Effect.succeed(`n=${n}`))(2)])
    )
    return [yield* a.value, yield* b.value] as [number, string]
  })
)
assert.deepEqual(fromCore, [1, "n=2"])

// interop: concurrency bounds what runs at once.
let running = 0
let most = 0
const work = async (n: number): Promise<number> => {
  running++
  most = Math.max(most, running)
  await sleep(5)
  running--
  return n * 10
}
const handles: Array<SoonValue<number>> = await taskGroup(
  async (tg) => [1, 2, 3, 4, 5].map((n) => tg.soonify(work)(n)),
  {
    concurrency: 2
  }
)
assert.deepEqual(
  handles.map((soon) => soon.value),
  [10, 20, 30, 40, 50]
)
assert.equal(most, 2)

// interop: a timeout cancels the task through its signal.
let aborted = false
await assert.rejects(
  taskGroup(
    async (tg) => {
      tg.spawn(async (signal) => {
        signal.addEventListener("abort", () => (aborted = true))
        await sleep(10_000, signal)
      })
    },
    { timeout: 20 }
  ),
  TimeoutError
)
assert.equal(aborted, true)

// interop: gather keeps tuple types; returnExceptions puts the error in its slot.
const boom = new Error("boom")
const [one, text, failed]: [number | Error, string | Error, boolean | Error] = await gather(
  [Promise.resolve(1), async () => "two", async (): Promise<boolean> => Promise.reject(boom)],
  { returnExceptions: true }
)
assert.deepEqual([one, text, failed], [1, "two", boom])

// interop: `await using` (downlevelled by TypeScript where Node lacks it) ends the group.
let later: SoonValue<string>
{
  await using tg = createTaskGroup()
  later = tg.soonify(async () => {
    await sleep(5)
    return "done"
  })()
}
assert.equal(later.value, "done")

console.log(`consumer program ok on Node ${process.versions.node}`)
