/**
 * Looking into a running Node process from outside: its inspector opened with `SIGUSR1`
 * (as `node inspect -p <pid>` does), the snapshot hook of soonify evaluated through it,
 * and the inspector closed again if it was shut before.
 *
 * @since 0.1.0
 */
import type { TaskGroup } from "@soonify/core"
import { jsonText } from "@soonify/kernel"
import { InspectError } from "./InspectError.ts"
import { Connection, ConnectionClosed, remaining } from "./internal/protocol.ts"
import {
  catchesSigusr1,
  checkSignallable,
  endsWithin,
  isAlive,
  loopbackPortsOf,
  portHeldByAnother
} from "./internal/target.ts"

/**
 * Every open task group of a process at one moment: `groups` as its own
 * `snapshotAll()` gives them (both packages' groups, in one tree), `now` its clock then
 * (ms since epoch, to tell how long each task has run).
 *
 * @since 0.1.0
 * @category models
 */
export interface ProcessSnapshot {
  /** The process looked into. */
  readonly pid: number
  /** Its clock when the snapshot was taken (ms since epoch). */
  readonly now: number
  /** Its open root groups, oldest first, each with the groups opened in its tasks. */
  readonly groups: ReadonlyArray<TaskGroup.GroupSnapshot>
}

/**
 * Options of {@link attach} and {@link readSnapshot}.
 *
 * @since 0.1.0
 * @category models
 */
export interface AttachOptions {
  /** How long (ms) each step may take: opening the inspector, an answer, closing it. Default 5000. */
  readonly timeout?: number | undefined
}

/**
 * A process attached to by {@link attach}: take snapshots, then `close()` (or `await using`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Attachment extends AsyncDisposable {
  /** The process attached to. */
  readonly pid: number
  /** The loopback port of the process's inspector. */
  readonly port: number
  /** Whether the inspector was opened by this attachment (and is closed by `close()`). */
  readonly openedInspector: boolean
  /** The process's open groups now. */
  snapshot(): Promise<ProcessSnapshot>
  /** Detaches; closes the inspector if this attachment opened it, and waits until its port is shut. */
  close(): Promise<void>
}

/** The port Node's inspector opens on by default (`SIGUSR1`, `--inspect`). */
const defaultPort = 9229

// The snapshot as JSON text, written without recursion (JSON.stringify overflows the
// stack on groups nested about 2,000 deep): by soonify's serialised hook where the
// process has one (core installs it), else by the kernel's writer sent along here (its
// source is self-contained: a Promise-only program carries no writer of its own).
// JSON.parse here does not recurse on the nesting (Node 22 and 24 read it 40,000 levels deep).
const hookExpression = `(() => {
  const hook = globalThis[Symbol.for("soonify.snapshot")]
  if (typeof hook !== "function") return null
  const now = Date.now()
  const serialised = globalThis[Symbol.for("soonify.snapshotJson")]
  const groups = typeof serialised === "function" ? serialised() : (${jsonText.toString()})(hook())
  return '{"now":' + now + ',"groups":' + groups + '}'
})()`

// \`inspector.close()\` closes every session, ours included, before it returns: so this
// evaluation is never answered, the connection closing is the answer. (Closing it a
// moment later instead, from a timer, while our session was being torn down, made
// Node 24 crash now and then: SIGSEGV in about one attach in a hundred.)
const closeExpression = `(() => {
  const inspector = globalThis.process?.getBuiltinModule?.("node:inspector")
  if (inspector === undefined) return false
  inspector.close()
  return true
})()`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** The WebSocket URL of the inspector on `port`, if one answers there. */
const debuggerUrl = async (port: number, deadline: number): Promise<string | undefined> => {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/json/list`, {
      signal: AbortSignal.timeout(Math.min(1000, remaining(deadline)))
    })
    const targets = (await response.json()) as Array<{ webSocketDebuggerUrl?: unknown; type?: unknown }>
    const target = Array.isArray(targets)
      ? targets.find((t) => t.type === "node" && typeof t.webSocketDebuggerUrl === "string")
      : undefined
    if (target === undefined) return undefined
    // Reached on loopback whatever host the inspector was told to bind (`--inspect=0.0.0.0`).
    return `ws://127.0.0.1:${port}${new URL(target.webSocketDebuggerUrl as string).pathname}`
  } catch {
    return undefined
  }
}

