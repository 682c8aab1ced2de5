/**
 * How soonify's packages check their arguments and say what they received: the pieces
 * of every bad-argument message, shared by `@soonify/core`, `@soonify/interop`,
 * `@soonify/worker` and `@soonify/cluster` (so that each says it the same way), and
 * there for code built on them that wants its errors to read alike.
 *
 * @since 0.2.0
 */
import * as dumping from "./internal/dumpOnSignal.ts"
import * as internal from "./internal/validation.ts"

/**
 * Describes a received value for an error message: its type and, when short, the value.
 *
 * **Details**
 *
 * Numbers, bigints and booleans are given with their value; strings quoted, cut after 40
 * characters; functions by name; symbols by description; arrays by length; other objects
 * by their `Object.prototype.toString` tag. It never calls the value's own `toString`.
 *
 * **Example**
 *
 * ```ts
 * import { Arguments } from "@soonify/core"
 *
 * Arguments.describe(0) // => "number 0"
 * Arguments.describe("x".repeat(41)) // => `string "${"x".repeat(40)}…"`
 * Arguments.describe(new Map()) // => "object [object Map]"
 * ```
 *
 * @since 0.2.0
 * @category describing
 */
export const describe: (u: unknown) => string = internal.describe

/**
 * The problem with an options argument as a whole, or `undefined` when it is an object or
 * `undefined`: the check every function taking options makes first.
 *
 * **Example**
 *
 * ```ts
 * import { Arguments } from "@soonify/core"
 *
 * Arguments.optionsProblem("f", 3) // => "f: options must be an object or undefined, received number 3"
 * Arguments.optionsProblem("f", {}) // => undefined
 * ```
 *
 * @since 0.2.0
 * @category checking
 */
export const optionsProblem: (where: string, options: unknown) => string | undefined = internal.optionsProblem

/**
 * Tells whether a value can be iterated with `for…of`: what a function taking a
 * collection checks before it starts.
 *
 * **Example**
 *
 * ```ts
 * import { Arguments } from "@soonify/core"
 *
 * Arguments.isIterable(new Set([1])) // => true
 * Arguments.isIterable({}) // => false
 * ```
 *
 * @since 0.2.0
 * @category checking
 */
export const isIterable: (u: unknown) => u is Iterable<unknown> = internal.isIterable

/**
 * The problem with a signal to listen for, or `undefined` when it is a signal name the
 * process can catch (`dumpOnSignal`'s check). `"SIGUSR1"` is refused: it opens Node's
 * inspector, which is how `soonify ps <pid>` attaches.
 *
 * **Example**
 *
 * ```ts
 * import { Arguments } from "@soonify/core"
 *
 * Arguments.signalProblem("f", "SIGUSR2") // => undefined
 * Arguments.signalProblem("f", "USR2") // => 'f: "signal" must be a signal name such as "SIGUSR2", received string "USR2"'
 * ```
 *
 * @since 0.2.0
 * @category checking
 */
export const signalProblem: (where: string, signal: unknown) => string | undefined = dumping.signalProblem
