import { assert, beforeAll, describe, it } from "vitest"

// Every ```ts block in the JSDoc of src/*.ts, and every TypeScript block of README.md (for
// interop, of the root README.md too), is a test: it must typecheck and run, or be marked
// as a fragment with its reason (see scripts/doc-examples.ts).
// The harness is shared by every package and lives outside this TypeScript project,
// hence the import by URL.
const harness = new URL("../../../scripts/doc-examples.ts", import.meta.url).href
const { captureConsole, describeDocExamples, runDocExample, typecheckDocExamples, unhostedReadmes, writeDocExamples } =
  await import(harness)

describeDocExamples(new URL("..", import.meta.url), { beforeAll, describe, it })

describe("the doc-examples tool", () => {
  // A package of examples made to fail (test-setup/doc-examples-fixture/src/Checks.ts).
  const fixture = new URL("../../../test-setup/doc-examples-fixture", import.meta.url)
  const examples = new Map<string, unknown>(writeDocExamples(fixture).map((example: any) => [example.name, example]))
  const failureOf = async (name: string): Promise<string> => {
    const release = captureConsole()
    try {
      await runDocExample(examples.get(name))
    } catch (error) {
      return error instanceof Error ? error.message : String(error)
    } finally {
      release()
    }
    return assert.fail(`${name} ran without a failure`)
  }

  it("passes examples whose `// =>` comments hold, values, logs and destructurings alike", async () => {
    const release = captureConsole()
    try {
      await runDocExample(examples.get("Checks.holds.1"))
    } finally {
      release()
    }
  })

  it("fails on a `// =>` value that does not hold, naming file, line, export and code, with what it printed", async () => {
    const message = await failureOf("Checks.mismatch.1")
    assert.include(message, "src/Checks.ts:16 (Checks.mismatch.1): `1 + 1` is 2, but its `// =>` comment says 3")
    assert.include(message, "It printed:\n  before the mismatch")
  })

  it("fails on a mismatch even when the example's own code catches the throw", async () => {
    const message = await failureOf("Checks.swallowed.1")
    assert.include(
      message,
      "src/Checks.ts:24 (Checks.swallowed.1): `Math.max(1, 2)` is 2, but its `// =>` comment says 1"
    )
  })

  it("fails on a `// =>` comment that never ran", async () => {
    const message = await failureOf("Checks.neverRan.1")
    assert.include(message, "the `// =>` comment at src/Checks.ts:35 never ran")
  })

  it("checks a statement over several lines whole, at the line of its `// =>` comment", async () => {
    const message = await failureOf("Checks.multiline.1")
    assert.include(
      message,
      "src/Checks.ts:55 (Checks.multiline.1): `Math.max( 1, 2 )` is 2, but its `// =>` comment says 3"
    )
  })

  it("checks what a `program` succeeds with", async () => {
    const message = await failureOf("Checks.program.1")
    assert.include(
      message,
      "src/Checks.ts:45 (Checks.program.1): `Effect.succeed(41)` succeeded with 41, but its `// =>` comment says 42"
    )
  })
})

describe("the doc-examples tool on a README", () => {
  it("every README of the repository with a TypeScript block is run by a package's doc-example test", () => {
    // The fixture's README is the tool's own test: it is run below, made to fail.
    assert.deepStrictEqual(
      unhostedReadmes(new URL("..", import.meta.url)).filter(
        (readme: string) => readme !== "test-setup/doc-examples-fixture/README.md"
      ),
      []
    )
  })

  // A README of blocks made to fail (test-setup/doc-examples-fixture/README.md).
  const fixture = new URL("../../../test-setup/doc-examples-fixture", import.meta.url)
  const written = writeDocExamples(fixture)
  const readme = "test-setup/doc-examples-fixture/README.md"
  const examples = new Map<string, any>(written.map((example: any) => [example.name, example]))
  const report = written.readmes.find((found: any) => found.source === readme)
  const run = async (name: string): Promise<string | undefined> => {
    const example = examples.get(name)
    if (example === undefined) return assert.fail(`no README example ${name}: ${[...examples.keys()].join(", ")}`)
    const release = captureConsole()
    try {
      await runDocExample(example)
      return undefined
    } catch (error) {
      return error instanceof Error ? error.message : String(error)
    } finally {
      release()
    }
  }

  it("counts every TypeScript block and lists the fragments with their reasons", () => {
    assert.strictEqual(report.blocks, 8)
    assert.deepStrictEqual(report.fragments, [`${readme}:33: a signature, not a program`])
    assert.notInclude(
      written.filter((example: any) => example.source === readme).map((example: any) => example.lines[0]),
      34,
      "a fragment is neither typechecked nor run"
    )
  })

  it("reports a marker it cannot follow, naming its line", () => {
    assert.deepStrictEqual(report.problems, [
      `${readme}:37: \`<!-- fragment: … -->\` needs a reason`,
      `${readme}:42: unknown marker \`fragmnt\` (fragment, file or continues)`
    ])
  })

  it("runs a block and the block that continues it as one program, checking `// =>` at README lines", async () => {
    assert.strictEqual(await run("README.6"), undefined)
    assert.deepStrictEqual(examples.get("README.6").expectations, [`${readme}:8`, `${readme}:15`])
  })

  it("fails on a `// =>` value that does not hold, naming the README and the line", async () => {
    const message = await run("README.18")
    assert.include(
      message,
      `${readme}:20 (README.18): \`console.log(2 * 2)\` logged 4, but its \`// =>\` comment says 5`
    )
    assert.include(message, "It printed:\n  before the mismatch")
  })

  it("fails on an unmarked block that throws", async () => {
    assert.include(
      await run("README.28"),
      "README.28 (test-setup/doc-examples-fixture/README.md:29) threw: the program stopped"
    )
  })

  it("fails the typecheck on an unmarked block that does not compile, at its README line", async () => {
    const problems: Array<string> = (await typecheckDocExamples(fixture, written)).filter((problem: string) =>
      problem.startsWith(readme)
    )
    assert.deepStrictEqual(problems, [
      `${readme}:24:7 (README.23): TS2322: Type 'string' is not assignable to type 'number'.`
    ])
  })
})
