// JSDoc examples whose `// => value` comments do and do not hold: what
// packages/core/test/docExamples.test.ts runs to check the doc-examples tool itself.

/**
 * ```ts
 * ;[1, 2].length // => 2: prose may follow the value
 * console.log("printed", 1) // => "printed", 1
 * const [a] = [40 + 2] // => [42]
 * ```
 */
export const holds = 1

/**
 * ```ts
 * console.log("before the mismatch")
 * 1 + 1 // => 3
 * ```
 */
export const mismatch = 1

/**
 * ```ts
 * try {
 *   Math.max(1, 2) // => 1
 * } catch {
 *   // The example's own code swallows the throw: the check is recorded anyway.
 * }
 * ```
 */
export const swallowed = 1

/**
 * ```ts
 * export const later = (): number => {
 *   return Math.max(1, 2) // => 2
 * }
 * ```
 */
export const neverRan = 1

/**
 * ```ts
 * import { Effect } from "effect"
 *
 * const program = Effect.succeed(41) // => 42
 * ```
 */
export const program = 1

/**
 * ```ts
 * const most = Math.max(
 *   1,
 *   2
 * ) // => 3
 * ```
 */
export const multiline = 1
