// Issue 24, item 1: `soon.cancel()` never waits for its caller. From inside the task it
// cancels, or from a task nested under it, it starts the cancellation and rejects at
// once with the task's cancellation reason (ambient cancellation). Every wait is bounded
// by a real timer: a hang fails the test instead of hanging the run.
import { describe, expect, it } from "vitest"
import { CancelledError, createTaskGroup, type SoonValue, TimeoutError, taskGroup } from "@soonify/interop"
import { sleep } from "./sleep.ts"

/** `promise`'s outcome (a rejection as `{ rejected }`), or "hung" if it has not settled within `ms`. */
const within = <A>(promise: Promise<A>, ms = 2_000): Promise<A | { rejected: unknown } | "hung"> => {
  let timer: ReturnType<typeof setTimeout> | undefined
  const hung = new Promise<"hung">((resolve) => (timer = setTimeout(() => resolve("hung"), ms)))
  return Promise.race([promise.catch((rejected: unknown) => ({ rejected })), hung]).finally(() => clearTimeout(timer))
}

describe("soon.cancel() from inside the task it cancels", () => {
  it("starts the cancellation and rejects at once with the task's reason; the task ends cancelled", async () => {
    const seen: Array<unknown> = []
    const own: { soon?: SoonValue<string> } = {}
    const outcome = await within(
      taskGroup(async (tg) => {
        own.soon = tg.soonify(async () => {
          await sleep(1)
          await own.soon!.cancel().catch((reason: unknown) => {
            seen.push(reason)
            throw reason
          })
          return "not reached"
        })()
        return own.soon
      })
    )
    expect(outcome).toBe(own.soon)
    expect(own.soon!.status).toBe("cancelled")
    expect(seen).toHaveLength(1)
    expect(seen[0]).toBeInstanceOf(CancelledError)
  })

  it("the first task to finish cancels every handle, its own included: the group ends", async () => {
    const outcome = await within(
      taskGroup(async (tg) => {
        const handles: Array<SoonValue<number>> = []
        const racer = async (ms: number) => {
          await sleep(ms)
          await Promise.all(handles.map((soon) => soon.cancel()))
          return ms
        }
        for (const ms of [5, 50, 60]) handles.push(tg.soonify(racer)(ms))
        return handles
      })
    )
    expect(outcome).not.toBe("hung")
    expect((outcome as Array<SoonValue<number>>).map((soon) => soon.status)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled"
    ])
  })

  it("the same with tg.spawn, a retried task and a keyed task", async () => {
    const outcome = await within(
      taskGroup(async (tg) => {
        const own: Array<SoonValue<unknown>> = []
        own.push(
          tg.spawn(async () => {
            await sleep(1)
            await own[0]!.cancel()
          })
        )
        own.push(
          tg.spawn(
            async () => {
              await sleep(1)
              await own[1]!.cancel()
            },
            { retry: { times: 2 } }
          )
        )
        own.push(
          tg.spawn(
            async () => {
              await sleep(1)
              await own[2]!.cancel()
            },
            { key: "k" }
          )
        )
        return own
      })
    )
    expect(outcome).not.toBe("hung")
    expect((outcome as Array<SoonValue<unknown>>).map((soon) => soon.status)).toEqual([
      "cancelled",
      "cancelled",
      "cancelled"
    ])
  })

  it("from a task nested under it (in a group it opened)", async () => {
    const own: { soon?: SoonValue<void> } = {}
    const outcome = await within(
      taskGroup(async (tg) => {
        own.soon = tg.soonify(async () => {
          await taskGroup(async (inner) => {
            inner.soonify(async () => {
              await sleep(1)
              await own.soon!.cancel()
            })()
          })
        })()
      })
    )
    expect(outcome).toBeUndefined()
    expect(own.soon!.status).toBe("cancelled")
  })

  it("a createTaskGroup's task that cancels itself: disposing the group ends", async () => {
    const group = createTaskGroup()
    const own: { soon?: SoonValue<void> } = {}
    own.soon = group.spawn(async () => {
      await sleep(1)
      await own.soon!.cancel()
    })
    expect(await within(group[Symbol.asyncDispose]())).toBeUndefined()
    expect(own.soon.status).toBe("cancelled")
  })

  it("a cancel nobody awaits, in a task then cancelled, is no unhandled rejection", async () => {
    const unhandled: Array<unknown> = []
    const onUnhandled = (reason: unknown) => unhandled.push(reason)
    process.on("unhandledRejection", onUnhandled)
    try {
      const reason = new Error("group cancelled")
      const outcome = await within(
        taskGroup(async (tg) => {
          const own: { soon?: SoonValue<void> } = {}
          own.soon = tg.spawn(async (signal) => {
            await sleep(1)
            void own.soon!.cancel()
            expect(signal.aborted).toBe(true)
          })
          const slow = tg.spawn(async (signal) => {
            await new Promise((resolve) => signal.addEventListener("abort", resolve))
            await sleep(5)
          })
          await sleep(2)
          void slow.cancel()
          tg.cancel(reason)
        })
      )
      await sleep(10)
      expect(outcome).toEqual({ rejected: reason })
      expect(unhandled).toEqual([])
    } finally {
      process.off("unhandledRejection", onUnhandled)
    }
  })

  it("a sibling that cancels another task still waits for it to end", async () => {
    const seen: Array<string> = []
    await taskGroup(async (tg) => {
      const slow = tg.spawn(async (signal) => {
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }))
        await sleep(10)
        seen.push("slow ended")
      })
      tg.soonify(async () => {
        await sleep(1)
        await slow.cancel()
        seen.push("cancel resolved")
      })()
    })
    expect(seen).toEqual(["slow ended", "cancel resolved"])
  })
})

describe("a group whose task waits on a cancel of a task it runs under", () => {
  // Its timeout or signal fired first: the task, already cancelled, then awaits a cancel
  // of itself (or of the task it runs under) in a `finally` block. That wait must end.

  it("the group's timeout ends a task awaiting its own cancel from its finally block", async () => {
    const own: { soon?: SoonValue<void> } = {}
    const outcome = await within(
      taskGroup(
        async (tg) => {
          own.soon = tg.spawn(async (signal) => {
            try {
              await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)))
            } finally {
              await own.soon!.cancel().catch(() => undefined)
            }
          })
        },
        { timeout: 20 }
      )
    )
    expect((outcome as { rejected: unknown }).rejected).toBeInstanceOf(TimeoutError)
    expect(own.soon!.status).toBe("cancelled")
  })

  it("the group's signal ends a nested task awaiting the cancel of the task it runs under", async () => {
    const controller = new AbortController()
    const reason = new Error("stop")
    const own: { soon?: SoonValue<void> } = {}
    setTimeout(() => controller.abort(reason), 20)
    const outcome = await within(
      taskGroup(
        async (tg) => {
          own.soon = tg.soonify(async () => {
            await taskGroup(async (inner) => {
              inner.spawn(async (signal) => {
                try {
                  await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)))
                } finally {
                  await own.soon!.cancel()
                }
              })
            })
          })()
        },
        { signal: controller.signal }
      )
    )
    expect(outcome).toEqual({ rejected: reason })
    expect(own.soon!.status).toBe("cancelled")
  })
})
