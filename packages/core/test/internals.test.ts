// The data structures under the group, pinned one by one: what the suites of whole
// groups cannot tell apart (a shortcut that gives the same answers, a list whose ended
// entries a snapshot would skip anyway) is still specified here.
import { assert, describe, it } from "@effect/vitest"
import { Context, Data, Effect, Exit } from "effect"
import { isEffect, isExit } from "../src/internal/effectKind.ts"

describe("isEffect", () => {
  class Database extends Context.Service<Database, { readonly url: string }>()("Database") {}

  it("is true for effects, Exits and services (which are functions), false for anything else", () => {
    assert.deepStrictEqual([Effect.void, Effect.sync(() => 1), Exit.succeed(1), Database].map(isEffect), [
      true,
      true,
      true,
      true
    ])
    assert.deepStrictEqual([null, undefined, 0, "effect", {}, () => Effect.void, Symbol("effect")].map(isEffect), [
      false,
      false,
      false,
      false,
      false,
      false,
      false
    ])
  })

  it("answers for each value, not for the last prototype it saw, when kinds alternate", () => {
    const sync = Effect.sync(() => 1)
    const values = [sync, {}, Effect.sync(() => 2), Object.create(null), Exit.succeed(1), () => 1, sync, Database, 0]
    assert.deepStrictEqual(values.map(isEffect), [true, false, true, false, true, false, true, true, false])
  })
})

describe("isExit", () => {
  class Success extends Data.TaggedError("Success")<{}> {}
  /** An Exit made by another copy of Effect: not one of this copy's prototypes, yet an Exit. */
  const foreign = (exit: Exit.Exit<unknown, unknown>): Exit.Exit<unknown, unknown> =>
    Object.assign(Object.create({ ...Object.getPrototypeOf(exit) }), exit)

  it("is true for every Exit, this copy of Effect's or another's", () => {
    const exits = [Exit.succeed(1), Exit.fail("e"), Exit.die("d"), Exit.interrupt(1)]
    assert.deepStrictEqual(exits.map(isExit), [true, true, true, true])
    assert.deepStrictEqual(exits.map(foreign).map(isExit), [true, true, true, true])
  })

  it("is false for other effects, also one tagged like an Exit", () => {
    assert.deepStrictEqual([Effect.sync(() => 1), Effect.never, new Success()].map(isExit), [false, false, false])
  })

  it("answers for each effect, not for the last prototype it saw, when kinds alternate", () => {
    const effects = [
      Effect.sync(() => 1),
      Effect.sync(() => 2),
      Exit.succeed(1),
      Effect.sync(() => 3),
      foreign(Exit.fail("e")),
      Effect.sync(() => 4),
      new Success(),
      Exit.die("d"),
      Effect.never
    ]
    assert.deepStrictEqual(effects.map(isExit), [false, false, true, false, true, false, false, true, false])
  })
})
