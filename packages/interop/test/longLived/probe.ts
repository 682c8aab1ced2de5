// A long-lived createTaskGroup running tasks one after another: run by
// longLived.test.ts in a fresh Node process with --expose-gc.
//
//   node --expose-gc --conditions=@soonify/source probe.ts TASKS
//
// Prints one JSON line: the heap (after full collections) once the first tenth of the
// tasks has run, and once all have.
import { createTaskGroup } from "@soonify/interop"

declare const gc: () => void

const tasks = Number(process.argv[2] ?? 10_000)

const heap = () => {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

const tg = createTaskGroup()
const run = async (from: number, to: number) => {
  for (let i = from; i < to; i++) {
    await tg.spawn(async () => i).wait()
    await tg
      .soonify(async (x: number) => x)(i)
      .wait()
  }
}

await run(0, tasks / 10)
const before = heap()
await run(tasks / 10, tasks)
const after = heap()
await tg[Symbol.asyncDispose]()
console.log(JSON.stringify({ tasks, before, after }))
