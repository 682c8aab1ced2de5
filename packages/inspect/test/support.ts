// What the inspect tests share: the built command run as a user runs it, and child
// processes to attach to (the test target, plain Node, anything else), each ended by
// the test that started it.
import { type ChildProcess, execFile, spawn, type SpawnOptions } from "node:child_process"
import { readdirSync, readFileSync, readlinkSync } from "node:fs"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

export const packageDir = fileURLToPath(new URL("..", import.meta.url))
export const bin = fileURLToPath(new URL("../dist/bin/soonify.js", import.meta.url))
export const tsc = fileURLToPath(new URL("../../../node_modules/.bin/tsc", import.meta.url))
export const target = fileURLToPath(new URL("./fixtures/target.ts", import.meta.url))
export const deepTarget = fileURLToPath(new URL("./fixtures/deepTarget.ts", import.meta.url))

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `file args` to its end; never rejects on a non-zero exit. Output of up to 256 MiB (a tree 10,000 deep). */
export const runFile = (file: string, args: ReadonlyArray<string>, options: { uid?: number } = {}): Promise<Run> =>
  new Promise((resolve) =>
    execFile(
      file,
      args,
      { cwd: packageDir, encoding: "utf8", timeout: 30_000, maxBuffer: 256 * 1024 * 1024, ...options },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout, stderr })
    )
  )

/** The built `soonify` command (dist/bin/soonify.js) with `args`, on this Node. */
export const soonify = (args: ReadonlyArray<string>, nodeFlags: ReadonlyArray<string> = []) =>
  runFile(process.execPath, [...nodeFlags, bin, ...args])

/** Builds core, interop and inspect (up to date after `pnpm build`). */
export const build = () =>
  runFile(tsc, ["-b", "../core/tsconfig.src.json", "../interop/tsconfig.src.json", "tsconfig.src.json"]).then((run) => {
    if (run.code !== 0) throw new Error(`build failed:\n${run.stdout}\n${run.stderr}`)
  })

/** A child process whose stdout is read line by line as JSON. */
export class Child {
  readonly process: ChildProcess
  readonly pid: number
  stderr = ""
  private readonly lines: Array<unknown> = []
  private readonly waiting: Array<(line: unknown) => void> = []

  constructor(file: string, args: ReadonlyArray<string>, options: SpawnOptions = {}) {
    this.process = spawn(file, args, { cwd: packageDir, stdio: ["pipe", "pipe", "pipe"], ...options })
    this.pid = this.process.pid as number
    this.process.stderr?.on("data", (data) => (this.stderr += String(data)))
    createInterface({ input: this.process.stdout! }).on("line", (line) => {
      const parsed: unknown = JSON.parse(line)
      const next = this.waiting.shift()
      if (next !== undefined) next(parsed)
      else this.lines.push(parsed)
    })
  }

  /** The next JSON line the child prints. */
  next(): Promise<any> {
    const line = this.lines.shift()
    if (line !== undefined) return Promise.resolve(line)
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  send(command: string): void {
    this.process.stdin?.write(command + "\n")
  }

  /** Resolves with the exit code once the child has exited. */
  exited(): Promise<number | null> {
    if (this.process.exitCode !== null) return Promise.resolve(this.process.exitCode)
    return new Promise((resolve) => this.process.once("exit", (code) => resolve(code)))
  }

  kill(): void {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill("SIGKILL")
  }
}

/** The test target (test/fixtures/target.ts) on the built packages, once it is ready. */
export const startTarget = async (args: ReadonlyArray<string> = [], nodeFlags: ReadonlyArray<string> = []) => {
  const child = new Child(process.execPath, [...nodeFlags, target, ...args])
  const ready = await child.next()
  if (ready.ready !== child.pid) throw new Error(`target not ready: ${JSON.stringify(ready)}`)
  return child
}

/** The deep test target (test/fixtures/deepTarget.ts): groups nested `depth` deep, once they all stand. */
export const startDeepTarget = async (depth: number) => {
  const child = new Child(process.execPath, [deepTarget, String(depth)])
  const ready = await child.next()
  if (ready.ready !== child.pid) throw new Error(`deep target not ready: ${JSON.stringify(ready)} ${child.stderr}`)
  return child
}

/** The loopback TCP ports `pid` listens on (Linux /proc), as the tests check them. */
export const listeningPorts = (pid: number): Array<number> => {
  const inodes = new Set<string>()
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (match) inodes.add(match[1] as string)
    } catch {
      // closed meanwhile
    }
  }
  const ports: Array<number> = []
  for (const table of ["tcp", "tcp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/)
      if (fields[3] === "0A" && inodes.has(fields[9] as string)) {
        ports.push(Number.parseInt((fields[1] as string).split(":")[1] as string, 16))
      }
    }
  }
  return ports
}

/** "for 1.4 s" and "asked to stop 0.2 s ago" in a rendered tree, made independent of when it was taken. */
export const withoutDurations = (text: string): string =>
  text
    .replace(/ · for \d+(\.\d)? s/g, " · for N s")
    .replace(/ · asked to stop \d+(\.\d)? s ago/g, " · asked to stop N s ago")
