import { readdirSync, readFileSync, readlinkSync } from "node:fs"
import { InspectError } from "../InspectError.ts"

// The target process as the operating system sees it: whether it exists and may be
// signalled by us, whether it catches SIGUSR1 (a Node process does, to open its
// inspector; to anything else SIGUSR1 is fatal), and which TCP ports it listens on.
// The last two read Linux's /proc; elsewhere they say "unknown" (`undefined`).

/** Throws unless `pid` is a process we may signal. */
export const checkSignallable = (pid: number): void => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === "ESRCH") throw new InspectError("no-such-process", `no process ${pid}`, { cause: error })
    if (code === "EPERM") {
      throw new InspectError(
        "other-user",
        `process ${pid} belongs to another user: run soonify as that user (or as root)`,
        { cause: error }
      )
    }
    throw error
  }
}

/** Whether process `pid` still exists. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH"
  }
  // An ended process not yet reaped by its parent (a zombie) still answers kill(pid, 0).
  try {
    return !/^\d+ \(.*\) Z /s.test(readFileSync(`/proc/${pid}/stat`, "utf8"))
  } catch {
    return true
  }
}

/** Whether process `pid` ends within `ms` (one that closes its inspector may be exiting). */
export const endsWithin = async (pid: number, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}

/** Whether `pid` catches SIGUSR1 (Linux: the `SigCgt` mask of /proc/<pid>/status); `undefined` when unknown. */
export const catchesSigusr1 = (pid: number): boolean | undefined => {
  let status: string
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8")
  } catch {
    return undefined
  }
  const mask = /^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1]
  if (mask === undefined) return undefined
  // Bit n - 1 stands for signal n; SIGUSR1 is 10 on Linux.
  return (BigInt(`0x${mask}`) & (1n << 9n)) !== 0n
}

/** A TCP socket in the LISTEN state: its port and the inode that owns it. */
interface Listener {
  readonly port: number
  readonly inode: string
  readonly loopback: boolean
}

const listeners = (pid: number | "self"): Array<Listener> => {
  const found: Array<Listener> = []
  for (const table of ["tcp", "tcp6"]) {
    let text: string
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, "utf8")
    } catch {
      continue
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/)
      // local_address is HEX_IP:HEX_PORT; state 0A is LISTEN; the inode is the 10th field.
      if (fields.length < 10 || fields[3] !== "0A") continue
      const [address, port] = (fields[1] as string).split(":") as [string, string]
      found.push({
        port: Number.parseInt(port, 16),
        inode: fields[9] as string,
        // 127.0.0.1, and the wildcard addresses (`--inspect=0.0.0.0`), which 127.0.0.1 reaches too.
        loopback: ["0100007F", "00000000", "00000000000000000000000000000000"].includes(address)
      })
    }
  }
  return found
}

const socketInodes = (pid: number): Set<string> | undefined => {
  let fds: Array<string>
  try {
    fds = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return undefined
  }
  const inodes = new Set<string>()
  for (const fd of fds) {
    try {
      const link = readlinkSync(`/proc/${pid}/fd/${fd}`)
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1]
      if (inode !== undefined) inodes.add(inode)
    } catch {
      // closed meanwhile
    }
  }
  return inodes
}

/** The TCP ports `pid` listens on that 127.0.0.1 reaches; `undefined` where /proc cannot tell. */
export const loopbackPortsOf = (pid: number): Array<number> | undefined => {
  const inodes = socketInodes(pid)
  if (inodes === undefined) return undefined
  const ports = listeners(pid)
    .filter((listener) => listener.loopback && inodes.has(listener.inode))
    .map((listener) => listener.port)
  return [...new Set(ports)]
}

/** Whether a process other than `pid` listens on `port` (Linux); `undefined` when unknown. */
export const portHeldByAnother = (pid: number, port: number): boolean | undefined => {
  const inodes = socketInodes(pid)
  if (inodes === undefined) return undefined
  return listeners("self").some((listener) => listener.port === port && !inodes.has(listener.inode))
}
