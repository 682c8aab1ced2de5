// A loopback HTTP server that accepts connections and never answers, counting the
// connections still open with a request on them: what a cancellation that reaches real
// I/O brings back to 0. (Connections that never carried a request are not counted: after
// an aborted request, fetch opens a fresh idle one for its pool, which it closes after its
// keep-alive time. The connection that carried the request is the one the abort closes.)
import { createServer, type Server } from "node:http"
import type { Socket } from "node:net"

export interface SilentServer {
  /** A URL on the server (127.0.0.1, a free port). */
  readonly url: string
  /** The connections open now that carried a request. */
  readonly open: () => number
  /** The requests received so far. */
  readonly requests: () => number
  /** Resolves once no connection is open (or rejects after `ms`). */
  readonly closed: (ms?: number) => Promise<void>
  /** Drops every connection and stops listening. */
  readonly stop: () => Promise<void>
}

export const startSilentServer = async (): Promise<SilentServer> => {
  const sockets = new Set<Socket>()
  const busy = new Set<Socket>()
  let requests = 0
  const server: Server = createServer((request) => {
    requests++ // and never answer
    if (!request.socket.destroyed) busy.add(request.socket)
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.once("close", () => {
      sockets.delete(socket)
      busy.delete(socket)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/`,
    open: () => busy.size,
    requests: () => requests,
    closed: async (ms = 2_000) => {
      const start = performance.now()
      while (busy.size > 0) {
        if (performance.now() - start > ms) throw new Error(`${busy.size} connections still open after ${ms} ms`)
        await new Promise((resolve) => setTimeout(resolve, 5))
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}

/** Resolves once the server has received `n` requests. */
export const requested = async (server: SilentServer, n = 1): Promise<void> => {
  while (server.requests() < n) await new Promise((resolve) => setTimeout(resolve, 2))
}
