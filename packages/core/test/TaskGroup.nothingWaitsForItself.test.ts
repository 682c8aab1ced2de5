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

/** The defects of a cause, as their messages. */
const defects = (cause: Cause.Cause<unknown>): Array<string> =>
  cause.reasons.flatMap((reason) =>
    reason._tag === "Die" ? [reason.defect instanceof Error ? reason.defect.message : String(reason.defect)] : []
  )

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

describe("a callback that throws while its group shuts down", () => {
  it("an onShutdownUnsafe listener: every task is still interrupted, its throw added to the failures", async () => {
    const group = TaskGroup.makeUnsafe()
    const finalized: Array<string> = []
    for (const name of ["a", "b"]) {
      TaskGroup.spawnUnsafe(
        group,
        Effect.onInterrupt(Effect.never, () => Effect.sync(() => finalized.push(name)))
      )
    }
    TaskGroup.onShutdownUnsafe(group, () => {
      throw new Error("listener 1")
    })
    let second = false
    TaskGroup.onShutdownUnsafe(group, () => (second = true))
    await Effect.runPromise(Effect.sleep("1 millis"))
    assert.doesNotThrow(() => TaskGroup.cancelUnsafe(group))
    const exit = await within(Effect.runPromiseExit(TaskGroup.join(group)))
    assert.notStrictEqual(exit, "hung")
    assert.isTrue(second)
    assert.deepStrictEqual(finalized, ["a", "b"])
    assert.isTrue(Cause.hasInterrupts(causeOf(exit)))
    assert.deepStrictEqual(defects(causeOf(exit)), ["listener 1"])
    // Registered once the group shuts down: called at once, its throw added too.
    assert.doesNotThrow(() =>
      TaskGroup.onShutdownUnsafe(TaskGroup.makeUnsafe(), () => {
        throw new Error("never called")
      })
    )
  })

  it("a listener's throw is added to the failure that shut the group down, never replacing it", async () => {
    const exit = await within(
      Effect.runPromiseExit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            TaskGroup.onShutdownUnsafe(group, () => {
              throw new Error("listener")
            })
            yield* group.spawn(Effect.never)
            yield* group.spawn(Effect.fail("boom"))
          })
        )
      )
    )
    assert.notStrictEqual(exit, "hung")
    assert.deepStrictEqual(
      causeOf(exit)
        .reasons.filter(Cause.isFailReason)
        .map((r) => r.error),
      ["boom"]
    )
    assert.deepStrictEqual(defects(causeOf(exit)), ["listener"])
  })

  it("an external task's interruptUnsafe: the other tasks are still interrupted, the throw added", async () => {
    const group = TaskGroup.makeUnsafe()
    const finalized: Array<string> = []
    let endThrowing: (() => void) | undefined
    const throwing = TaskGroup.spawnExternalUnsafe(group, () => {
      let observer: ((exit: Exit.Exit<never>) => void) | undefined
      // Ends a little after it was asked to stop (the group waits for it), though its stop threw.
      endThrowing = () => observer?.(Exit.interrupt(undefined))
      return {
        addObserver: (f) => void (observer = f),
        interruptUnsafe: () => {
          setTimeout(endThrowing!, 5)
          throw new Error("stop threw")
        }
      }
    })
    TaskGroup.spawnUnsafe(
      group,
      Effect.onInterrupt(Effect.never, () => Effect.sync(() => finalized.push("fiber")))
    )
    await Effect.runPromise(Effect.sleep("1 millis"))
    assert.doesNotThrow(() => TaskGroup.cancelUnsafe(group))
    const exit = await within(Effect.runPromiseExit(TaskGroup.join(group)))
    assert.notStrictEqual(exit, "hung")
    assert.deepStrictEqual(finalized, ["fiber"])
    assert.isTrue(throwing.ready)
    assert.deepStrictEqual(defects(causeOf(exit)), ["stop threw"])
  })

  it("an external task with retry (run in a fiber) whose interruptUnsafe throws: the throw reaches the group", async () => {
    const exit = await within(
      Effect.runPromiseExit(
        TaskGroup.run((group) =>
          Effect.gen(function* () {
            TaskGroup.spawnExternalUnsafe(
              group,
              () => {
                let observer: ((exit: Exit.Exit<never>) => void) | undefined
                return {
                  addObserver: (f) => void (observer = f),
                  interruptUnsafe: () => {
                    observer?.(Exit.interrupt(undefined))
                    throw new Error("stop threw")
                  }
                }
              },
              { retry: { times: 1 } }
            )
            yield* Effect.sleep("1 millis")
            return yield* Effect.fail("body failed")
          })
        )
      )
    )
    assert.notStrictEqual(exit, "hung")
    assert.deepStrictEqual(defects(causeOf(exit)), ["stop threw"])
  })
})

describe("spawnExternalUnsafe with a start function that returns no ExternalTask", () => {
  const badResults: Array<unknown> = [undefined, 42, {}, { addObserver: () => undefined }]

  it.each(badResults)("ends the task failed with an IllegalArgumentError naming `start` (%o)", async (bad) => {
    for (const options of [{}, { timeout: "1 second" }, { retry: { times: 1 } }] as const) {
      const group = TaskGroup.makeUnsafe({ mode: "settle" })
      const soon = TaskGroup.spawnExternalUnsafe(group, () => bad as TaskGroup.ExternalTask<number>, options)
      assert.notStrictEqual(await within(Effect.runPromiseExit(TaskGroup.join(group))), "hung")
      assert.isTrue(soon.ready)
      const exit = await Effect.runPromiseExit(soon.await)
      const defect = Exit.isFailure(exit) ? exit.cause.reasons.find(Cause.isDieReason)?.defect : undefined
      assert.instanceOf(defect, Cause.IllegalArgumentError)
      assert.match((defect as Error).message, /`start`.*must return an ExternalTask/)
    }
  })

  it("the same with a concurrency limit (the start waits for a permit), through startExternalUnsafe and TaskGroup.external", async () => {
    const group = TaskGroup.makeUnsafe({ mode: "settle", concurrency: 1 })
    TaskGroup.spawnUnsafe(group, Effect.sleep("1 millis"))
    const soon = TaskGroup.spawnExternalUnsafe(group, () => null as unknown as TaskGroup.ExternalTask<number>)
    assert.notStrictEqual(await within(Effect.runPromiseExit(TaskGroup.join(group))), "hung")
    assert.isTrue(soon.ready)
    // startExternalUnsafe: the handshake fails with it, the task has ended.
    const settle = TaskGroup.makeUnsafe({ mode: "settle" })
    const handshake = TaskGroup.startExternalUnsafe(settle, () => 7 as unknown as TaskGroup.ExternalTask<number>)
    const started = await within(Effect.runPromiseExit(handshake.started))
    assert.isTrue(causeOf(started).reasons.some((r) => Cause.isDieReason(r) && Cause.isIllegalArgumentError(r.defect)))
    assert.isTrue(handshake.soon.ready)
    assert.notStrictEqual(await within(Effect.runPromiseExit(TaskGroup.join(settle))), "hung")
    const exit = await within(
      Effect.runPromiseExit(TaskGroup.external(() => "nope" as unknown as TaskGroup.ExternalTask<number>))
    )
    assert.isTrue(Exit.isFailure(exit as Exit.Exit<number>))
    assert.isTrue(causeOf(exit).reasons.some((r) => Cause.isDieReason(r) && Cause.isIllegalArgumentError(r.defect)))
  })
})
