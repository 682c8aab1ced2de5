// Hashes every file of a directory on worker threads, as tasks of one group, while a
// timer keeps ticking on the event loop: `node examples/hashFiles.ts [directory]`.
import { TaskGroup } from "@soonify/core"
import { WorkerFn, WorkerPool } from "@soonify/worker"
import { Effect } from "effect"
import { readdir } from "node:fs/promises"
import * as path from "node:path"
import type { hashFile } from "./hash.worker.ts"

const hash = WorkerFn.make<typeof hashFile>(new URL("./hash.worker.ts", import.meta.url), "hashFile")

const hashAll = (directory: string) =>
  Effect.gen(function* () {
    const entries = yield* Effect.promise(() => readdir(directory, { recursive: true, withFileTypes: true }))
    const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name))
    const handles = yield* TaskGroup.run((group) =>
      Effect.forEach(files, (file) => group.soonify(WorkerFn.call(hash), { name: file })(file))
    )
    // The group has ended: every digest is ready, in the order of `files`.
    return yield* Effect.forEach(handles, (soon) => Effect.map(soon.value, (digest) => `${digest}  ${soon.name}`))
  })

let ticks = 0
const timer = setInterval(() => ticks++, 1)
const lines = await Effect.runPromise(
  hashAll(process.argv[2] ?? path.join(import.meta.dirname, "..", "src")).pipe(Effect.provide(WorkerPool.layer()))
)
clearInterval(timer)
console.log(lines.join("\n"))
console.log(`${lines.length} files hashed; the event loop ticked ${ticks} times meanwhile`)
