/**
 * How an adapter says what it received in a bad-argument message, the same way in every
 * package (`@soonify/core`'s `Arguments` re-exports it for code built on it).
 *
 * @since 0.1.0
 */

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
 * import { describe } from "@soonify/kernel"
 *
 * describe(0) // => "number 0"
 * describe("x".repeat(41)) // => `string "${"x".repeat(40)}…"`
 * describe(new Map()) // => "object [object Map]"
 * ```
 *
 * @since 0.1.0
 * @category arguments
 */
export const describe = (u: unknown): string => {
  if (u === null) return "null"
  if (u === undefined) return "undefined"
  switch (typeof u) {
    case "number":
    case "bigint":
    case "boolean":
      return `${typeof u} ${String(u)}`
    case "string":
      return `string ${JSON.stringify(u.length > 40 ? `${u.slice(0, 40)}…` : u)}`
    case "function":
      return `function ${u.name || "(anonymous)"}`
    case "symbol":
      return String(u)
    default:
      return Array.isArray(u) ? `array of length ${u.length}` : `object ${Object.prototype.toString.call(u)}`
  }
}

/**
 * Tells whether a value can be iterated with `for…of`: what a function taking a
 * collection checks before it starts.
 *
 * **Example**
 *
 * ```ts
 * import { isIterable } from "@soonify/kernel"
 *
 * isIterable(new Set([1])) // => true
 * isIterable({}) // => false
 * ```
 *
 * @since 0.1.0
 * @category arguments
 */
export const isIterable = (u: unknown): u is Iterable<unknown> =>
  u !== null && u !== undefined && typeof (u as any)[Symbol.iterator] === "function"
