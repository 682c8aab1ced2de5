import { renderSnapshot, snapshotAll } from "./snapshot.ts"
import { describe } from "./validation.ts"

// The in-process "what is still running?" dump (`TaskGroup.dumpOnSignal`, and interop's
// `dumpOnSignal`): for processes where the inspector that `soonify pstree <pid>` opens is
// not allowed. A listener for one signal that writes the tree to stderr; nothing else.
// `process` is looked up at call time, never imported, so browser bundles stay clean.

interface SignalProcess {
  readonly on: (signal: string, listener: () => void) => unknown
  readonly off: (signal: string, listener: () => void) => unknown
  readonly stderr: { readonly write: (text: string) => unknown }
  readonly getBuiltinModule?: (id: string) => unknown
}

/**
 * Signals a process cannot listen for, or must not: SIGUSR1 opens Node's inspector
 * (how `soonify ps` attaches), SIGKILL and SIGSTOP cannot be caught.
 */
const reserved: Record<string, string> = {
  SIGUSR1: "SIGUSR1 opens Node's inspector (how `soonify ps` attaches); use SIGUSR2 or another signal",
  SIGKILL: "SIGKILL cannot be caught",
  SIGSTOP: "SIGSTOP cannot be caught"
}

/** The problem with `signal` as a signal to dump on, or `undefined`. */
export const signalProblem = (where: string, signal: unknown): string | undefined => {
  const known = signalNames()
  if (
    typeof signal !== "string" ||
    (known === undefined ? !/^SIG[A-Z0-9]+$/.test(signal) : !Object.hasOwn(known, signal))
  ) {
    return `${where}: "signal" must be a signal name such as "SIGUSR2", received ${describe(signal)}`
  }
  const why = reserved[signal]
  return why === undefined ? undefined : `${where}: "signal" cannot be ${signal}: ${why}`
}

const processOrUndefined = (): SignalProcess | undefined => (globalThis as { process?: SignalProcess }).process

const signalNames = (): Record<string, number> | undefined =>
  (processOrUndefined()?.getBuiltinModule?.("node:os") as typeof import("node:os") | undefined)?.constants.signals

/** The dump itself: every open group of the process, as `renderSnapshot` draws it. */
const dump = (): string => renderSnapshot(snapshotAll(), { now: Date.now() })

/**
 * Installs the dump on `signal` (already checked with {@link signalProblem}); gives the
 * function that removes it (calling it again does nothing). Throws a `TypeError` where
 * there is no process to listen on (a browser).
 */
export const installDump = (where: string, signal: string): (() => void) => {
  const process = processOrUndefined()
  if (typeof process?.on !== "function") {
    throw new TypeError(`${where}: there is no process to listen for signals on here (Node, Deno or Bun only)`)
  }
  const listener = (): void => {
    process.stderr.write(dump() + "\n")
  }
  process.on(signal, listener)
  let installed = true
  return () => {
    if (!installed) return
    installed = false
    process.off(signal, listener)
  }
}
