/**
 * The Node this package needs, checked when it is imported: both entries import this
 * module first, so on an older Node the import fails here, at once, with an error that
 * names both versions (rather than a `SyntaxError` about a missing export of
 * `node:worker_threads`, or a crash on the first call). Imports nothing.
 *
 * Why 22: `worker_threads.isMarkedAsUntransferable` (used to leave Node's pooled small
 * Buffers alone when moving buffers) came in Node 21.0, which is end-of-life; 22 is the
 * oldest maintained line that has it (`engines` says the same).
 */

/** The oldest Node major this package runs on. */
export const minimumNodeMajor = 22

/**
 * Why `@soonify/worker` cannot run on the Node whose `process.versions.node` is
 * `version`, or `undefined` if it can. Not a Node at all (no version): nothing to say.
 */
export const nodeVersionProblem = (version: string | undefined): string | undefined => {
  if (version === undefined) return undefined
  const major = Number.parseInt(version, 10)
  if (!(major < minimumNodeMajor)) return undefined
  return (
    `@soonify/worker needs Node ${minimumNodeMajor} or later, and this is Node ${version}: ` +
    `it uses worker_threads.isMarkedAsUntransferable, which came in Node 21 (end-of-life; 22 is the oldest maintained line). ` +
    `Upgrade Node, or use @soonify/core and @soonify/interop alone (they run on Node 20.19 and later).`
  )
}

const problem = nodeVersionProblem(
  (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node
)
if (problem !== undefined) throw new Error(problem)
