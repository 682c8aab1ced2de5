// The browser suite: bundle checks/browser/page.ts for the browser with esbuild (from the
// built @soonify/interop, as a user's bundler sees it: a `node:` import would fail
// here), serve it and a test endpoint on 127.0.0.1, open it in Debian's Chromium
// (`/usr/bin/chromium`, driven by playwright-core, which downloads nothing), and assert
// what each case saw, with the server's view of the fetches that were to be aborted.
import assert from "node:assert/strict"
import { once } from "node:events"
import { createServer, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { setTimeout as sleep } from "node:timers/promises"
import { build } from "esbuild"
import { chromium } from "playwright-core"
import type { CaseResult } from "../browser/page.ts"
import { checksRoot, step } from "./support.ts"

/** Debian's Chromium; `.ci/run` installs the `chromium` package when it is missing. */
const chromiumPath = process.env["SOONIFY_CHROMIUM"] ?? "/usr/bin/chromium"

/**
 * The flags this machine's Chromium needs: no sandbox (CI runs as root), and none of
 * Chromium's own connections, which a closed network refuses by the dozen.
 */
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync"
]

/** How long the page may take for every case (they take well under a second together). */
const pageTimeoutMs = 20_000

const bundlePage = async (): Promise<string> => {
  const result = await build({
    entryPoints: [join(checksRoot, "browser/page.ts")],
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "chrome120",
    write: false,
    logLevel: "warning"
  })
  const [output] = result.outputFiles
  if (output === undefined) throw new Error("esbuild wrote no bundle")
  console.log(`page bundle: ${(output.contents.byteLength / 1024).toFixed(1)} KB (not minified)`)
  return output.text
}

/** The test server: the page, `/echo` (a number back after `ms`), `/hang` (never answers). */
const serve = async (pageScript: string) => {
  const hanging = new Map<string, "open" | "aborted">()
  const server = createServer((request, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1")
    if (url.pathname === "/") {
      response.writeHead(200, { "content-type": "text/html" })
      response.end(
        '<!doctype html><meta charset="utf-8"><title>soonify</title><script type="module" src="/page.js"></script>'
      )
    } else if (url.pathname === "/page.js") {
      response.writeHead(200, { "content-type": "text/javascript" })
      response.end(pageScript)
    } else if (url.pathname === "/echo") {
      const timer = setTimeout(() => response.end(url.searchParams.get("n") ?? ""), Number(url.searchParams.get("ms")))
      response.on("close", () => clearTimeout(timer))
    } else if (url.pathname === "/hang") {
      const id = url.searchParams.get("id") ?? ""
      hanging.set(id, "open")
      response.on("close", () => hanging.set(id, "aborted"))
    } else {
      response.writeHead(404).end()
    }
  })
  server.listen(0, "127.0.0.1")
  await once(server, "listening")
  const { port } = server.address() as AddressInfo
  return { server, origin: `http://127.0.0.1:${port}`, hanging }
}

await step("browser: interop in headless Chromium", async () => {
  const { server, origin, hanging } = await serve(await bundlePage())
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
    // Chromium took over 30 s to start on a loaded 2-core machine: the check is not about that.
    timeout: 120_000
  })
  try {
    console.log(`chromium ${browser.version()} (${chromiumPath}), page at ${origin}`)
    const page = await browser.newPage()
    const problems: Array<string> = []
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`))
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console error: ${message.text()}`)
    })
    await page.goto(origin)
    const results: ReadonlyArray<CaseResult> = await Promise.race([
      page.evaluate(() => globalThis.soonifyResults ?? Promise.reject(new Error("the page set no results"))),
      sleep(pageTimeoutMs, undefined, { ref: false }).then(() => {
        throw new Error(`the page gave no results within ${pageTimeoutMs} ms; so far: ${problems.join("; ")}`)
      })
    ])
    for (const result of results) console.log(`${result.ok ? "ok  " : "FAIL"} ${result.name}: ${result.detail}`)
    // The server sees the fetches the groups cancelled as closed before any answer.
    for (let waited = 0; waited < 2000 && [...hanging.values()].includes("open"); waited += 20) await sleep(20)
    console.log(`server's view of the hanging fetches: ${JSON.stringify(Object.fromEntries(hanging))}`)
    // A fetch that answers 404 logs a console error in Chromium; nothing else may.
    const unexpected = problems.filter((problem) => !/404/.test(problem))
    assert.deepEqual(unexpected, [], "the page logged errors")
    assert.equal(results.length, 4)
    assert.deepEqual(
      results.filter((result) => !result.ok),
      []
    )
    assert.deepEqual(Object.fromEntries(hanging), { timeout: "aborted", failfast: "aborted" })
  } finally {
    await browser.close()
    server.closeAllConnections()
    server.close()
  }
})
