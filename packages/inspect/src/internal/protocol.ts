import { InspectError } from "../InspectError.ts"

// The inspector protocol (Chrome DevTools Protocol) over the target's loopback
// WebSocket, with Node's own global `WebSocket` (Node 22+): requests by id, each
// answered within the deadline it is given.

/** The inspector closed the connection (the process ended, or closed its inspector). */
export class ConnectionClosed extends Error {
  override readonly name = "ConnectionClosed"
}

interface Pending {
  readonly resolve: (result: unknown) => void
  readonly reject: (error: Error) => void
}

/** One connection to an inspector. */
export class Connection {
  private readonly socket: WebSocket
  private readonly pending = new Map<number, Pending>()
  private nextId = 1
  private closedBy: Error | undefined = undefined

  private constructor(socket: WebSocket) {
    this.socket = socket
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(String(event.data)) as {
        id?: number
        result?: unknown
        error?: { message: string }
      }
      if (message.id === undefined) return
      const pending = this.pending.get(message.id)
      if (pending === undefined) return
      this.pending.delete(message.id)
      if (message.error !== undefined) pending.reject(new Error(`inspector: ${message.error.message}`))
      else pending.resolve(message.result)
    })
    socket.addEventListener("close", () => {
      this.closedBy ??= new ConnectionClosed("the inspector closed the connection")
      for (const pending of this.pending.values()) pending.reject(this.closedBy)
      this.pending.clear()
    })
  }

  /** Connects to `url` (a `ws://127.0.0.1:…` debugger URL) before `deadline` (ms since epoch). */
  static open(url: string, deadline: number, pid: number): Promise<Connection> {
    const WebSocketClass = (globalThis as { WebSocket?: typeof WebSocket }).WebSocket
    if (WebSocketClass === undefined) {
      return Promise.reject(
        new InspectError(
          "unsupported-node",
          `soonify needs Node 22.4 or later (its global WebSocket talks to the inspector); this is Node ${process.versions.node}`
        )
      )
    }
    return new Promise((resolve, reject) => {
      const socket = new WebSocketClass(url)
      const timer = setTimeout(() => {
        socket.close()
        reject(new InspectError("timeout", `process ${pid}: its inspector did not accept a connection in time`))
      }, remaining(deadline))
      socket.addEventListener("open", () => {
        clearTimeout(timer)
        resolve(new Connection(socket))
      })
      socket.addEventListener("error", () => {
        clearTimeout(timer)
        reject(new Error(`process ${pid}: could not connect to its inspector at ${url}`))
      })
    })
  }

  /** Sends `method` and waits for its result until `deadline`. */
  call(method: string, params: object, deadline: number, pid: number): Promise<unknown> {
    if (this.closedBy !== undefined) return Promise.reject(this.closedBy)
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new InspectError("timeout", `process ${pid} did not answer ${method} in time`))
      }, remaining(deadline))
      this.pending.set(id, {
        resolve: (result) => {
          clearTimeout(timer)
          resolve(result)
        },
        reject: (error) => {
          clearTimeout(timer)
          reject(error)
        }
      })
      this.socket.send(JSON.stringify({ id, method, params }))
    })
  }

  /** Evaluates `expression` in the target; gives its value (it must be JSON-like). */
  async evaluate(expression: string, deadline: number, pid: number): Promise<unknown> {
    const answer = (await this.call(
      "Runtime.evaluate",
      { expression, returnByValue: true, silent: true },
      deadline,
      pid
    )) as { result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }
    if (answer.exceptionDetails !== undefined) {
      const details = answer.exceptionDetails
      throw new Error(`process ${pid}: ${details.exception?.description ?? details.text}`)
    }
    return answer.result.value
  }

  /** Whether the connection is closed (by either side). */
  get closed(): boolean {
    return this.closedBy !== undefined || this.socket.readyState === this.socket.CLOSED
  }

  /** Closes the connection and waits until it is closed. */
  close(): Promise<void> {
    if (this.socket.readyState === this.socket.CLOSED) return Promise.resolve()
    return new Promise((resolve) => {
      this.socket.addEventListener("close", () => resolve())
      this.socket.close()
    })
  }
}

/** The ms left until `deadline`, at least 1. */
export const remaining = (deadline: number): number => Math.max(1, deadline - Date.now())
