/**
 * JSDoc and README examples are tests. This tool turns every ```ts block in the JSDoc of
 * a package's public modules (`packages/<name>/src/*.ts`, not `src/internal`) into a
 * module of its own under `packages/<name>/build/doc-examples/`, named
 * `<Module>.<export>.<n>.ts`, and every TypeScript block of the package's README.md (the
 * root README.md: the interop package's) into a complete program under
 * `build/doc-examples/readme/`, typechecks them all in one `tsc` run and runs them. A
 * README block that cannot be a program says so: see {@link writeDocExamples} for the
 * `<!-- fragment: why -->`, `<!-- file: name.ts -->` and `<!-- continues -->` markers.
 *
 * Each package's `test/docExamples.test.ts` hands its Vitest functions to
 * {@link describeDocExamples}: that is how the examples run in `pnpm test`. From a
 * shell, `node scripts/doc-examples.ts [packages/<name> ...]` (default: every package)
 * regenerates and typechecks the examples, listing each error at its JSDoc line.
 *
 * How an example runs: its module is imported (top-level code runs, top-level `await`
 * included); if it declares an Effect named `program`, that is run with
 * `Effect.runPromiseExit`. A throw, a rejection, a failed `program` or one that outlives
 * the time limit fails the example. What it prints is captured, not shown: a failing
 * example's message ends with it.
 *
 * What a line gives, an example says with a `// => value` comment, and the comment is
 * checked (as doctest tools do): `value` is a JavaScript expression, and the code to the
 * left of the comment must deep-equal it (Node's `isDeepStrictEqual`, or Effect's
 * `Equal`). Prose may follow the value after a colon. The code is one of:
 *
 * - an expression: `soon.ready // => true: the group has ended`
 * - `return expr // => value`, or `const x = expr // => value` (a destructuring too)
 * - `console.log(a, b) // => 1, "two"`: what it logs
 * - `const program = effect // => value`: what `program` succeeds with, once run
 *
 * The comment ends the statement: one that starts on an earlier line (`) // => value`
 * closing a call) is checked whole. A mismatch fails the example, naming the file and
 * line, the export and the code; so does a `// =>` line that never ran.
 */
import { AsyncLocalStorage } from "node:async_hooks"
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { format } from "node:util"
import { compileFunction } from "node:vm"
import { Cause, Effect, Exit } from "effect"
import { type Site, startChecks } from "./doc-example-expect.ts"

/** One ```ts block from a JSDoc comment, written out as a module. */
export interface DocExample {
  /** `<Module>.<export>.<n>`: the generated file's name without `.ts`. */
  readonly name: string
  /** The source file, relative to the package (`src/TaskGroup.ts`). */
  readonly source: string
  /** The source line (1-based) of the example's first line of code. */
  readonly line: number
  /** The generated module's absolute path. */
  readonly file: string
  /** Whether the example declares a `program` to run after importing it. */
  readonly hasProgram: boolean
  /** For each line of code, the width of the ` * ` prefix it had in the comment (or of the indent of a README block). */
  readonly indents: ReadonlyArray<number>
  /** For each line of code, its source line (1-based): a README example may span several blocks. */
  readonly lines: ReadonlyArray<number>
  /** The source lines (`src/TaskGroup.ts:542`) of its `// => value` comments, each checked when it runs. */
  readonly expectations: ReadonlyArray<string>
}

/** Where a generated example lives, relative to its package. */
export const outputDir = path.join("build", "doc-examples")

/** Each generated file starts with this many lines before the example's code. */
const headerLines = 2

/** An example that has not ended after this long fails: the examples sleep 2 s at most. */
export const timeLimitMillis = 5_000

const openFence = /^```(?:ts|typescript)\s*$/
const closeFence = /^```\s*$/
const exportedName =
  /^\s*export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(?:const|let|var|function\*?|class|interface|type|enum|namespace)\s+([A-Za-z_$][\w$]*)/
