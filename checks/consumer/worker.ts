// @soonify/worker as a user gets it (DESIGN §7): it needs Node 22 or later. On an older
// Node (the machine's 20 on CI) importing it fails at once with an error naming the Node
// it needs and the one it found; from 22 on, a worker function runs as a task of a group.
// Compiled by TypeScript 5.9 with the consumer and run on every supported Node.
import assert from "node:assert/strict"
import { createHash } from "node:crypto"
import { taskGroup } from "@soonify/interop"

const major = Number(process.versions.node.split(".")[0])

if (major < 22) {
  for (const entry of ["@soonify/worker", "@soonify/worker/interop"]) {
    await assert.rejects(import(entry), (error: unknown) => {
      assert.ok(error instanceof Error, `${entry}: ${String(error)}`)
      assert.equal(error.name, "Error")
      assert.match(
        error.message,
        new RegExp(
          `^@soonify/worker needs Node 22 or later, and this is Node ${process.versions.node.replaceAll(".", "\\.")}: `
        )
      )
      return true
    })
  }
  console.log(`worker: importing it on Node ${process.versions.node} fails at once, asking for Node 22`)
} else {
  const { createWorkerPool, defineWorkerFn } = await import("@soonify/worker/interop")
  const { WorkerFn } = await import("@soonify/worker")
  type Hash = (algorithm: string, data: string) => string
  assert.equal(WorkerFn.isWorkerFn(WorkerFn.make<Hash>("node:crypto", "hash")), true)
  const hash = defineWorkerFn<Hash>("node:crypto", "hash")
  const pool = createWorkerPool({ size: 2 })
  try {
    const digests = await taskGroup(async (tg) => ["a", "b"].map((data) => tg.spawn(pool.task(hash, "sha256", data))))
    assert.deepEqual(
      digests.map((soon) => soon.value),
      ["a", "b"].map((data) => createHash("sha256").update(data).digest("hex"))
    )
  } finally {
    await pool.close()
  }
  console.log(`worker: a worker function ran as a task on Node ${process.versions.node}`)
}
