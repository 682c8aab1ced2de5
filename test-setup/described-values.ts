// How a bad-input error describes the value it received (guarantee 5), one row per
// kind of value: every package's errorMessages test checks its own messages against it.

const anonymous = [() => 1][0]
function namedTask() {}

/** Each kind of value, a value of it, and how a message says it was received. */
export const describedValues: ReadonlyArray<readonly [kind: string, value: unknown, received: string]> = [
  ["null", null, "received null"],
  ["a number", 0, "received number 0"],
  ["a bigint", 10n, "received bigint 10"],
  ["a boolean", false, "received boolean false"],
  ["a short string, quoted", "forty", 'received string "forty"'],
  ["a string of 40 characters, whole", "x".repeat(40), `received string "${"x".repeat(40)}"`],
  ["a longer string, cut after 40 characters", "y".repeat(41), `received string "${"y".repeat(40)}…"`],
  ["a named function, by its name", namedTask, "received function namedTask"],
  ["an anonymous function", anonymous, "received function (anonymous)"],
  ["a symbol, by its description", Symbol("tag"), "received Symbol(tag)"],
  ["an array, by its length", [1, 2, 3], "received array of length 3"],
  ["an object, by its tag", new Map(), "received object [object Map]"]
]