interface Found {
  readonly url: string
  readonly port: number
}

/** An inspector the process has open already (Linux: on one of its own loopback ports). */
const openInspector = async (pid: number, deadline: number): Promise<Found | undefined> => {
  for (const port of loopbackPortsOf(pid) ?? []) {
    const url = await debuggerUrl(port, deadline)
    if (url !== undefined) return { url, port }
  }
  return undefined
}

/** Opens the process's inspector with SIGUSR1 and finds it; fails if it does not open in time. */
const openWithSignal = async (pid: number, timeout: number): Promise<Found> => {
  if (catchesSigusr1(pid) === false) {
    throw new InspectError(
      "not-attachable",
      `process ${pid} does not catch SIGUSR1, so sending it would end the process: it is not a Node ` +
        `process, or its inspector is disabled (--disable-sigusr1). In a Node process, dumpOnSignal() ` +
        `of @soonify/core or @soonify/interop prints the same tree on SIGUSR2`
    )
  }
  const signalled = Date.now()
  const deadline = signalled + timeout
  process.kill(pid, "SIGUSR1")
  const knowsPorts = loopbackPortsOf(pid) !== undefined
  for (;;) {
    if (knowsPorts) {
      const found = await openInspector(pid, deadline)
      if (found !== undefined) return found
      // The inspector binds within milliseconds; one second on, a port held by another
      // process is why it has not.
      if (Date.now() - signalled > Math.min(1000, timeout / 2) && portHeldByAnother(pid, defaultPort) === true) {
        throw new InspectError(
          "port-taken",
          `process ${pid} could not open its inspector: port ${defaultPort} on 127.0.0.1 is held by another ` +
            `process. Free it and try again, or use dumpOnSignal() in the program`
        )
      }
    } else {
      // No /proc (macOS and others): the inspector is where SIGUSR1 opens it by default.
      const url = await debuggerUrl(defaultPort, deadline)
      if (url !== undefined) return { url, port: defaultPort }
    }
    if (Date.now() >= deadline) {
      throw new InspectError(
        "timeout",
        `process ${pid} did not open its inspector within ${timeout} ms of SIGUSR1 (is it stopped, or ` +
          `busy in native code?). It may still open it later: a second attempt closes it again`
      )
    }
    await sleep(25)
  }
}

/** Waits until nothing listens on `port` for `pid` any more. */
const waitForPortShut = async (pid: number, port: number, deadline: number): Promise<boolean> => {
  for (;;) {
    const ports = loopbackPortsOf(pid)
    const open = ports === undefined ? (await debuggerUrl(port, deadline)) !== undefined : ports.includes(port)
    if (!open) return true
    if (Date.now() >= deadline) return false
    await sleep(20)
  }
}

const checkTimeout = (timeout: unknown): number => {
  if (timeout === undefined) return 5000
  if (typeof timeout !== "number" || !(timeout > 0)) {
    throw new RangeError(`attach: "timeout" must be a number of ms > 0, received ${String(timeout)}`)
  }
  return timeout
}

/**
 * Attaches to the Node process `pid`: uses its inspector if it is open (`--inspect`),
 * else opens it with `SIGUSR1` on 127.0.0.1, as `node inspect -p <pid>` does. `close()`
 * closes an inspector this opened (and only that one).
 *
 * **Details**
 *
 * Rejects with an {@link InspectError} saying why: no such process, a process of another
 * user, one that does not catch `SIGUSR1` (not Node, or `--disable-sigusr1`: the signal
 * would end it, so it is not sent), one without soonify loaded, an inspector port held
 * by another process, or no answer within `timeout`. On Linux the inspector is found
 * among the process's own listening sockets (/proc); elsewhere on the default port 9229.
 * A `pid` that is not a positive integer is a `RangeError`.
 *
 * **Example**
 *
 * ```ts
 * import { attach } from "@soonify/inspect"
 *
 * const error = await attach(2 ** 22 + 1).catch((e) => e)
 * error.reason // => "no-such-process"
 * ```
 *
 * @since 0.1.0
 * @category attaching
 */