const reExportedNamespace = /^\s*export\s+\*\s+as\s+([A-Za-z_$][\w$]*)/
const memberName = /^\s*(?:(?:readonly|static|get|set|async)\s+)*([A-Za-z_$][\w$]*)/
const declaresExport = /^export\s+(?!\*|(?:type\s+)?\{[^}]*\}\s+from\b)/m
const declaresProgram = /^(?:export\s+)?(?:const|let|var)\s+program\b/m
const exportsProgram = /^export\s+(?:(?:const|let|var)\s+program\b|\{[^}]*\bprogram\b[^}]*\})/m
const expectation = /^(\s*)(.*?)\s*\/\/ =>\s*(.*)$/
const loggedCode = /^console\.log\(([\s\S]*)\)$/
const returnedCode = /^return\s+([\s\S]*)$/
const declaredCode = /^((?:export\s+)?(?:const|let|var)\s+)([^=]+?)\s*=\s*([\s\S]+)$/
/** How a statement that goes on from an earlier line starts, or one that goes on to the next line ends. */
const continuing = /^[)\]}.?:]|[([{,=]$|=>$/

/** The module `// =>` checks call, and what a generated example imports from it. */
const expectModule = fileURLToPath(new URL("./doc-example-expect.ts", import.meta.url))

/** Turns a `string` or `URL` (such as `new URL("..", import.meta.url)`) into a path. */
const toPath = (dir: string | URL): string => path.resolve(typeof dir === "string" ? dir : fileURLToPath(dir))

/** The workspace root: the nearest directory above `from` with a `pnpm-workspace.yaml`. */
const workspaceRoot = (from: string): string => {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir
    if (path.dirname(dir) === dir) throw new Error(`doc-examples: no pnpm-workspace.yaml above ${from}`)
  }
}

/** The file names of a package's public modules: `src/*.ts`, sorted. */
const publicModules = (packageDir: string): Array<string> =>
  readdirSync(path.join(packageDir, "src"), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts"))
    .map((entry) => entry.name)
    .toSorted()

/** The name of what a JSDoc comment documents, from the first line of code after it. */
const documentedName = (line: string | undefined, isFirstComment: boolean): string => {
  if (line === undefined) return "module"
  const declared = exportedName.exec(line) ?? reExportedNamespace.exec(line)
  if (declared !== null) return declared[1]!
  // A file's leading comment, followed by its imports, documents the module.
  if (isFirstComment && /^\s*import\b/.test(line)) return "module"
  return memberName.exec(line)?.[1] ?? "module"
}

/**
 * Finds the ```ts blocks in the JSDoc comments of one source file, in order.
 * `moduleName` is the file's name without `.ts`.
 */
const examplesOf = (
  packageDir: string,
  source: string,
  moduleName: string
): Array<
  Omit<DocExample, "name" | "file" | "hasProgram" | "expectations"> & { readonly owner: string; readonly code: string }
> => {
  const lines = readFileSync(path.join(packageDir, source), "utf8").split(/\r?\n/)
  const found: Array<
    Omit<DocExample, "name" | "file" | "hasProgram" | "expectations"> & { owner: string; code: string }
  > = []
  let isFirstComment = true
  for (let start = 0; start < lines.length; start++) {
    if (!/^\s*\/\*\*/.test(lines[start]!) || lines[start]!.includes("*/")) continue
    let end = start + 1
    while (end < lines.length && !lines[end]!.includes("*/")) end++
    let next = end + 1
    while (next < lines.length && lines[next]!.trim() === "") next++
    const owner = `${moduleName}.${documentedName(lines[next], isFirstComment)}`
    isFirstComment = false
    let block: { line: number; code: Array<string>; indents: Array<number>; lines: Array<number> } | undefined
    for (let i = start + 1; i < end; i++) {
      const prefix = /^\s*\* ?/.exec(lines[i]!)?.[0] ?? ""
      const text = lines[i]!.slice(prefix.length)
      if (block === undefined) {
        if (openFence.test(text)) block = { line: i + 2, code: [], indents: [], lines: [] }
      } else if (closeFence.test(text)) {
        const { code, ...where } = block
        found.push({ owner, source, ...where, code: code.join("\n") })
        block = undefined
      } else {
        block.code.push(text)
        block.indents.push(prefix.length)
        block.lines.push(i + 1)
      }
    }
    if (block !== undefined) throw new Error(`doc-examples: unclosed code block at ${source}:${block.line - 1}`)
    start = end
  }
  return found
}

/** Whether `text` is one JavaScript expression (compiled, not run). */
const isExpression = (text: string): boolean => {
  if (text.trim() === "") return false
  try {
    compileFunction(`return (${text}\n)`)
    return true
  } catch {
    return false
  }
}

/** The value of a `// =>` comment: all of it, or what comes before a colon that starts prose. */
const valueOf = (comment: string): string | undefined => {
  if (isExpression(comment)) return comment.trim()
  for (let colon = comment.indexOf(":"); colon !== -1; colon = comment.indexOf(":", colon + 1)) {
    if (isExpression(comment.slice(0, colon))) return comment.slice(0, colon).trim()
  }
  return undefined
}

/** Brackets a line opens minus those it closes, outside of strings. */
const bracketBalance = (code: string): number => {
  const bare = code.replace(/"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`(?:\\.|[^`\\])*`/g, "")
  return (bare.match(/[([{]/g)?.length ?? 0) - (bare.match(/[)\]}]/g)?.length ?? 0)
}

/**
 * Turns the `// => value` comments of an example's code into checks (see the top of this
 * file) without moving a line: the check opens where the statement starts (the comment's
 * line, or the line that opens the brackets it closes) and closes on the comment's line.
 * Gives the new code, the checked source lines and the names it imports from the expect
 * module.
 */
const withChecks = (
  code: string,
  example: string,
  source: string,
  sourceLines: ReadonlyArray<number>
): { readonly code: string; readonly expectations: Array<string>; readonly imports: Set<string> } => {
  const expectations: Array<string> = []
  const imports = new Set<string>()
  const lines = code.split("\n")
  lines.forEach((line, i) => {
    const match = expectation.exec(line)
    if (match === null) return
    const [, , written, comment] = match as unknown as [string, string, string, string]
    const at = `${source}:${sourceLines[i]}`
    const fail = (why: string): never => {
      throw new Error(`doc-examples: ${at} (${example}): ${why}`)
    }
    const value = valueOf(comment) ?? fail(`the \`// =>\` comment does not start with a JavaScript value: ${comment}`)
    // A statement that closes brackets opened on earlier lines starts where they open.
    let start = i
    for (let balance = bracketBalance(written); balance < 0; balance += bracketBalance(lines[start]!)) {
      if (--start < 0) fail("the `// =>` comment closes brackets that the example never opens")
    }
    const indent = /^\s*/.exec(lines[start]!)![0]
    const dedent = (text: string) => (text.startsWith(indent) ? text.slice(indent.length) : text.trimStart())
    const statement = [...lines.slice(start, i), written].map(dedent).join("\n").trimEnd()
    // A leading `;` (the guard before a line that starts with `[` or `(`) stays in front.
    const guard = statement.startsWith(";") ? ";" : ""
    const stated = statement.slice(guard.length).replace(/;$/, "")
    if (stated === "" || continuing.test(stated) || /\/\/ =>/.test(stated)) {
      fail(`a \`// =>\` comment must end a whole statement, not \`${stated}\``)
    }
    /** `head` then the call that checks `actual` against `expected` (`code` names it in a mismatch). */
    const check = (kind: Site["kind"], head: string, code: string, actual: string, expected: string): string => {
      const checker = kind === "program" ? "expectDocProgram" : "expectDoc"
      imports.add(checker)
      const site: Site = { example, at, code: code.replace(/\s*\n\s*/g, " "), kind }
      return `${head}__${checker}(${JSON.stringify(site)}, ${actual}, ${expected})`
    }
    const logged = loggedCode.exec(stated)
    const returned = returnedCode.exec(stated)
    const declared = declaredCode.exec(stated)
    const checked =
      logged !== null
        ? `console.log(...${check("logged", "", stated, `[${logged[1]}]`, `[${value}]`)})`
        : returned !== null
          ? check("value", "return ", returned[1]!, returned[1]!, value)
          : declared !== null
            ? check(
                declared[2]!.trim() === "program" ? "program" : "value",
                `${declared[1]}${declared[2]} = `,
                declared[3]!,
                declared[3]!,
                value
              )
            : check("value", guard, stated, stated, value)
    // The same lines as before: the check adds text, never a line break.
    const rewritten = `${indent}${checked}`.split("\n")
    lines.splice(start, i - start + 1, ...rewritten.map((text, k) => (k === 0 ? text : indent + text)))
    expectations.push(at)
  })
  return { code: lines.join("\n"), expectations, imports }
}

/** A code block of a README, and the markers written before it. */
interface ReadmeBlock {
  /** The line (1-based) of its opening fence. */
  readonly fence: number
  readonly code: Array<string>
  readonly lines: Array<number>
  readonly indents: Array<number>
  /** `<!-- fragment: reason -->`: not a program, for that reason. */
  readonly fragment: string | undefined
  /** `<!-- file: name.ts -->`: the module's file name, which other blocks import. */
  readonly file: string | undefined
  /** `<!-- continues -->`: the block goes on with the program of the block before it. */
  readonly continues: boolean
}

/** What the tool found in a README: its blocks, and what is wrong with its markers. */
export interface ReadmeReport {
  /** The README, relative to the workspace root (`packages/core/README.md`). */
  readonly source: string
  /** Every TypeScript block, by the line of its opening fence. */
  readonly blocks: number
  /** The blocks marked as fragments: `packages/core/README.md:151: the reason`. */
  readonly fragments: ReadonlyArray<string>
  /** Markers the tool cannot follow, each naming its line. */
  readonly problems: ReadonlyArray<string>
}

const readmeOpenFence = /^(\s*)```(?:ts|typescript|tsx)\s*$/
const anyOpenFence = /^(\s*)```/
const readmeCloseFence = /^\s*```\s*$/
const readmeMarker = /^\s*<!--\s*([\w-]+)\s*(?::\s*([\s\S]*?))?\s*-->\s*$/
const moduleFileName = /^[\w-]+(?:\.[\w-]+)*\.tsx?$/

/**
 * Reads the TypeScript blocks of a README (```ts, ```typescript, ```tsx; indented ones
 * in lists too) and the marker comments on the lines right before each (blank lines
 * between are fine): `<!-- fragment: reason -->`, `<!-- file: name.ts -->`,
 * `<!-- continues -->`.
 */
const readmeBlocksOf = (
  readme: string,
  source: string
): { readonly blocks: Array<ReadmeBlock>; readonly problems: Array<string> } => {
  const lines = readFileSync(readme, "utf8").split(/\r?\n/)
  const blocks: Array<ReadmeBlock> = []
  const problems: Array<string> = []
  for (let i = 0; i < lines.length; i++) {
    const open = anyOpenFence.exec(lines[i]!)
    if (open === null) continue
    let end = i + 1
    while (end < lines.length && !readmeCloseFence.test(lines[end]!)) end++
    if (end === lines.length) {
      problems.push(`${source}:${i + 1}: a code block that is never closed`)
      break
    }
    if (readmeOpenFence.test(lines[i]!)) {
      const markers = new Map<string, string>()
      for (let before = i - 1; before >= 0; before--) {
        const text = lines[before]!
        if (text.trim() === "") continue
        const marker = readmeMarker.exec(text)
        if (marker === null) break
        const [, keyword, argument] = marker as unknown as [string, string, string | undefined]
        if (keyword !== "fragment" && keyword !== "file" && keyword !== "continues") {
          problems.push(`${source}:${before + 1}: unknown marker \`${keyword}\` (fragment, file or continues)`)
        } else if (keyword !== "continues" && (argument ?? "") === "") {
          problems.push(
            `${source}:${before + 1}: \`<!-- ${keyword}: … -->\` needs ${keyword === "file" ? "a file name" : "a reason"}`
          )
        } else {
          markers.set(keyword, argument ?? "")
        }
      }
      const file = markers.get("file")
      if (file !== undefined && !moduleFileName.test(file)) {
        problems.push(`${source}:${i + 1}: \`<!-- file: ${file} -->\` is not a file name ending in .ts`)
      }
      const indent = open[1]!.length
      const body = lines.slice(i + 1, end)
      blocks.push({
        fence: i + 1,
        code: body.map((text) => (text.slice(0, indent).trim() === "" ? text.slice(indent) : text.trimStart())),
        lines: body.map((_, k) => i + 2 + k),
        indents: body.map(() => indent),
        fragment: markers.get("fragment"),
        file,
        continues: markers.has("continues")
      })
    }
    i = end
  }
  return { blocks, problems }
}

/** Where a generated README example lives, under the package's `build/doc-examples/`. */
const readmeDir = "readme"

/**
 * Writes one example module: a two-line header (so that line numbers map back), the
 * code with its `// =>` checks, and what the tool appends.
 */
const writeExampleModule = (
  example: Omit<DocExample, "expectations" | "hasProgram">,
  code: string,
  runsProgram: boolean,
  origin: string
): DocExample => {
  const hasProgram = runsProgram && declaresProgram.test(code)
  const checked = withChecks(code, example.name, example.source, example.lines)
  const header = [
    `// Generated by scripts/doc-examples.ts from ${origin}.`,
    "// Edit the example there: this file is rewritten on every run."
  ]
  // After the code, so that its lines keep their numbers: an import is hoisted anyway.
  const expectPath = path.relative(path.dirname(example.file), expectModule).split(path.sep).join("/")
  const importChecks =
    checked.imports.size === 0
      ? []
      : [
          `import { ${[...checked.imports]
            .toSorted()
            .map((imported) => `${imported} as __${imported}`)
            .join(", ")} } from ${JSON.stringify(expectPath.startsWith(".") ? expectPath : `./${expectPath}`)}`
        ]
  const footer = [
    ...(hasProgram && !exportsProgram.test(code) ? ["", "export { program }"] : []),
    ...(importChecks.length > 0 ? ["", ...importChecks] : [])
  ]
  writeFileSync(example.file, [...header, checked.code, ...footer, ""].join("\n"))
  return { ...example, hasProgram, expectations: checked.expectations }
}

/** What {@link writeDocExamples} wrote: the examples to typecheck and run, and what the READMEs hold. */
export interface WrittenExamples extends Array<DocExample> {
  readonly readmes: ReadonlyArray<ReadmeReport>
}

/**
 * Writes the programs of one README (each block, or blocks joined by `continues`) under
 * `out`, named `<prefix>README.<line>` after the fence of their first block, or by their
 * `file` marker.
 */
const writeReadmeExamples = (
  readme: string,
  source: string,
  prefix: string,
  out: string,
  taken: Set<string>
): { readonly examples: Array<DocExample>; readonly report: ReadmeReport } => {
  const { blocks, problems } = readmeBlocksOf(readme, source)
  const fragments: Array<string> = []
  const programs: Array<{
    first: ReadmeBlock
    file: string | undefined
    code: Array<string>
    lines: Array<number>
    indents: Array<number>
  }> = []
  for (const block of blocks) {
    if (block.fragment !== undefined) {
      fragments.push(`${source}:${block.fence}: ${block.fragment}`)
      if (block.file !== undefined || block.continues) {
        problems.push(`${source}:${block.fence}: a fragment is no module: it takes no \`file\` or \`continues\` marker`)
      }
      continue
    }
    const last = programs.at(-1)
    if (block.continues) {
      if (last === undefined) {
        problems.push(`${source}:${block.fence}: \`<!-- continues -->\` with no program before it`)
        continue
      }
      last.code.push(...block.code)
      last.lines.push(...block.lines)
      last.indents.push(...block.indents)
      continue
    }
    programs.push({
      first: block,
      file: block.file,
      code: [...block.code],
      lines: [...block.lines],
      indents: [...block.indents]
    })
  }
  const examples: Array<DocExample> = []
  for (const program of programs) {
    const fileName = program.file ?? `${prefix}README.${program.first.fence}.ts`
    if (taken.has(fileName)) {
      problems.push(`${source}:${program.first.fence}: another README block is already the module ${fileName}`)
      continue
    }
    taken.add(fileName)
    const name = program.file === undefined ? fileName.slice(0, -".ts".length) : `${prefix}README.${program.file}`
    examples.push(
      writeExampleModule(
        {
          name,
          source,
          line: program.lines[0] ?? program.first.fence + 1,
          file: path.join(out, fileName),
          indents: program.indents,
          lines: program.lines
        },
        program.code.join("\n"),
        false,
        `the README block at ${source}:${program.first.fence}`
      )
    )
  }
  return { examples, report: { source, blocks: blocks.length, fragments, problems } }
}

/**
 * Extracts the examples of the package at `packageDir` and writes each as a module
 * under `build/doc-examples/`, with a `tsconfig.json` that checks them against the
 * package's sources: the JSDoc examples of its public modules, and the programs of its
 * `README.md` and of the `readmes` given (paths relative to the package: the root
 * README is the interop package's), under `build/doc-examples/readme/`. Removes what an
 * earlier run wrote, so no stale example survives.
 *
 * Every TypeScript block of a README is a complete program: it is typechecked, run, and
 * its `// =>` comments are checked, as a JSDoc example's are (a README program's
 * `program` is not run for it: it runs itself). A block that cannot be one is marked by
 * an HTML comment on the line before it, which the rendered README does not show:
 *
 * - `<!-- fragment: why -->`: not a program (a signature list, an excerpt of an example
 *   that runs elsewhere); the reason is required.
 * - `<!-- file: hash.worker.ts -->`: the block is the module of that name, which the
 *   other blocks of the README import (`./hash.worker.ts`).
 * - `<!-- continues -->`: the block goes on with the program of the block before it.
 */
export const writeDocExamples = (
  packageDir: string | URL,
  { readmes = [] }: { readonly readmes?: ReadonlyArray<string> } = {}
): WrittenExamples => {
  const root = toPath(packageDir)
  const workspace = workspaceRoot(root)
  const out = path.join(root, outputDir)
  const examples: Array<DocExample> = []
  const counts = new Map<string, number>()
  rmSync(out, { recursive: true, force: true })
  mkdirSync(path.join(out, readmeDir), { recursive: true })
  for (const module of publicModules(root)) {
    const source = `src/${module}`
    for (const { owner, code, ...where } of examplesOf(root, source, module.slice(0, -".ts".length))) {
      const n = (counts.get(owner) ?? 0) + 1
      counts.set(owner, n)
      const name = `${owner}.${n}`
      examples.push(
        writeExampleModule(
          { name, file: path.join(out, `${name}.ts`), ...where },
          code,
          true,
          `the JSDoc example at ${source}:${where.line}`
        )
      )
    }
  }
  const reports: Array<ReadmeReport> = []
  const taken = new Set<string>()
  for (const relative of ["README.md", ...readmes]) {
    const readme = path.resolve(root, relative)
    if (!existsSync(readme)) continue
    const source = path.relative(workspace, readme).split(path.sep).join("/")
    const prefix =
      relative === "README.md"
        ? ""
        : `${path.relative(workspace, path.dirname(readme)).split(path.sep).join("-") || "root"}.`
    const written = writeReadmeExamples(readme, source, prefix, path.join(out, readmeDir), taken)
    examples.push(...written.examples)
    reports.push(written.report)
  }
  const base = path.relative(out, path.join(workspace, "tsconfig.base.json")).split(path.sep).join("/")
  const tsconfig = {
    extends: base,
    include: ["*.ts", `${readmeDir}/*.ts`, `${readmeDir}/*.tsx`],
    // The base settings, minus the project-build ones: the examples are checked, not built.
    compilerOptions: {
      noEmit: true,
      composite: false,
      incremental: false,
      declaration: false,
      declarationMap: false,
      sourceMap: false
    }
  }
  writeFileSync(path.join(out, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`)
  return Object.assign(examples, { readmes: reports })
}

/**
 * The package's public modules that declare exports (not only re-export them) and
 * have no example: each should show how it is used.
 */
export const modulesWithoutExamples = (
  packageDir: string | URL,
  examples: ReadonlyArray<DocExample>
): Array<string> => {
  const root = toPath(packageDir)
  const documented = new Set(examples.map((example) => example.source))
  return publicModules(root)
    .map((module) => `src/${module}`)
    .filter((source) => !documented.has(source))
    .filter((source) => declaresExport.test(readFileSync(path.join(root, source), "utf8")))
}

/** `tsc` from the workspace's `node_modules/.bin`. */
const tscOf = (packageDir: string): string => path.join(workspaceRoot(packageDir), "node_modules", ".bin", "tsc")

const diagnostic = /^(.+?)\((\d+),(\d+)\): (error|warning) (TS\d+: .*)$/

/**
 * Typechecks the examples written by {@link writeDocExamples} in one `tsc` run. Resolves
 * with one line per problem, located in the source (`src/TaskGroup.ts:210:7`) and
 * naming its example; none when everything compiles.
 */
export const typecheckDocExamples = (
  packageDir: string | URL,
  examples: ReadonlyArray<DocExample>
): Promise<Array<string>> => {
  const root = toPath(packageDir)
  // tsc refuses a project without inputs.
  if (examples.length === 0) return Promise.resolve([])
  const byFile = new Map(examples.map((example) => [example.file, example]))
  const locate = (file: string, line: number, column: number): string => {
    const example = byFile.get(file)
    if (example === undefined) return `${path.relative(root, file)}:${line}:${column}`
    const codeLine = line - headerLines - 1
    const indent = example.indents[codeLine]
    // A line past the example's code is in what the tool appended (`export { program }`, an import).
    if (indent === undefined) return `${example.source}:${example.line} (${example.name})`
    const at = `${example.source}:${example.lines[codeLine]}`
    // A checked line was rewritten (see withChecks): its columns are not the source's.
    if (example.expectations.includes(at)) return `${at} (${example.name}, in its \`// =>\` check)`
    return `${at}:${column + indent} (${example.name})`
  }
  return new Promise((resolve) => {
    execFile(
      tscOf(root),
      ["-p", path.join(outputDir, "tsconfig.json"), "--pretty", "false"],
      { cwd: root, encoding: "utf8" },
      (error, stdout, stderr) => {
        const problems: Array<string> = []
        for (const text of stdout.split(/\r?\n/)) {
          const match = diagnostic.exec(text)
          if (match !== null) {
            const [, file, line, column, , message] = match
            problems.push(`${locate(path.resolve(root, file!), Number(line), Number(column))}: ${message}`)
          } else if (text.startsWith(" ") && problems.length > 0) {
            problems[problems.length - 1] += `\n${text}`
          } else if (text.trim() !== "") {
            problems.push(text)
          }
        }
        if (error !== null && problems.length === 0) {
          problems.push(`tsc failed (${error.message})${stderr === "" ? "" : `:\n${stderr}`}`)
        }
        resolve(problems)
      }
    )
  })
}

/** What the running examples print: each example's lines, in its own list. */
const printing = new AsyncLocalStorage<Array<string>>()

const consoleMethods = ["log", "info", "warn", "error", "debug", "trace", "dir", "table"] as const

/**
 * Keeps what the examples print off the console until the returned function is called:
 * each example's lines go to its own list (what runs outside of an example prints as
 * usual).
 */
export const captureConsole = (): (() => void) => {
  const originals = consoleMethods.map((method) => [method, console[method]] as const)
  for (const [method, original] of originals) {
    console[method] = (...args: Array<unknown>) => {
      const printed = printing.getStore()
      if (printed === undefined) return (original as (...args: Array<unknown>) => void)(...args)
      printed.push(format(...args))
    }
  }
  return () => {
    for (const [method, original] of originals) console[method] = original as never
  }
}

/**
 * Runs one example: imports its module, then runs its `program` if it has one, checking
 * its `// => value` comments. Rejects, naming the example and its source line, when the
 * import throws or rejects, when the program fails, when a `// =>` comment does not hold
 * or never ran, or when the whole takes longer than `timeLimit` milliseconds (the program
 * is then interrupted). While {@link captureConsole} holds the console, the error ends
 * with what the example printed.
 */
export const runDocExample = async (example: DocExample, timeLimit: number = timeLimitMillis): Promise<void> => {
  const label = `${example.name} (${example.source}:${example.line})`
  const controller = new AbortController()
  const checked = startChecks(example.name)
  const printed: Array<string> = []
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`${label} did not end within ${timeLimit} ms`)
      controller.abort(error)
      reject(error)
    }, timeLimit)
  })
  const run = async (): Promise<void> => {
    let module: Record<string, unknown>
    try {
      module = await import(pathToFileURL(example.file).href)
    } catch (cause) {
      throw new Error(`${label} threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
    }
    if (!example.hasProgram) return
    const program = module.program
    if (!Effect.isEffect(program)) throw new Error(`${label} declares a \`program\` that is not an Effect`)
    const exit = await Effect.runPromiseExit(program as Effect.Effect<unknown, unknown>, { signal: controller.signal })
    if (Exit.isFailure(exit) && !controller.signal.aborted) {
      throw new Error(`${label}: its program failed:\n${Cause.pretty(exit.cause)}`)
    }
  }
  const output = () => (printed.length === 0 ? "" : `\nIt printed:\n  ${printed.join("\n").replaceAll("\n", "\n  ")}`)
  let failure: unknown
  try {
    await printing.run(printed, () => Promise.race([run(), expired]))
  } catch (error) {
    failure = error
  } finally {
    clearTimeout(timer)
  }
  // A mismatch first: the throw that reports it may have failed the example too.
  if (checked.mismatches.length > 0) throw new Error(`${checked.mismatches.join("\n")}${output()}`)
  if (failure !== undefined) {
    if (failure instanceof Error && printed.length > 0) failure.message += output()
    throw failure
  }
  const unreached = example.expectations.filter((at) => !checked.reached.has(at))
  if (unreached.length > 0) {
    throw new Error(`${label}: the \`// =>\` comment at ${unreached.join(", ")} never ran${output()}`)
  }
}

/** Directories never searched for READMEs. */
const notSearched = new Set(["node_modules", "build", "dist", ".git", ".stryker-tmp", "reports"])

/**
 * The READMEs of the workspace (relative paths) that hold a TypeScript block but that no
 * package's doc-example test runs: each should be, or its blocks should move.
 */
export const unhostedReadmes = (from: string | URL): Array<string> => {
  const root = workspaceRoot(toPath(from))
  const hosted = new Set(["README.md"])
  for (const name of readdirSync(path.join(root, "packages"))) {
    if (existsSync(path.join(root, "packages", name, "src"))) hosted.add(`packages/${name}/README.md`)
  }
  const found: Array<string> = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) {
        if (!notSearched.has(entry.name)) walk(full)
      } else if (entry.name === "README.md") {
        const relative = path.relative(root, full).split(path.sep).join("/")
        if (
          !hosted.has(relative) &&
          readFileSync(full, "utf8")
            .split(/\r?\n/)
            .some((line) => readmeOpenFence.test(line))
        ) {
          found.push(relative)
        }
      }
    }
  }
  walk(root)
  return found.toSorted()
}

