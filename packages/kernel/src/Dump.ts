/**
 * The in-process "what is still running?" dump (`dumpOnSignal` of each adapter): for
 * processes where the inspector that `soonify pstree <pid>` opens is not allowed. A
 * listener for one signal that writes the registry's tree to stderr; nothing else.
 * `process` is looked up at call time, never imported, so browser bundles stay clean.
 *
 * @since 0.1.0
 */
import { describe } from "./Arguments.ts"
import { snapshotAll } from "./Registry.ts"
import { renderSnapshot } from "./Render.ts"

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

const processOrUndefined = (): SignalProcess | undefined => (globalThis as { process?: SignalProcess }).process

const signalNames = (): Record<string, number> | undefined =>
  (processOrUndefined()?.getBuiltinModule?.("node:os") as typeof import("node:os") | undefined)?.constants.signals

/**
 * The problem with `signal` as a signal to dump on, or `undefined` when it is a signal
 * name the process can catch. `"SIGUSR1"` is refused: it opens Node's inspector.
 *
 * **Example**
 *
 * ```ts
 * import { signalProblem } from "@soonify/kernel"
 *
 * signalProblem("f", "SIGUSR2") // => undefined
 * signalProblem("f", "USR2") // => 'f: "signal" must be a signal name such as "SIGUSR2", received string "USR2"'
 * ```
 *
 * @since 0.1.0
 * @category dump
 */
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

/**
 * Installs the dump on `signal` (already checked with {@link signalProblem}): each time
 * the process receives it, every open group of the process is written to stderr, as
 * `renderSnapshot` draws it. Gives the function that removes it (calling it again does
 * nothing). Throws a `TypeError` where there is no process to listen on (a browser).
 *
 * **Example**
 *
 * ```ts
 * import { installDump } from "@soonify/kernel"
 *
 * const uninstall = installDump("dumpOnSignal", "SIGUSR2")
 * process.listenerCount("SIGUSR2") // => 1
 * uninstall()
 * process.listenerCount("SIGUSR2") // => 0
 * ```
 *
 * @since 0.1.0
 * @category dump
 */
export const installDump = (where: string, signal: string): (() => void) => {
  const process = processOrUndefined()
  if (typeof process?.on !== "function") {
    throw new TypeError(`${where}: there is no process to listen for signals on here (Node, Deno or Bun only)`)
  }
  const listener = (): void => {
    process.stderr.write(renderSnapshot(snapshotAll(), { now: Date.now() }) + "\n")
  }
  process.on(signal, listener)
  // Removing a listener that is gone already does nothing: calling it again is safe.
  return () => {
    process.off(signal, listener)
  }
}
