// Structure that composes: interop's operations started inside a task or a group body
// are tied to it (DESIGN.md §3, "Structure that composes (interop)").
import { describe, expect, expectTypeOf, it } from "vitest"
import {
  type AsCompletedOptions,
  asCompleted,
  CancelledError,
  createTaskGroup,
  gather,
  resultsToChannel,
  type SoonValue,
  taskGroup,
  TimeoutError,
  waitAll,
  waitAny,
  type WaitOptions
} from "@soonify/interop"
import { AsyncLocalStorage } from "node:async_hooks"
import { since, sleep, untilAborted } from "./sleep.ts"

/** Settles like `promise`, or rejects with a "hung" error if it has not settled within `ms`. */
const within = <A>(ms: number, promise: Promise<A>): Promise<A> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms)
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error) => (clearTimeout(timer), reject(error))
    )
  })

/** What `promise` rejects with (fails the test if it resolves or hangs). */
const rejection = async (promise: Promise<unknown>, ms = 1000): Promise<unknown> => {
  try {
    await within(ms, promise)
  } catch (error) {
    return error
  }
  throw new Error("expected a rejection")
}

/** A task that ends only when its signal is aborted, recording the reason it got. */
const recorder = () => {
  const reasons: Array<unknown> = []
  const task = async (signal: AbortSignal) => {
    try {
      await untilAborted(signal)
    } finally {
      reasons.push(signal.reason)
    }
  }
  return { reasons, task }
}

