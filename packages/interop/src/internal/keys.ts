// Keyed tasks (DESIGN §6) for Promise code: the kernel owns the keys (which task holds
// one, when it is freed, and gives the live task for its key, whose one handle every
// caller then holds); interop checks the option and computes a `soonify` key from the
// call's arguments.
import type { TaskKey } from "../TaskGroup.ts"
import { describe } from "./validation.ts"

const isKey = (u: unknown): u is TaskKey =>
  typeof u === "string" || typeof u === "symbol" || (typeof u === "number" && !Number.isNaN(u))

/** Throws a TypeError unless `key` is a key (or, where allowed, a function giving one). */
export const checkKey = (where: string, key: unknown, functionAllowed: "function allowed" | "key only"): void => {
  if (key === undefined || isKey(key) || (functionAllowed === "function allowed" && typeof key === "function")) return
  const expected =
    functionAllowed === "function allowed"
      ? "a string, a number, a symbol, or a function of the arguments giving one"
      : "a string, a number or a symbol"
  throw new TypeError(`${where}: option "key" must be ${expected}, received ${describe(key)}`)
}

/** The key of one `soonify` call: the key, or what the key function gives for `args` (checked). */
export const keyOfCall = (
  where: string,
  key: TaskKey | ((...args: Array<any>) => unknown),
  args: ReadonlyArray<unknown>
): TaskKey => {
  if (typeof key !== "function") return key
  const computed = key(...args)
  if (!isKey(computed)) {
    throw new TypeError(
      `${where}: the "key" function must give a string, a number or a symbol, received ${describe(computed)}`
    )
  }
  return computed
}
