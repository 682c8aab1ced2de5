// A soonify'd fetch cancelled by a sibling's failure, against a real HTTP server on
// 127.0.0.1 that never answers: `taskSignal()` carries the cancellation into the fetch,
// so fail fast ends the group at once and the server sees the connection closed.
import { createServer } from "node:http"
import type { Socket } from "node:net"
import { type SoonValue, taskGroup, taskSignal } from "@soonify/interop"

const elapsedSince = (start: number) => `${Math.round(performance.now() - start)} ms`

/** An HTTP server that never answers; it counts the connections that carry a request. */
const silentServer = async () => {
  const waiting = new Set<Socket>()
  const server = createServer((request) => {
    waiting.add(request.socket)
    request.socket.once("close", () => waiting.delete(request.socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/`,
    waiting: () => waiting.size,
    stop: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())))
  }
}

export const cancelIoDemo = async (): Promise<void> => {
  console.log("== Cancellation that reaches real I/O (@soonify/interop) ==")
  const server = await silentServer()
  // The README's p-limit migration, with the running task's signal passed on.
  const fetchText = async (url: string) => (await fetch(url, { signal: taskSignal() })).text()
  const start = performance.now()
  let slow: SoonValue<string> | undefined
  try {
    await taskGroup(async (tg) => {
      slow = tg.soonify(fetchText, { name: "fetch silent server" })(server.url)
      tg.spawn(
        async () => {
          await new Promise((resolve) => setTimeout(resolve, 200))
          console.log(`   after ${elapsedSince(start)}: the server holds ${server.waiting()} request(s) unanswered`)
          throw new Error("the sibling failed")
        },
        { name: "sibling" }
      )
    })
  } catch (error) {
    console.log(`   the group rejected after ${elapsedSince(start)} with: ${(error as Error).message}`)
  }
  console.log(`   the fetch's task: ${slow!.status} (its signal was aborted, the fetch rejected with its reason)`)
  // The server hears the client close the connection a moment later.
  for (let i = 0; i < 50 && server.waiting() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 5))
  console.log(`   requests still open on the server: ${server.waiting()}`)
  await server.stop()
}
