import { describe as group, expect, it } from "vitest"
import { describe, Group, installDump, isIterable, signalProblem } from "@soonify/kernel"
import { TestRuntime, TestTask } from "./support.ts"

group("describe", () => {
  it("says what was received: type and short value, never the value's own toString", () => {
    const sneaky = { toString: () => "I am fine" }
    expect(
      [
        null,
        undefined,
        1,
        2n,
        true,
        "s",
        "x".repeat(41),
        () => 1,
        function named() {},
        Symbol("k"),
        [1, 2],
        sneaky
      ].map(describe)
    ).toEqual([
      "null",
      "undefined",
      "number 1",
      "bigint 2",
      "boolean true",
      'string "s"',
      `string "${"x".repeat(40)}…"`,
      "function (anonymous)",
      "function named",
      "Symbol(k)",
      "array of length 2",
      "object [object Object]"
    ])
    expect(describe("x".repeat(40))).toBe(`string "${"x".repeat(40)}"`)
  })

  it("isIterable: what for…of takes", () => {
    expect([[], "s", new Map(), null, undefined, 1, {}].map(isIterable)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false
    ])
  })
})

group("the dump on a signal", () => {
  it("refuses what is no signal, and the signals it must not take", () => {
    expect(signalProblem("f", "SIGUSR2")).toBeUndefined()
    expect(signalProblem("f", "USR2")).toBe(
      'f: "signal" must be a signal name such as "SIGUSR2", received string "USR2"'
    )
    expect(signalProblem("f", 7)).toBe('f: "signal" must be a signal name such as "SIGUSR2", received number 7')
    expect(signalProblem("f", "SIGUSR1")).toMatch(/^f: "signal" cannot be SIGUSR1: SIGUSR1 opens Node's inspector/)
    expect(signalProblem("f", "SIGKILL")).toBe('f: "signal" cannot be SIGKILL: SIGKILL cannot be caught')
    expect(signalProblem("f", "SIGSTOP")).toBe('f: "signal" cannot be SIGSTOP: SIGSTOP cannot be caught')
    expect(signalProblem("f", "SIGNOTREAL")).toBe(
      'f: "signal" must be a signal name such as "SIGUSR2", received string "SIGNOTREAL"'
    )
  })

  it("without the list of signals (no getBuiltinModule), takes any SIG name", () => {
    const process = globalThis.process as { getBuiltinModule?: unknown }
    const own = process.getBuiltinModule
    try {
      process.getBuiltinModule = undefined
      expect([signalProblem("f", "SIGNOTREAL"), signalProblem("f", "sigusr2") !== undefined]).toEqual([undefined, true])
      expect([signalProblem("f", "xSIGUSR2"), signalProblem("f", "SIGUSR2 "), signalProblem("f", Symbol("s"))]).toEqual(
        [
          'f: "signal" must be a signal name such as "SIGUSR2", received string "xSIGUSR2"',
          'f: "signal" must be a signal name such as "SIGUSR2", received string "SIGUSR2 "',
          'f: "signal" must be a signal name such as "SIGUSR2", received Symbol(s)'
        ]
      )
    } finally {
      process.getBuiltinModule = own
    }
  })

  it("writes every open group to stderr on the signal, until uninstalled (once)", () => {
    const group = new Group(new TestRuntime(), { name: "dumped" })
    group.spawn(new TestTask({}, "work"))
    const written: Array<string> = []
    const write = process.stderr.write
    const before = process.listenerCount("SIGWINCH")
    const uninstall = installDump("f", "SIGWINCH")
    try {
      process.stderr.write = ((text: string) => written.push(text) > 0) as typeof process.stderr.write
      process.emit("SIGWINCH", "SIGWINCH")
    } finally {
      process.stderr.write = write
    }
    expect(written.join("")).toMatch(/TaskGroup "dumped" open/)
    // How long each task has run, not when it started.
    expect(written.join("")).toMatch(/task "work" · running · for \d/)
    expect(written.join("").endsWith("\n")).toBe(true)
    expect(process.listenerCount("SIGWINCH")).toBe(before + 1)
    uninstall()
    uninstall()
    expect(process.listenerCount("SIGWINCH")).toBe(before)
    group.cancel()
    group.endOwner()
  })

  it("where there is no process, says so", () => {
    const own = globalThis.process
    try {
      Object.defineProperty(globalThis, "process", { value: undefined, configurable: true, writable: true })
      expect(() => installDump("f", "SIGUSR2")).toThrow(
        new TypeError("f: there is no process to listen for signals on here (Node, Deno or Bun only)")
      )
    } finally {
      Object.defineProperty(globalThis, "process", { value: own, configurable: true, writable: true })
    }
  })
})
