// A README's program, run as users would run it: the TypeScript block after a heading,
// taken from the README as it is and run in a Node process of its own (the package's
// sources through the `@soonify/source` condition). Used by core's and interop's
// app-lifetime recipe tests, which assert what the program prints.
import { execFile } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

/** The first TypeScript block after `marker` in the README at `readme`; throws when there is none. */
export const readmeBlockAfter = (readme: URL, marker: string): string => {
  const text = readFileSync(readme, "utf8")
  const at = text.indexOf(marker)
  if (at < 0) throw new Error(`${fileURLToPath(readme)} has no "${marker}"`)
  const block = /```ts\n([\s\S]*?)```/.exec(text.slice(at))
  if (block === null) throw new Error(`${fileURLToPath(readme)} has no TypeScript block after "${marker}"`)
  return block[1]!
}

/** What a program printed, and its exit code. */
export interface ProgramRun {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `code` (TypeScript, an ES module) in a new Node process whose working folder is `cwd`. */
export const runTypeScript = (code: string, cwd: URL): Promise<ProgramRun> =>
  new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--conditions=@soonify/source", "--input-type=module-typescript", "-e", code],
      { cwd: fileURLToPath(cwd) },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr })
    )
  })