export const attach = async (pid: number, options?: AttachOptions): Promise<Attachment> => {
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new RangeError(`attach: "pid" must be a positive integer, received ${String(pid)}`)
  }
  const timeout = checkTimeout(options?.timeout)
  if ((globalThis as { WebSocket?: unknown }).WebSocket === undefined) {
    throw new InspectError(
      "unsupported-node",
      `soonify needs Node 22.4 or later (its global WebSocket talks to the inspector); this is Node ${process.versions.node}`
    )
  }
  checkSignallable(pid)
  const already = await openInspector(pid, Date.now() + timeout)
  const { url, port } = already ?? (await openWithSignal(pid, timeout))
  const openedInspector = already === undefined
  let connection: Connection
  try {
    connection = await Connection.open(url, Date.now() + timeout, pid)
  } catch (error) {
    if (openedInspector) await shut(undefined, pid, port, timeout)
    throw error
  }
  let closed: Promise<void> | undefined
  const attachment: Attachment = {
    pid,
    port,
    openedInspector,
    snapshot: async () => {
      const json = await connection
        .evaluate(hookExpression, Date.now() + timeout, pid)
        .catch(async (error: unknown) => {
          // A process that exits while attached waits for its debugger to disconnect: let it go.
          if (!(error instanceof InspectError)) await connection.close()
          throw (await endsWithin(pid, 1000))
            ? new InspectError("no-such-process", `process ${pid} has ended`, { cause: error })
            : error
        })
      if (typeof json !== "string") {
        throw new InspectError(
          "no-soonify",
          `process ${pid} has not loaded soonify (@soonify/core or @soonify/interop): nothing to show`
        )
      }
      const { now, groups } = JSON.parse(json) as { now: number; groups: Array<TaskGroup.GroupSnapshot> }
      return { pid, now, groups }
    },
    close: () => (closed ??= openedInspector ? shut(connection, pid, port, timeout) : connection.close()),
    [Symbol.asyncDispose]: () => attachment.close()
  }
  return attachment
}

/** Closes the inspector we opened (through `connection`, or a new one) and waits for its port to shut. */
const shut = async (connection: Connection | undefined, pid: number, port: number, timeout: number): Promise<void> => {
  const deadline = Date.now() + timeout
  // A process that has ended has closed its inspector with it.
  if (!isAlive(pid)) return connection?.close()
  // A connection closed already (after a failed evaluation) cannot close the inspector: a new one does.
  const open = connection?.closed === false ? connection : undefined
  if (connection !== undefined && open === undefined) await connection.close()
  const url = open === undefined ? await debuggerUrl(port, deadline) : undefined
  const session = open ?? (url === undefined ? undefined : await Connection.open(url, deadline, pid))
  if (session === undefined) return
  const closing = await session
    .evaluate(closeExpression, deadline, pid)
    .catch((error: unknown) => error instanceof ConnectionClosed)
  await session.close()
  if (closing !== true && (await endsWithin(pid, 1000))) return
  if (closing !== true || !(await waitForPortShut(pid, port, deadline))) {
    throw new InspectError(
      "timeout",
      `process ${pid}: its inspector could not be closed and is still open on 127.0.0.1:${port} ` +
        `(Node before 20.16 and 22.3 has no process.getBuiltinModule)`
    )
  }
}

/**
 * The open groups of process `pid` now: {@link attach}, one snapshot, detach.
 *
 * **Example**
 *
 * ```ts
 * import { readSnapshot } from "@soonify/inspect"
 *
 * const error = await readSnapshot(2 ** 22 + 1, { timeout: 1000 }).catch((e) => e)
 * error.exitCode // => 3
 * ```
 *
 * @since 0.1.0
 * @category attaching
 */
export const readSnapshot = async (pid: number, options?: AttachOptions): Promise<ProcessSnapshot> => {
  const attachment = await attach(pid, options)
  try {
    return await attachment.snapshot()
  } finally {
    await attachment.close()
  }
}
