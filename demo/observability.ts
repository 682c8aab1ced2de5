// Observability: a live progress line over a task group's snapshot (interop), then the
// spans of a group and its tasks printed by a small console tracer (core).
import { Console, Effect, Option, Tracer } from "effect"
import { TaskGroup } from "@soonify/core"
import { type GroupSnapshot, renderSnapshot, reportProgress, type SoonValue, taskGroup } from "@soonify/interop"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A fake download: `chunks` chunks, one every `ms`, reporting its progress after each. */
const download = (chunks: number, ms: number) => async (signal: AbortSignal) => {
  for (let done = 1; done <= chunks; done++) {
    await sleep(ms)
    signal.throwIfAborted()
    reportProgress(done, chunks)
  }
  return chunks
}

/** One line: a bar of the chunks done (every handle keeps its last report), and the group's counts. */
const progressLine = (snapshot: GroupSnapshot, handles: ReadonlyArray<SoonValue<number>>, totals: number): string => {
  const { queued, running, succeeded } = snapshot.counts
  const done = handles.reduce((sum, soon) => sum + (soon.progress?.done ?? 0), 0)
  const width = 30
  const bar = "#".repeat(Math.round((done / totals) * width)).padEnd(width, "-")
  const percent = String(Math.round((done / totals) * 100)).padStart(3)
  return `   [${bar}] ${percent}% · ${running} running, ${queued} queued, ${succeeded} done`
}

const sizes = [8, 12, 6, 10, 8]

const liveProgress = async () => {
  console.log("8. A live progress line over tg.snapshot() and soon.progress (5 downloads, 3 at a time)")
  const totals = sizes.reduce((a, b) => a + b, 0)
  const tty = process.stdout.isTTY === true
  let midway: { snapshot: GroupSnapshot; at: number } | undefined
  await taskGroup(
    async (tg) => {
      const handles = sizes.map((chunks, i) => tg.spawn(download(chunks, 40), { name: `download ${i + 1}` }))
      for (let tick = 0; ; tick++) {
        const snapshot = tg.snapshot()
        const line = progressLine(snapshot, handles, totals)
        const last = snapshot.tasks.length === 0
        if (tick === 6) midway = { snapshot, at: Date.now() }
        // On a terminal, one line redrawn in place; in a log, a line now and then.
        if (tty) process.stdout.write(`\r${line}${last ? "\n" : ""}`)
        else if (last || tick % 5 === 0) console.log(line)
        if (last) break
        await sleep(50)
      }
    },
    { name: "downloads", concurrency: 3 }
  )
  if (midway !== undefined) {
    console.log("   the tree midway, as renderSnapshot prints it (what a SIGUSR2 dump shows):")
    for (const line of renderSnapshot(midway.snapshot, { now: midway.at }).split("\n")) console.log(`   ${line}`)
  }
}

/** A tracer that prints each span when it ends: name, status, duration, parent. */
const consoleTracer = Tracer.make({
  span: (options) => {
    const span = new Tracer.NativeSpan(options)
    const end = span.end.bind(span)
    span.end = (endTime, exit) => {
      end(endTime, exit)
      const parent = Option.getOrUndefined(span.parent)
      // Fixed span names; which group and task are attributes (soonify.group, soonify.task).
      const labelOf = (s: Tracer.AnySpan) =>
        s._tag !== "Span"
          ? "external"
          : s.attributes.has("soonify.task")
            ? `${s.name} ${String(s.attributes.get("soonify.task"))}`
            : s.attributes.has("soonify.group")
              ? `${s.name} ${String(s.attributes.get("soonify.group"))}`
              : s.name
      const under = parent?._tag === "Span" ? ` under "${labelOf(parent)}"` : ""
      const ms = Number((endTime - span.status.startTime) / 1_000_000n)
      console.log(
        `   span "${labelOf(span)}" ${span.attributes.get("soonify.status") ?? exit._tag} after ${ms} ms${under}`
      )
    }
    return span
  }
})

const spans = Effect.gen(function* () {
  yield* Console.log("9. Spans, with a tracer installed (here one that prints them)")
  const fetchPage = (page: string) =>
    page === "b"
      ? Effect.andThen(Effect.sleep("20 millis"), Effect.fail(`page ${page}: 404`))
      : Effect.sleep("30 millis")
  yield* TaskGroup.run(
    (group) =>
      Effect.forEach(["a", "b", "c"], (page) => group.soonify(fetchPage, { name: (page) => `fetch ${page}` })(page)),
    { name: "crawler", mode: "settle" }
  ).pipe(Effect.withSpan("request"), Effect.withTracer(consoleTracer))
})

export const observabilityDemo = async () => {
  console.log("== observability ==")
  await liveProgress()
  await Effect.runPromise(spans)
}
