import { parseArgs } from "node:util"
import { TaskGroup } from "@soonify/core"
import { attach } from "../Attach.ts"
import { InspectError } from "../InspectError.ts"
import { jsonText } from "@soonify/kernel"
import { renderTable, rowsOf } from "./rows.ts"
import { runTop, streamJson } from "./top.ts"

// The `soonify` command: arguments, the three subcommands, and errors turned into a
// message on stderr and an exit code (InspectError's).

export const usage = `Usage: soonify <ps|pstree|top> <pid> [options]

  ps <pid>       every open task group and task of the process, as a table
  pstree <pid>   the same as a tree, as renderSnapshot draws it
  top <pid>      the tasks refreshed live, longest-running first, stuck ones marked (q quits)

Options:
  --json               machine-readable output (ps: an array of rows; pstree: the snapshot;
                       top: one snapshot per line)
  --timeout <ms>       how long each step may take (default 5000)
  --interval <ms>      top: time between refreshes (default 1000)
  --stuck-after <ms>   top: a task cancelling this long is stuck (default 10000)
  -n, --count <n>      top: end after n refreshes
  -h, --help           this text
  -v, --version        the version

Attaching opens the process's inspector on 127.0.0.1 with SIGUSR1 (as node inspect -p
does) and closes it again; an inspector already open (--inspect) is used and left open.

Exit codes: 0 ok, 1 unexpected error, 2 usage, 3 no such process, 4 another user's process,
5 soonify not loaded, 6 not attachable (SIGUSR1 not caught), 7 inspector port taken,
8 no answer in time, 9 Node too old for soonify.`

export interface Io {
  readonly stdin: NodeJS.ReadStream
  readonly stdout: NodeJS.WriteStream
  readonly stderr: NodeJS.WritableStream
}

const positiveNumber = (name: string, text: string | undefined, fallback: number): number => {
  if (text === undefined) return fallback
  const value = Number(text)
  if (!(value > 0)) throw new InspectError("usage", `--${name} must be a number > 0, received ${JSON.stringify(text)}`)
  return value
}

const commands = ["ps", "pstree", "top"] as const

/** Runs the command line `args`; gives the exit code. */
export const main = async (args: ReadonlyArray<string>, io: Io, version: string): Promise<number> => {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: {
        json: { type: "boolean" },
        timeout: { type: "string" },
        interval: { type: "string" },
        "stuck-after": { type: "string" },
        count: { type: "string", short: "n" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" }
      }
    })
    if (values.help === true) {
      io.stdout.write(usage + "\n")
      return 0
    }
    if (values.version === true) {
      io.stdout.write(version + "\n")
      return 0
    }
    const [command, pidText, ...rest] = positionals
    if (command === undefined || !(commands as ReadonlyArray<string>).includes(command)) {
      throw new InspectError(
        "usage",
        `expected a command, ps, pstree or top; received ${JSON.stringify(command ?? "")}`
      )
    }
    if (pidText === undefined || !/^[1-9][0-9]*$/.test(pidText) || rest.length > 0) {
      throw new InspectError(
        "usage",
        `${command} takes one process id, a positive integer; received ${JSON.stringify([pidText, ...rest].join(" "))}`
      )
    }
    const pid = Number(pidText)
    const timeout = positiveNumber("timeout", values.timeout, 5000)
    if (command === "top") {
      const options = {
        interval: positiveNumber("interval", values.interval, 1000),
        stuckAfter: positiveNumber("stuck-after", values["stuck-after"], 10_000),
        count: positiveNumber("count", values.count, Infinity)
      }
      if (values.json !== true && !(io.stdin.isTTY && io.stdout.isTTY)) {
        throw new InspectError("usage", "top needs a terminal; for a stream to a pipe or a file, use top --json")
      }
      const attachment = await attach(pid, { timeout })
      try {
        await attachment.snapshot()
        if (values.json === true) await streamJson(attachment, options, io.stdout)
        else await runTop(attachment, options, { input: io.stdin, output: io.stdout })
      } catch (error) {
        // What ended top is the error to report, not a failure to close afterwards.
        await attachment.close().catch(() => {})
        throw error
      }
      await attachment.close()
      return 0
    }
    const attachment = await attach(pid, { timeout })
    let snapshot
    try {
      snapshot = await attachment.snapshot()
    } finally {
      await attachment.close()
    }
    if (command === "ps") {
      const rows = rowsOf(snapshot)
      io.stdout.write((values.json === true ? JSON.stringify(rows, null, 2) : renderTable(rows)) + "\n")
    } else {
      io.stdout.write(
        (values.json === true
          ? jsonText(snapshot, 2)
          : TaskGroup.renderSnapshot(snapshot.groups, { now: snapshot.now })) + "\n"
      )
    }
    return 0
  } catch (error) {
    if (error instanceof InspectError) {
      io.stderr.write(`soonify: ${error.message}\n${error.reason === "usage" ? `\n${usage}\n` : ""}`)
      return error.exitCode
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS") === true) {
      io.stderr.write(`soonify: ${error.message}\n\n${usage}\n`)
      return 2
    }
    io.stderr.write(`soonify: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}
