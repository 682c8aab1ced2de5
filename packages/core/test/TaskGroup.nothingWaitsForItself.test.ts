// Issue 24, items 2 and 3: cancel never waits for its caller, and a callback that throws
// while a group shuts down never stops the shutdown. Every wait is bounded by a real
// timer outside Effect: a hang fails the test instead of hanging the run.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { type SoonValue, TaskGroup } from "@soonify/core"

/** `promise`'s outcome, or "hung" if it has not settled within `ms` (real time). */
const within = <A>(promise: Promise<A>, ms = 2_000): Promise<A | "hung"> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), ms)))
  return Promise.race([promise, hung]).finally(() => clearTimeout(timer))
}

/** The cause of a failed Exit (`Cause.empty` for a success, or a hang). */
const causeOf = (exit: Exit.Exit<unknown, unknown> | "hung"): Cause.Cause<unknown> =>
  exit !== "hung" && exit._tag === "Failure" ? exit.cause : Cause.empty

describe("a task's finalizer that cancels its own handle", () => {
  it("does not hang the task or its group (the task ends on its own)", async () => {
    const exit = await within(
      Effect.runPromiseExit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const own: { soon?: SoonValue.SoonValue<number> } = {}
            own.soon = yield* group.spawn(
              Effect.sleep("1 millis").pipe(Effect.as(1), Effect.ensuring(Effect.suspend(() => own.soon!.cancel)))
            )
            return own.soon
          })
        )
      )
    )
    assert.notStrictEqual(exit, "hung")
    assert.isTrue(Exit.isSuccess(exit as Exit.Exit<unknown>))
    assert.isTrue((exit as Exit.Success<SoonValue.SoonValue<number>>).value.ready)
  })

  it("does not hang a group cancelled while the finalizer runs, nor one whose timeout runs out", async () => {
    const finalized: Array<string> = []
    const started = new Set<string>()
    const selfCancelling = (group: TaskGroup.TaskGroup, name: string) => {
      const own: { soon?: SoonValue.SoonValue<never> } = {}
      return group
        .spawn(
          Effect.sync(() => started.add(name)).pipe(
            Effect.andThen(Effect.never),
            Effect.ensuring(
              Effect.suspend(() => own.soon!.cancel).pipe(Effect.andThen(Effect.sync(() => finalized.push(name))))
            )
          ),
          { name }
        )
        .pipe(Effect.map((soon) => (own.soon = soon)))
    }
    const timedOut = await within(
      Effect.runPromiseExit(
        TaskGroup.run((group) => Effect.andThen(selfCancelling(group, "timed"), Effect.never), { timeout: "20 millis" })
      )
    )
    assert.notStrictEqual(timedOut, "hung")
    assert.deepStrictEqual(
      causeOf(timedOut)
        .reasons.filter(Cause.isFailReason)
        .map((r) => (r.error as { _tag: string })._tag),
      ["TaskGroupTimeout"]
    )

    const group = TaskGroup.makeUnsafe()
    await Effect.runPromise(selfCancelling(group, "cancelled"))
    // Cancelled once it runs (a fiber interrupted before its first step runs no finalizer).
    for (let waited = 0; !started.has("cancelled") && waited < 2000; waited++) {
      await Effect.runPromise(Effect.sleep("1 millis"))
    }
    TaskGroup.cancelUnsafe(group)
    assert.notStrictEqual(await within(Effect.runPromiseExit(TaskGroup.join(group))), "hung")
    assert.deepStrictEqual(finalized, ["timed", "cancelled"])
  })

  it("does not hang when the cancel comes from the finalizer of a task nested in it", async () => {
    const exit = await within(
      Effect.runPromiseExit(
        TaskGroup.run((outer) =>
          Effect.gen(function* () {
            const own: { soon?: SoonValue.SoonValue<void> } = {}
            own.soon = yield* outer.spawn(
              TaskGroup.run((inner) =>
                inner.spawn(Effect.sleep("1 millis").pipe(Effect.ensuring(Effect.suspend(() => own.soon!.cancel))))
              ).pipe(Effect.asVoid)
            )
          })
        )
      )
    )
    assert.notStrictEqual(exit, "hung")
  })

  it("a task that cancels itself (interruptible) is interrupted right there", async () => {
    let reached = false
    const exit = await within(
      Effect.runPromiseExit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const own: { soon?: SoonValue.SoonValue<void> } = {}
            own.soon = yield* group.spawn(
              Effect.gen(function* () {
                yield* Effect.sleep("1 millis")
                yield* own.soon!.cancel
                reached = true
              })
            )
            return own.soon
          })
        )
      )
    )
    assert.isFalse(reached)
    const soon = (exit as Exit.Success<SoonValue.SoonValue<void>>).value
    assert.isTrue(Exit.hasInterrupts((await Effect.runPromise(Effect.exit(soon.await))) as Exit.Exit<void>))
  })

  it("still waits for the task when the canceller runs elsewhere (a sibling's finalizer)", async () => {
    const seen: Array<string> = []
    const exit = await within(
      Effect.runPromiseExit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            const slow = yield* group.spawn(
              Effect.never.pipe(
                Effect.onInterrupt(() =>
                  Effect.andThen(
                    Effect.sleep("5 millis"),
                    Effect.sync(() => seen.push("slow ended"))
                  )
                )
              )
            )
            yield* group.spawn(
              Effect.sleep("1 millis").pipe(
                Effect.ensuring(
                  Effect.andThen(
                    slow.cancel,
                    Effect.sync(() => seen.push("cancel returned"))
                  )
                )
              )
            )
          })
        )
      )
    )
    assert.notStrictEqual(exit, "hung")
    assert.deepStrictEqual(seen, ["slow ended", "cancel returned"])
  })
})
