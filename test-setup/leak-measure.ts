// The measuring loop of both packages' leak probes (packages/*/test/leaks/probe.ts),
// run in a fresh Node process started with --expose-gc by test-setup/leak-probe.ts:
//
//   node --expose-gc --conditions=@soonify/source probe.ts GROUPS
//
// It runs a warm-up, then GROUPS more groups in tenths, collecting fully after each
// tenth, and prints one JSON line: the heap after the warm-up and after each tenth, the
// active handles (timers and the like) before and after, how each kind of group ended,
// and the package's own counts. A probe gives only its kinds of group and how to run them.

declare const gc: () => void

/** The number of measured groups, from the command line. */
export const groups = Number(process.argv[2] ?? 10_000)

// Enough groups for the JIT and Effect's caches to settle before the heap is measured.
const warmUp = Math.max(5_000, Math.ceil(groups / 10))

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

const settleHeap = async () => {
  for (let i = 0; i < 4; i++) {
    await tick()
    gc()
  }
  return process.memoryUsage().heapUsed
}

const handles = () => process.getActiveResourcesInfo().toSorted()

/** What a package's probe gives the loop. */
export interface LeakProbe {
  /** How many kinds of group there are: group `i` is of kind `i % kinds`. */
  readonly kinds: number
  /**
   * Runs the groups `from` to `from + count - 1`, one after another, and tells
   * `ended(i, outcome)` how each ended (`Success` / `Failure`, `fulfilled` / `rejected`).
   */
  readonly run: (from: number, count: number, ended: (i: number, outcome: string) => void) => Promise<void>
  /** The package's own counts once every group has ended (fibers alive, listeners left). */
  readonly counts: () => Record<string, number>
}

/** Runs the measurement and prints its report on stdout. */
export const measureLeaks = async (probe: LeakProbe): Promise<void> => {
  // How each kind of group ended: one outcome, or several (joined by `|`) when it varied.
  const outcomes: Array<Set<string>> = Array.from({ length: probe.kinds }, () => new Set())
  const ended = (i: number, outcome: string) => void outcomes[i % probe.kinds].add(outcome)
  const before = handles()
  await probe.run(0, warmUp, ended)
  const heapBefore = await settleHeap()
  const started = performance.now()
  const checkpoints: Array<number> = []
  const step = Math.ceil(groups / 10)
  for (let done = 0; done < groups; done += step) {
    await probe.run(warmUp + done, Math.min(step, groups - done), ended)
    checkpoints.push(await settleHeap())
  }
  const elapsed = performance.now() - started
  // Before touching process.stdout, whose first use opens a pipe.
  const after = handles()
  process.stdout.write(
    `${JSON.stringify({
      groups,
      warmUp,
      heapBefore,
      heapAfter: checkpoints[checkpoints.length - 1],
      elapsedMs: Math.round(elapsed),
      checkpoints,
      ...probe.counts(),
      before,
      after,
      outcomes: outcomes.map((tags) => [...tags].toSorted().join("|"))
    })}\n`
  )
}
