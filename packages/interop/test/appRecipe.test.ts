// The README's app-lifetime recipe, run for real: the program in the README (a settle
// group with onTaskError, an HTTP server on a free port whose requests spawn into it,
// one group per request tied to the request's close, a clean shutdown), taken from the
// README as it is and run in a Node process of its own; then the same shape with a
// client that goes away before its answer.
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it } from "vitest"
import { readmeBlockAfter, runTypeScript } from "../../../test-setup/readme-program.ts"
import { createTaskGroup, type SoonValue, TaskGroupClosedError, taskGroup } from "@soonify/interop"
import { sleep } from "./sleep.ts"

const packageDir = new URL("..", import.meta.url)
const readme = new URL("../README.md", import.meta.url)

describe("the README's app-lifetime recipe", () => {
  it(
    "serves, reports the failed job as it fails, shuts down cleanly, then refuses spawns",
    { timeout: 30_000 },
    async () => {
      const { code, stdout, stderr } = await runTypeScript(
        readmeBlockAfter(readme, "#### Recipe: an app-lifetime group"),
        packageDir
      )
      expect(code).toBe(0)
      const lines = stdout.trim().split("\n")
      // The answers in order; the job's line runs on its own time, before or after them.
      expect(lines.filter((line) => line.startsWith("to="))).toEqual([
        "to=ada@example.com: 200 user and orders",
        "to=nobody: 200 user and orders"
      ])
      expect(lines).toContain("email sent to ada@example.com")
      expect(lines.slice(-2)).toEqual(["shut down", "a spawn after the shutdown: TaskGroupClosedError"])
      expect(lines).toHaveLength(5)
      expect(stderr).toBe('email to nobody failed: Error: no mailbox "nobody"\n')
    }
  )
})

describe("an app-lifetime group behind a loopback HTTP server", () => {
  it("a client that goes away cancels its request's group; jobs go on; failures reach onTaskError", async () => {
    const failed: Array<string> = []
    const jobs: Array<SoonValue<unknown>> = []
    const background = createTaskGroup({
      name: "background",
      mode: "settle",
      onTaskError: (error, job) => failed.push(`${job.name}: ${(error as Error).message}`)
    })
    let requestCancelled: unknown
    let openConnections = 0
    const server = createServer(async (request, response) => {
      const slow = request.url === "/slow"
      jobs.push(
        background.spawn(
          async () => {
            await sleep(30)
            if (slow) throw new Error("job of the slow request failed")
          },
          { name: slow ? "slow job" : "quick job" }
        )
      )
      const gone = new AbortController()
      response.on("close", () => gone.abort(new Error("the client went away")))
      await taskGroup(
        async (tg) => {
          const answer = tg.spawn((signal) => sleep(slow ? 10_000 : 5, signal).then(() => "answer"))
          response.end(`${await answer.wait()}\n`)
        },
        { signal: gone.signal }
      ).catch((error: unknown) => (requestCancelled = error))
    })
    server.on("connection", (socket) => {
      openConnections++
      socket.on("close", () => openConnections--)
    })
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
    const { port } = server.address() as AddressInfo
    expect(await (await fetch(`http://127.0.0.1:${port}/quick`)).text()).toBe("answer\n")
    const client = new AbortController()
    const slow = fetch(`http://127.0.0.1:${port}/slow`, { signal: client.signal })
    await sleep(20)
    client.abort()
    await expect(slow).rejects.toThrow()
    await sleep(20)
    expect((requestCancelled as Error).message).toBe("the client went away")
    // The job the slow request started goes on, and its failure is reported as it fails.
    await sleep(30)
    expect(failed).toEqual(["slow job: job of the slow request failed"])
    const closed = new Promise((resolve) => server.close(resolve))
    server.closeAllConnections()
    await closed
    await background[Symbol.asyncDispose]()
    expect(jobs.map((job) => job.status)).toEqual(["fulfilled", "rejected"])
    expect(() => background.spawn(async () => 1)).toThrow(TaskGroupClosedError)
    await sleep(10)
    expect(openConnections).toBe(0)
  })
})
