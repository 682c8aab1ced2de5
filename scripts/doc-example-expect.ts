/**
 * What a JSDoc example's `// => value` comments turn into (see scripts/doc-examples.ts):
 * `expr // => value` becomes `expectDoc(site, expr, value)`, which checks that `expr`
 * deep-equals `value` and gives `expr` back. Each check is recorded for its example, so
 * that the runner reports a mismatch even where the example's own code would swallow the
 * throw (a task of a settle-mode group), and an assertion that never ran.
 */
import { Effect, Equal } from "effect"
import { inspect, isDeepStrictEqual } from "node:util"

/** Where a `// =>` comment stands, and what it asserts. */
export interface Site {
  /** The example's name, `<Module>.<export>.<n>`. */
  readonly example: string
  /** The source line of the comment, `src/TaskGroup.ts:542`. */
  readonly at: string
  /** The code whose value the comment gives. */
  readonly code: string
  /** How the code's value is read: its value, what it logged, or what the `program` succeeds with. */
  readonly kind: "value" | "logged" | "program"
}

/** What the checks of one example found. */
export interface Checked {
  /** The source lines (`src/TaskGroup.ts:542`) whose check ran. */
  readonly reached: Set<string>
  /** One message per mismatch. */
  readonly mismatches: Array<string>
}

// On globalThis, so that every copy of this module (the examples import it by path, the
// runner through the test's module graph) records in one place.
const registry: Map<string, Checked> = ((globalThis as Record<symbol, unknown>)[
  Symbol.for("soonify/doc-example-expect")
] ??= new Map()) as Map<string, Checked>

/** Forgets what earlier runs of `example` recorded, and gives the record its checks will fill. */
export const startChecks = (example: string): Checked => {
  const checked: Checked = { reached: new Set(), mismatches: [] }
  registry.set(example, checked)
  return checked
}

const show = (value: unknown): string => inspect(value, { depth: 6, breakLength: Infinity })

/** Deep equality: Node's strict one, or Effect's `Equal` for its data types. */
const equal = (actual: unknown, expected: unknown): boolean =>
  isDeepStrictEqual(actual, expected) || Equal.equals(actual, expected)

/** Checks that `actual` deep-equals `expected` and returns `actual`; throws (and records) when not. */
export const expectDoc = <A>(site: Site, actual: A, expected: unknown): A => {
  const checked = registry.get(site.example) ?? startChecks(site.example)
  checked.reached.add(site.at)
  if (!equal(actual, expected)) {
    const values = (value: unknown) =>
      site.kind === "logged" ? (value as ReadonlyArray<unknown>).map(show).join(", ") : show(value)
    const verb = site.kind === "logged" ? "logged" : site.kind === "program" ? "succeeded with" : "is"
    const message =
      `${site.at} (${site.example}): \`${site.code}\` ${verb} ${values(actual)}, ` +
      `but its \`// =>\` comment says ${values(expected)}`
    checked.mismatches.push(message)
    throw new Error(message)
  }
  return actual
}

/** `const program = effect // => value`: checks what `effect` succeeds with, when it is run. */
export const expectDocProgram = <A, E, R>(
  site: Site,
  program: Effect.Effect<A, E, R>,
  expected: unknown
): Effect.Effect<A, E, R> => Effect.tap(program, (value) => Effect.sync(() => expectDoc(site, value, expected)))
