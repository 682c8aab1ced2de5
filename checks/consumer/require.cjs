// A CommonJS user: require() of the ESM-only packages, which Node supports from 20.19
// (require(esm), no top-level await in the graph).
const assert = require("node:assert/strict")
const interop = require("@soonify/interop")
const core = require("@soonify/core")
assert.equal(typeof interop.taskGroup, "function")
assert.equal(typeof core.TaskGroup.run, "function")
interop.gather([async () => 1, async () => 2]).then((values) => {
  assert.deepEqual(values, [1, 2])
  console.log(`require(esm) ok on Node ${process.versions.node}`)
})