/** The Vitest functions {@link describeDocExamples} needs, passed in by the test file. */
export interface TestApi {
  readonly describe: (name: string, body: () => void) => void
  readonly it: (name: string, body: () => Promise<void>) => void
  readonly beforeAll: (body: () => void) => void
}

/**
 * Declares the doc-example tests of the package at `packageDir`: regenerates the
 * examples (its JSDoc's, its README's and those of the `readmes` given; see
 * {@link writeDocExamples}), then one test typechecks them all, one test per example
 * runs it, and one test per README checks its markers.
 *
 * The typecheck and every example start together in `beforeAll`, so the whole takes
 * about as long as the slowest of them; each test then waits for its own outcome.
 */
export const describeDocExamples = (
  packageDir: string | URL,
  { beforeAll, describe, it }: TestApi,
  options: { readonly readmes?: ReadonlyArray<string> } = {}
): void => {
  const root = toPath(packageDir)
  const examples = writeDocExamples(root, { readmes: options.readmes ?? readmesHostedBy(root) })
  describe("JSDoc and README examples", () => {
    let typecheck: Promise<Array<string>> | undefined
    // Each outcome is kept as a value (an error or undefined), so that no rejection is
    // left unhandled while its test waits its turn.
    const outcomes = new Map<string, Promise<unknown>>()
    beforeAll(() => {
      typecheck = typecheckDocExamples(root, examples)
      // The examples print to show what they do: the test keeps it off its stdout.
      const releaseConsole = captureConsole()
      for (const example of examples) {
        outcomes.set(
          example.name,
          runDocExample(example).then(
            () => undefined,
            (error: unknown) => error
          )
        )
      }
      void Promise.all(outcomes.values()).then(releaseConsole)
    })

    it("every public module has an example", async () => {
      const missing = modulesWithoutExamples(root, examples)
      if (missing.length > 0) throw new Error(`no \`\`\`ts example in the JSDoc of ${missing.join(", ")}`)
    })

    it("every example typechecks", async () => {
      const problems = await typecheck!
      if (problems.length > 0) {
        throw new Error(`${problems.length} type error(s) in the JSDoc examples:\n${problems.join("\n")}`)
      }
    })

    for (const readme of examples.readmes) {
      it(`${readme.source}: each TypeScript block is a program or a fragment with a reason (${readme.blocks} blocks, ${readme.fragments.length} fragments)`, async () => {
        if (readme.problems.length > 0) throw new Error(readme.problems.join("\n"))
      })
    }

    for (const example of examples) {
      it(`${example.name} runs (${example.source}:${example.line})`, async () => {
        const error = await outcomes.get(example.name)
        if (error !== undefined) throw error
      })
    }
  })
}

