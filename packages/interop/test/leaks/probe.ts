// Interop's leak probe: every kind of Promise group, with every way it can end, run one
// after another by the loop in test-setup/leak-measure.ts (which says how it is run and
// what it prints), plus the count of listeners left on a long-lived AbortSignal.
import { getEventListeners } from "node:events"
import {
  asCompleted,
  createTaskGroup,
  Future,
  gather,
  resultsToChannel,
  taskGroup,
  waitAll,
  waitAny
} from "@soonify/interop"
import { measureLeaks } from "../../../../test-setup/leak-measure.ts"
import { untilAborted } from "../sleep.ts"

/** A signal that outlives every group: each group listens to it, and must stop listening. */
const longLived = new AbortController()

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

const boom = (i: number) => Promise.reject(new Error(`boom ${i}`))

// Every kind of group, with every way it can end.
const kinds: ReadonlyArray<(i: number) => Promise<unknown>> = [
  // succeeds, listening to a long-lived signal, with a timeout that never fires
  (i) =>
    taskGroup(
      (tg) => [
        tg.soonify(async (x: number) => x)(i),
        tg.spawn(() => i + 1),
        tg.spawn(async (signal) => signal.aborted)
      ],
      { signal: longLived.signal, timeout: 60_000 }
    ),
  // fails fast: the failure aborts a sibling that waits on its signal
  (i) =>
    taskGroup((tg) => {
      tg.spawn(untilAborted)
      tg.spawn(() => boom(i))
    }),
  // settles: the failures stay in their handles, read after the group
  (i) =>
    taskGroup(
      (tg) => [
        tg.spawn(() => boom(i)),
        tg.spawn(() => {
          throw new Error(`sync ${i}`)
        }),
        tg.spawn(async () => i)
      ],
      { mode: "settle", signal: longLived.signal }
    ).then((handles) => handles.map((soon) => soon.exception)),
  // settles, each failure handled as it happens
  (i) =>
    taskGroup(
      (tg) => {
        tg.spawn(() => boom(i))
        return tg.spawn(async () => i)
      },
      { mode: "settle", signal: longLived.signal, onTaskError: () => undefined }
    ),
  // aborted from outside while its tasks wait on their signals
  (i) => {
    const controller = new AbortController()
    const settled = taskGroup(
      async (tg) => {
        tg.spawn(untilAborted)
        tg.spawn(untilAborted)
        await untilAborted(tg.signal)
        return i
      },
      { signal: controller.signal, timeout: 60_000 }
    )
    void tick().then(() => controller.abort(new Error(`abort ${i}`)))
    return settled
  },
  // times out (a real 0 ms timer)
  (i) => taskGroup((tg) => tg.spawn(untilAborted, { name: `t${i}` }), { timeout: 0 }),
  // concurrency-limited, a task cancelled, a queued one that never starts
  (i) =>
    taskGroup(
      async (tg) => {
        const first = tg.spawn(untilAborted)
        tg.spawn(async () => i)
        await first.cancel()
        tg.cancel()
      },
      { concurrency: 1 }
    ),
  // nested groups, the inner one failing
  (i) => taskGroup((tg) => tg.spawn((signal) => taskGroup((inner) => inner.spawn(() => boom(i)), { signal }))),
  // the start handshake, then a cancel
  (i) =>
    taskGroup(async (tg) => {
      const [value, soon] = await tg.start<number>((started, signal) => {
        started(i)
        return untilAborted(signal)
      })
      await soon.cancel()
      return value
    }),
  // await using
  async (i) => {
    await using tg = createTaskGroup({ signal: longLived.signal })
    tg.spawn(async () => i)
    tg.spawn(() => boom(i))
  },
  // gather, fail fast and with returnExceptions, listening to the long-lived signal
  (i) =>
    gather([Promise.resolve(i), (signal: AbortSignal) => untilAborted(signal), () => boom(i)], {
      signal: longLived.signal
    }),
  (i) => gather([async () => i, () => boom(i)], { returnExceptions: true, signal: longLived.signal }),
  // asCompleted, left early
  async (i) => {
    for await (const value of asCompleted([async () => i, (signal: AbortSignal) => untilAborted(signal)])) return value
  },
  // waiting on many handles and a Future
  (i) =>
    taskGroup(async (tg) => {
      const future = new Future<number>()
      const handles = [tg.spawn(async () => i), tg.spawn(untilAborted)]
      await waitAny(handles)
      future.setResult(i)
      await waitAll([handles[0], future])
      for await (const soon of resultsToChannel([handles[0]])) void soon.value
      await handles[1].cancel()
    })
]

await measureLeaks({
  kinds: kinds.length,
  run: async (from, count, ended) => {
    for (let i = from; i < from + count; i++) {
      await kinds[i % kinds.length](i).then(
        () => ended(i, "fulfilled"),
        () => ended(i, "rejected")
      )
    }
  },
  counts: () => ({ abortListeners: getEventListeners(longLived.signal, "abort").length })
})
