// Flow control inside a group (DESIGN §10): a polite crawler over a loopback HTTP server
// that serves many hosts (by `Host` header), at most 2 requests at once and 5 per second
// per host, 16 in all, with a live progress line and a snapshot of who waits for what;
// then `map` over an endless generator of URLs, stopped after 20 results.
import { request, createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { type GroupSnapshot, map, renderSnapshot, taskGroup, taskSignal } from "@soonify/interop"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A server for every host: each page answers in 40–80 ms; it records what each host saw. */
const startServer = async () => {
  const seen = new Map<string, { running: number; most: number }>()
  let running = 0
  let most = 0
  const server = createServer((req: IncomingMessage, res) => {
    const host = req.headers.host ?? "?"
    const stats = seen.get(host) ?? { running: 0, most: 0 }
    seen.set(host, stats)
    stats.running++
    stats.most = Math.max(stats.most, stats.running)
    most = Math.max(most, ++running)
    const done = () => {
      stats.running--
      running--
    }
    setTimeout(
      () => {
        res.end(`<title>${host}${req.url}</title>`)
        done()
      },
      40 + ((req.url?.length ?? 0) % 5) * 10
    )
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return { server, port: (server.address() as AddressInfo).port, seen, most: () => most }
}

/** GETs `url` from the loopback server with its host in the `Host` header, cancelled with its task. */
const fetchPage = (port: number) => (url: string) =>
  new Promise<string>((resolve, reject) => {
    const { host, pathname } = new URL(url)
    const req = request({ host: "127.0.0.1", port, path: pathname, headers: { host }, signal: taskSignal() }, (res) => {
      let body = ""
      res.on("data", (chunk) => (body += chunk))
      res.on("end", () => resolve(body))
    })
    req.on("error", reject)
    req.end()
  })

/** The most starts any window of `interval` ms saw. */
const mostInWindow = (starts: ReadonlyArray<number>, interval: number): number => {
  let most = 0
  for (let i = 0, j = 0; i < starts.length; i++) {
    while (starts[i]! - starts[j]! >= interval) j++
    most = Math.max(most, i - j + 1)
  }
  return most
}

/** "12 waiting: 4 for a permit, 6 for their host, 2 for a rate window". */
const waitingLine = (snapshot: GroupSnapshot): string => {
  const by = { permit: 0, partition: 0, rate: 0 }
  for (const task of snapshot.tasks) if (task.waiting !== undefined) by[task.waiting]++
  return `${by.permit} for a permit, ${by.partition} for their host, ${by.rate} for a rate window`
}

export const flowDemo = async (): Promise<void> => {
  const { server, port, seen, most } = await startServer()
  const hosts = Array.from({ length: 10 }, (_, i) => `site${i}.test`)
  const urls = hosts.flatMap((host) => Array.from({ length: 6 }, (_, page) => `http://${host}/page/${page}`))
  console.log(
    `10. A polite crawler: ${urls.length} pages on ${hosts.length} hosts (one loopback server, by Host header)`
  )
  console.log("    at most 2 requests and 5 per second per host, 16 in all: two options of one group")
  const tty = process.stdout.isTTY === true
  let shown: { snapshot: GroupSnapshot; at: number } | undefined
  const started = Date.now()
  const startedAt = new Map<string, number>()
  const pages = await taskGroup(
    async (tg) => {
      const page = fetchPage(port)
      const fetch = tg.soonify(
        (url: string) => {
          startedAt.set(url.slice(7), Date.now())
          return page(url)
        },
        { name: (url) => url.slice(7), partition: (url) => new URL(url).host }
      )
      const handles = urls.map((url) => fetch(url))
      for (let tick = 0; ; tick++) {
        const snapshot = tg.snapshot()
        const last = snapshot.tasks.length === 0
        const { running, succeeded } = snapshot.counts
        const line = `    ${String(succeeded).padStart(2)}/${urls.length} fetched · ${running} running · waiting: ${waitingLine(snapshot)}`
        if (tick === 1) shown = { snapshot, at: Date.now() }
        if (tty) process.stdout.write(`\r${line.padEnd(100)}${last ? "\n" : ""}`)
        else if (last || tick % 4 === 0) console.log(line)
        if (last) return handles
        await sleep(80)
      }
    },
    { name: "crawler", concurrency: 16, partitions: { concurrency: 2, rate: { limit: 5, interval: 1000 } } }
  )
  console.log(`    ${pages.length} pages in ${Date.now() - started} ms`)
  if (shown !== undefined) {
    console.log("    who waits for what, 80 ms in (renderSnapshot: the group, one running task, one task per reason):")
    const lines = renderSnapshot(shown.snapshot, { now: shown.at }).split("\n")
    const firstOf = (what: string) => lines.find((line) => line.includes(what))
    for (const line of [
      lines[0],
      firstOf("· running"),
      ...["permit", "partition", "rate"].map((why) => firstOf(`waiting for ${why}`))
    ]) {
      if (line !== undefined) console.log(`      ${line}`)
    }
  }
  const perHost = [...seen.values()]
  const starts = new Map<string, Array<number>>()
  for (const soon of pages) {
    const host = soon.name.split("/")[0]!
    starts.set(
      host,
      [...(starts.get(host) ?? []), startedAt.get(soon.name)!].toSorted((a, b) => a - b)
    )
  }
  console.log(
    `    the crawler started at most ${Math.max(...[...starts.values()].map((times) => mostInWindow(times, 1000)))} ` +
      `requests per host in any 1 s; the server saw at most ${Math.max(...perHost.map((host) => host.most))} at once ` +
      `per host, ${most()} at once in all`
  )

  console.log("11. map over an endless generator of URLs, stopped after 20 results (8 at a time, 2 per host)")
  let pulled = 0
  function* endless() {
    try {
      for (let i = 0; ; i++) {
        pulled++
        yield `http://site${i % 4}.test/feed/${i}`
      }
    } finally {
      console.log(`    the generator was closed after ${pulled} URLs pulled`)
    }
  }
  const titles: Array<string> = []
  for await (const body of map(endless(), fetchPage(port), {
    concurrency: 8,
    partition: (url) => new URL(url).host,
    partitions: { concurrency: 2 }
  })) {
    titles.push(body)
    if (titles.length === 20) break // cancels the requests in flight, closes the generator
  }
  console.log(
    `    ${titles.length} results, the last ${titles.at(-1)}; pulled − read: ${pulled - titles.length} (≤ 2 × 8)`
  )
  server.close()
}