/**
 * The READMEs a package's doc-example test runs besides its own: the root README's
 * blocks use core and interop, which resolve from the interop package.
 */
export const readmesHostedBy = (packageDir: string | URL): Array<string> =>
  path.basename(toPath(packageDir)) === "interop" ? ["../../README.md"] : []

if (import.meta.main) {
  const root = workspaceRoot(process.cwd())
  const args = process.argv.slice(2)
  const packages =
    args.length > 0
      ? args.map((dir) => path.resolve(dir))
      : readdirSync(path.join(root, "packages"))
          .map((name) => path.join(root, "packages", name))
          .filter((dir) => existsSync(path.join(dir, "src")))
          .toSorted()
  let failed = false
  for (const dir of packages) {
    const examples = writeDocExamples(dir, { readmes: readmesHostedBy(dir) })
    const problems = [
      ...modulesWithoutExamples(dir, examples).map((source) => `${source}: no \`\`\`ts example in its JSDoc`),
      ...examples.readmes.flatMap((readme) => readme.problems),
      ...(await typecheckDocExamples(dir, examples))
    ]
    const where = path.relative(root, path.join(dir, outputDir))
    console.log(`${path.relative(root, dir)}: ${examples.length} example(s) written to ${where}`)
    for (const readme of examples.readmes) {
      console.log(`  ${readme.source}: ${readme.blocks} TypeScript block(s), ${readme.fragments.length} fragment(s)`)
      for (const fragment of readme.fragments) console.log(`    fragment ${fragment}`)
    }
    for (const problem of problems) console.log(`  ${problem.replaceAll("\n", "\n  ")}`)
    failed ||= problems.length > 0
  }
  process.exitCode = failed ? 1 : 0
}