describe("nested operations are cancelled with the task or body they run in", () => {
  it("a gather in a body is cancelled by the group's timeout, and the group rejects with the TimeoutError", async () => {
    const { reasons, task } = recorder()
    const start = performance.now()
    const error = await rejection(taskGroup(async () => void (await gather([task])), { timeout: 20 }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(reasons).toEqual([error])
    expect(since(start)).toBeLessThan(500)
  })

  it("an asCompleted loop in a body is cancelled by the group's timeout", async () => {
    const { reasons, task } = recorder()
    const error = await rejection(
      taskGroup(
        async () => {
          for await (const _ of asCompleted([task])) void _
        },
        { timeout: 20 }
      )
    )
    expect(error).toBeInstanceOf(TimeoutError)
    expect(reasons).toEqual([error])
  })

  it("a taskGroup opened in a task is cancelled when a sibling fails, and waited for", async () => {
    const { reasons, task } = recorder()
    const boom = new Error("boom")
    const error = await rejection(
      taskGroup((tg) => {
        tg.soonify(() => taskGroup((inner) => void inner.spawn(task)))()
        tg.spawn(async () => {
          await sleep(10)
          throw boom
        })
      })
    )
    expect(error).toBe(boom)
    expect(reasons).toHaveLength(1)
    expect(reasons[0]).toBeInstanceOf(CancelledError)
  })

  it("a createTaskGroup made in a task is cancelled by the outer signal", async () => {
    const { reasons, task } = recorder()
    const controller = new AbortController()
    const reason = new Error("stop")
    setTimeout(() => controller.abort(reason), 10)
    const error = await rejection(
      taskGroup(
        (tg) =>
          void tg.spawn(async () => {
            await using inner = createTaskGroup()
            inner.spawn(task)
          }),
        { signal: controller.signal }
      )
    )
    expect(error).toBe(reason)
    expect(reasons).toEqual([reason])
  })

  it("soon.cancel() on a task cancels the gather it awaits; the task ends cancelled, not failed", async () => {
    const { reasons, task } = recorder()
    const outcome = await within(
      1000,
      taskGroup(async (tg) => {
        const soon = tg.spawn(() => gather([task]))
        await sleep(10)
        await soon.cancel()
        return soon
      })
    )
    expect(outcome.status).toBe("cancelled")
    expect(reasons).toHaveLength(1)
    expect(reasons[0]).toBeInstanceOf(CancelledError)
  })

  it("soon.cancel() on a soonify'd task cancels the gather it awaits, and nothing else of its group", async () => {
    const { reasons, task } = recorder()
    const outcome = await within(
      1000,
      taskGroup(async (tg) => {
        const sibling = tg.soonify(async () => (await sleep(30), "sibling"))()
        const soon = tg.soonify(async (ms: number) => {
          await sleep(ms)
          return gather([task])
        })(1)
        await sleep(10)
        await soon.cancel()
        return { soon, sibling, groupAborted: tg.signal.aborted }
      })
    )
    expect(outcome.soon.status).toBe("cancelled")
    expect(reasons).toHaveLength(1)
    expect(reasons[0]).toBeInstanceOf(CancelledError)
    expect(outcome.groupAborted).toBe(false)
    expect(outcome.sibling.value).toBe("sibling")
  })

  it("soon.cancel() on a soonify'd task cancels a taskGroup it opened after an await", async () => {
    const { reasons, task } = recorder()
    const outcome = await within(
      1000,
      taskGroup(async (tg) => {
        const soon = tg.soonify(async () => {
          await sleep(1)
          return taskGroup((inner) => void inner.spawn(task))
        })()
        await sleep(10)
        await soon.cancel()
        return soon
      })
    )
    expect(outcome.status).toBe("cancelled")
    expect(reasons).toHaveLength(1)
  })

  it("a gather that a soonify'd task left behind belongs to the task's group: cancelled with it", async () => {
    const { reasons, task } = recorder()
    const reason = new Error("stop")
    let left: Promise<unknown> | undefined
    const error = await rejection(
      taskGroup(async (tg) => {
        await tg
          .soonify(async () => {
            await sleep(1)
            setTimeout(() => (left = gather([task]).catch((error: unknown) => error)), 5)
          })()
          .wait()
        await sleep(20)
        tg.cancel(reason)
      })
    )
    expect(error).toBe(reason)
    expect(await left).toBe(reason)
    expect(reasons).toEqual([reason])
  })

  it("a nested group settles only after its tasks did, even if they ignore their signal", async () => {
    const ended: Array<string> = []
    const error = await rejection(
      taskGroup(
        async () => {
          await taskGroup(
            (inner) =>
              void inner.spawn(async () => {
                await sleep(40)
                ended.push("inner task")
              })
          )
        },
        { timeout: 10 }
      )
    )
    ended.push("outer group")
    expect(error).toBeInstanceOf(TimeoutError)
    expect(ended).toEqual(["inner task", "outer group"])
  })

  it("waitAny, waitAll, resultsToChannel and soon.wait() in a body reject with the group's reason", async () => {
    for (const wait of [
      (soon: SoonValue<unknown>) => waitAny([soon]),
      (soon: SoonValue<unknown>) => waitAll([soon]),
      async (soon: SoonValue<unknown>) => {
        for await (const _ of resultsToChannel([soon])) void _
      },
      (soon: SoonValue<unknown>) => soon.wait()
    ]) {
      const reason = new Error("enough")
      const error = await rejection(
        taskGroup(async (tg) => {
          const soon = tg.spawn(untilAborted)
          setTimeout(() => tg.cancel(reason), 10)
          await wait(soon)
        })
      )
      expect(error).toBe(reason)
    }
  })

  it("a tg.start awaited by a task that is cancelled cancels the starting task", async () => {
    const { reasons, task } = recorder()
    const inner = createTaskGroup()
    await within(
      1000,
      taskGroup(async (tg) => {
        const waiting = tg.spawn(() => inner.start((_started: () => void, signal) => task(signal)))
        await sleep(10)
        await waiting.cancel()
        expect(waiting.status).toBe("cancelled")
      })
    )
    await within(1000, inner[Symbol.asyncDispose]())
    expect(reasons).toHaveLength(1)
    expect(reasons[0]).toBeInstanceOf(CancelledError)
  })

  it("outside any task, nothing is tied: a gather started at top level is not cancelled by a group", async () => {
    let gathered: Promise<unknown> | undefined
    await taskGroup((tg) => {
      tg.cancel()
    }).catch(() => undefined)
    gathered = gather([async () => (await sleep(5), "done")])
    expect(await gathered).toEqual(["done"])
  })
})

describe("the caller's own AsyncLocalStorage values", () => {
  it("reach the tasks it starts, also in a long-lived group made elsewhere", async () => {
    const request = new AsyncLocalStorage<string>()
    const tg = createTaskGroup()
    const seen = await Promise.all(
      ["a", "b"].map((id) =>
        request.run(id, async () => {
          await sleep(1)
          const spawned = tg.spawn(async () => (await sleep(1), request.getStore()))
          const soonified = tg.soonify(async () => (await sleep(1), request.getStore()))()
          const gathered = await gather([async () => (await sleep(1), request.getStore())])
          const body = await taskGroup(async () => (await sleep(1), request.getStore()))
          return [await spawned.wait(), await soonified.wait(), ...gathered, body, request.getStore()]
        })
      )
    )
    expect(seen).toEqual([
      ["a", "a", "a", "a", "a"],
      ["b", "b", "b", "b", "b"]
    ])
    await tg[Symbol.asyncDispose]()
  })
})

describe("explicit signals and timeouts", () => {
  it("gather takes a timeout and rejects with a TimeoutError after its functions settled", async () => {
    const { reasons, task } = recorder()
    const error = await rejection(gather([task], { timeout: 10 }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(reasons).toEqual([error])
  })

  it("asCompleted takes a signal and a timeout", async () => {
    const controller = new AbortController()
    const reason = new Error("stop")
    setTimeout(() => controller.abort(reason), 10)
    const byAbort = rejection(
      (async () => {
        for await (const _ of asCompleted([untilAborted], { signal: controller.signal })) void _
      })()
    )
    expect(await byAbort).toBe(reason)
    const byTimeout = await rejection(
      (async () => {
        for await (const _ of asCompleted([untilAborted], { timeout: 10 })) void _
      })()
    )
    expect(byTimeout).toBeInstanceOf(TimeoutError)
  })

  it("an asCompleted loop cancelled from outside throws a failure met while stopping, not the reason", async () => {
    const boom = new Error("failed while stopping")
    const error = await rejection(
      (async () => {
        const failsWhenStopped = async (signal: AbortSignal) => {
          await untilAborted(signal).catch(() => undefined)
          throw boom
        }
        for await (const _ of asCompleted([failsWhenStopped], { timeout: 10 })) void _
      })()
    )
    expect(error).toBe(boom)
  })

  it("waitAny, waitAll, resultsToChannel and soon.wait() take a signal", async () => {
    const group = createTaskGroup()
    const soon = group.spawn(untilAborted)
    for (const wait of [
      (signal: AbortSignal) => waitAny([soon], { signal }),
      (signal: AbortSignal) => waitAll([soon], { signal }),
      async (signal: AbortSignal) => {
        for await (const _ of resultsToChannel([soon], { signal })) void _
      },
      (signal: AbortSignal) => soon.wait({ signal })
    ]) {
      const reason = new Error("stop waiting")
      expect(await rejection(wait(AbortSignal.abort(reason)))).toBe(reason)
      const controller = new AbortController()
      setTimeout(() => controller.abort(reason), 5)
      expect(await rejection(wait(controller.signal))).toBe(reason)
    }
    expect(soon.status).toBe("pending")
    group.cancel()
    await group[Symbol.asyncDispose]().catch(() => undefined)
  })

  it("types the options and keeps the results' types", () => {
    // Only typed, never run: the calls would start real work.
    const typed = (soon: SoonValue<number>, signal: AbortSignal) => {
      expectTypeOf(asCompleted([async () => 1], { signal, timeout: 5 })).toEqualTypeOf<AsyncIterable<number>>()
      expectTypeOf(waitAny([soon], { signal })).toEqualTypeOf<Promise<SoonValue<number>>>()
      expectTypeOf(soon.wait({ signal })).toEqualTypeOf<Promise<number>>()
      expectTypeOf(gather([async () => "x"], { timeout: 10 })).toEqualTypeOf<Promise<[string]>>()
    }
    expectTypeOf(typed).toBeFunction()
    expectTypeOf<AsCompletedOptions>().toEqualTypeOf<{
      readonly signal?: AbortSignal | undefined
      readonly timeout?: number | undefined
      readonly concurrency?: number | undefined
    }>()
    expectTypeOf<WaitOptions>().toEqualTypeOf<{ readonly signal?: AbortSignal | undefined }>()
  })

  it("timeout options are validated like taskGroup's", async () => {
    await expect(gather([async () => 1], { timeout: -1 })).rejects.toThrow(RangeError)
    expect(() => asCompleted([async () => 1], { timeout: Number.NaN })).toThrow(RangeError)
  })
})

describe("every spawned function gets an AbortSignal", () => {
  it("whatever its declared arity: rest parameters, bound functions, default parameters", async () => {
    const got: Array<unknown> = []
    function bound(this: unknown, signal: AbortSignal) {
      got.push(signal)
    }
    await taskGroup((tg) => {
      tg.spawn((...args: [AbortSignal]) => void got.push(args[0]))
      tg.spawn(bound.bind(null))
      tg.spawn((signal: AbortSignal = undefined as never) => void got.push(signal))
      void tg.start((started, ...rest: [AbortSignal]) => {
        got.push(rest[0])
        started()
      })
    })
    expect(got).toHaveLength(4)
    for (const signal of got) expect(signal).toBeInstanceOf(AbortSignal)
  })

  it("a logging wrapper around a task still sees the group's timeout", async () => {
    const wrap =
      <A extends Array<unknown>, R>(f: (...args: A) => R) =>
      (...args: A) =>
        f(...args)
    const start = performance.now()
    const error = await rejection(taskGroup((tg) => void tg.spawn(wrap(untilAborted)), { timeout: 10 }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(since(start)).toBeLessThan(500)
  })
})

describe("a cancelled group rejects with the reason it was cancelled with", () => {
  const bodies: Record<string, (soon: SoonValue<unknown>) => Promise<unknown>> = {
    "soon.wait()": (soon) => soon.wait(),
    "gather([soon])": (soon) => gather([soon]),
    "asCompleted([soon])": async (soon) => {
      for await (const _ of asCompleted([soon])) void _
    }
  }
  for (const [what, wait] of Object.entries(bodies)) {
    it(`a body awaiting ${what}: TimeoutError, signal.reason, tg.cancel's reason`, async () => {
      const timedOut = await rejection(taskGroup((tg) => wait(tg.spawn(untilAborted)), { timeout: 10 }))
      expect(timedOut).toBeInstanceOf(TimeoutError)
      const reason = new Error("aborted")
      const aborted = await rejection(
        taskGroup((tg) => wait(tg.spawn(untilAborted)), { signal: AbortSignal.timeout(10) })
      )
      expect(aborted).toBeInstanceOf(DOMException)
      const cancelled = await rejection(
        taskGroup((tg) => {
          setTimeout(() => tg.cancel(reason), 10)
          return wait(tg.spawn(untilAborted))
        })
      )
      expect(cancelled).toBe(reason)
    })
  }
})

describe("a task that rejects with the CancelledError its cancellation caused was cancelled", () => {
  it("also where no context ties the wait to the task: the group rejects with its TimeoutError", async () => {
    const tg = createTaskGroup({ timeout: 10 })
    const soon = tg.spawn(untilAborted)
    // Made outside any task: nothing ties this wait to the task below.
    const waiting = soon.wait()
    tg.spawn(() => waiting)
    const error = await rejection(tg[Symbol.asyncDispose]())
    expect(error).toBeInstanceOf(TimeoutError)
  })
})

describe("asCompleted yields in true completion order", () => {
  it("also for tasks that end in the same turn through promise chains", async () => {
    const after = (hops: number, value: number) => async () => {
      for (let i = 0; i < hops; i++) await Promise.resolve()
      return value
    }
    const order: Array<number> = []
    for await (const value of asCompleted([after(3, 1), after(1, 2), after(2, 3)])) order.push(value)
    expect(order).toEqual([2, 3, 1])
  })
})

describe("promise-returning functions reject instead of throwing", () => {
  it("taskGroup, gather, waitAny([]) and soon.wait() give rejected promises for bad input", async () => {
    const calls: Record<string, () => Promise<unknown>> = {
      "taskGroup concurrency 0": () => taskGroup(() => undefined, { concurrency: 0 }),
      "taskGroup without a body": () => taskGroup(5 as never),
      "gather concurrency 0": () => gather([async () => 1], { concurrency: 0 }),
      "gather of a number": () => gather(5 as never),
      "waitAny([])": () => waitAny([]),
      "tg.start of a number": () => createTaskGroup().start(5 as never),
      "waitAll of a number": () => waitAll(5 as never),
      "soon.wait with a bad signal": () =>
        createTaskGroup()
          .spawn(() => 1)
          .wait({ signal: 5 as never })
    }
    for (const [what, call] of Object.entries(calls)) {
      let promise: Promise<unknown> | undefined
      expect(() => (promise = call()), what).not.toThrow()
      await expect(promise, what).rejects.toBeInstanceOf(Error)
    }
    const caught = await taskGroup(() => undefined, { concurrency: 0 }).catch((error: unknown) => error)
    expect(caught).toBeInstanceOf(RangeError)
  })
})
