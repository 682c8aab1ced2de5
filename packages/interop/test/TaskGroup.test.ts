import { describe, expect, expectTypeOf, it } from "vitest"
import {
  CancelledError,
  createTaskGroup,
  PendingValueError,
  type SoonValue,
  type TaskGroup,
  taskGroup,
  TaskGroupClosedError,
  TimeoutError
} from "@soonify/interop"
import { setTimeout as nodeSleep } from "node:timers/promises"
import { since, sleep, untilAborted } from "./sleep.ts"
import { thrown } from "./support.ts"

const doWork = async (name: string) => {
  await sleep(20)
  return `Hello, ${name}`
}

describe("the seed programs, as plain async functions", () => {
  it("runs three doWork calls at once and reads their values after the group", async () => {
    // Concurrency, checked without a stopwatch: all three run at the same time.
    let running = 0
    let most = 0
    const doWorkCounted = async (name: string) => {
      most = Math.max(most, ++running)
      const message = await doWork(name)
      running--
      return message
    }
    const getData = async () => {
      const [a, b, c] = await taskGroup(async (tg) => [
        tg.soonify(doWorkCounted)("Yury"),
        tg.soonify(doWorkCounted)("Nathaniel"),
        tg.soonify(doWorkCounted)("Alex")
      ])
      return [a.value, b.value, c.value]
    }
    expect(await getData()).toEqual(["Hello, Yury", "Hello, Nathaniel", "Hello, Alex"])
    expect(most).toBe(3)
    expect(running).toBe(0)
  })

  it("throws PendingValueError when a value is read inside the block", async () => {
    const soon = await taskGroup(async (tg) => {
      const inner = tg.soonify(doWork)("Yury")
      const error = thrown(() => inner.value)
      expect(error).toBeInstanceOf(PendingValueError)
      expect((error as PendingValueError).task).toBe("doWork")
      expect((error as Error).message).toMatch(/still pending.*after the group/s)
      return inner
    })
    expect(soon.value).toBe("Hello, Yury")
  })

  it("shows a value inside the block once ready says so", async () => {
    const previews: Array<string> = []
    const values = await taskGroup(async (tg) => {
      const first = tg.soonify(doWork)("Yury")
      await sleep(40)
      if (first.ready) previews.push(first.value)
      return [first, tg.soonify(doWork)("Nathaniel"), tg.soonify(doWork)("Alex")]
    })
    expect(previews).toEqual(["Hello, Yury"])
    expect(values.map((soon) => soon.value)).toEqual(["Hello, Yury", "Hello, Nathaniel", "Hello, Alex"])
  })

  it("waits for the tasks at the end of an await using block", async () => {
    const start = performance.now()
    let soon: SoonValue<string>
    {
      await using tg = createTaskGroup()
      soon = tg.soonify(doWork)("Alex")
      expect(soon.ready).toBe(false)
    }
    expect(since(start)).toBeGreaterThanOrEqual(15)
    expect(soon.value).toBe("Hello, Alex")
  })
})

describe("taskGroup", () => {
  it("resolves with the body's value, at once for an empty group", async () => {
    // At once: before any timer, however short, can fire.
    const timer = sleep(0).then(() => "timer")
    expect(await Promise.race([taskGroup(() => 42), timer])).toBe(42)
    expect(await Promise.race([taskGroup(async () => "async"), timer])).toBe("async")
  })

  it("treats undefined, 0 and the empty string as values", async () => {
    const [a, b, c] = await taskGroup(async (tg) => [
      tg.spawn(async () => undefined),
      tg.spawn(async () => 0),
      tg.spawn(() => "")
    ])
    expect([a.ready, b.ready, c.ready]).toEqual([true, true, true])
    expect([a.status, b.status, c.status]).toEqual(["fulfilled", "fulfilled", "fulfilled"])
    expect([a.value, b.value, c.value]).toEqual([undefined, 0, ""])
  })

  it("waits for tasks that tasks spawn while the group is open", async () => {
    let inner: SoonValue<string> | undefined
    const outer = await taskGroup(async (tg) =>
      tg.spawn(async () => {
        await sleep(10)
        inner = tg.spawn(async () => (await sleep(10), "inner"))
        return "outer"
      })
    )
    expect(outer.value).toBe("outer")
    expect(inner?.value).toBe("inner")
  })

  it("starts soonify'd functions at once, with their arguments", async () => {
    const calls: Array<[number, string]> = []
    await taskGroup(async (tg) => {
      const record = tg.soonify(async (n: number, s: string) => calls.push([n, s]))
      record(1, "a")
      record(2, "b")
      expect(calls).toEqual([
        [1, "a"],
        [2, "b"]
      ])
    })
  })

  it("rejects with the failing task's own error, after cancelling and waiting for the others", async () => {
    const boom = new Error("boom")
    let reason: unknown
    let sibling: SoonValue<never> | undefined
    const failed = taskGroup(async (tg) => {
      sibling = tg.spawn(async (signal) => {
        try {
          return await untilAborted(signal)
        } finally {
          reason = signal.reason
        }
      })
      tg.spawn(async () => {
        await sleep(5)
        throw boom
      })
      await untilAborted(tg.signal)
    })
    await expect(failed).rejects.toBe(boom)
    expect(reason).toBeInstanceOf(CancelledError)
    expect(sibling?.status).toBe("cancelled")
  })

  it("rejects with an AggregateError holding each failure, in order", async () => {
    const first = new Error("first")
    const second = new Error("second")
    const error = await taskGroup(async (tg) => {
      // Both ignore their signals, so the second fails while being cancelled.
      tg.spawn(async () => {
        await sleep(5)
        throw first
      })
      tg.spawn(async () => {
        await sleep(15)
        throw second
      })
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AggregateError)
    expect((error as AggregateError).errors).toEqual([first, second])
    expect((error as AggregateError).errors[0]).toBe(first)
    expect((error as AggregateError).message).toBe("taskGroup(…) failed with 2 errors")
  })

  it("rejects with the body's error and cancels the tasks", async () => {
    const boom = new Error("body failed")
    let cancelled = false
    const failed = taskGroup(async (tg) => {
      tg.spawn(async (signal) => {
        await untilAborted(signal).catch(() => (cancelled = true))
      })
      await sleep(5)
      throw boom
    })
    await expect(failed).rejects.toBe(boom)
    expect(cancelled).toBe(true)
  })

  it("reports a task's error once when the body rethrows it from wait()", async () => {
    const boom = new Error("boom")
    const failed = taskGroup(async (tg) => {
      const soon = tg.spawn(async () => {
        await sleep(5)
        throw boom
      })
      await soon.wait()
    })
    await expect(failed).rejects.toBe(boom)
  })

  it("waits for a task that ignores its signal instead of abandoning it", async () => {
    let finished = false
    const start = performance.now()
    const failed = taskGroup(async (tg) => {
      tg.spawn(async () => {
        await sleep(40)
        finished = true
      })
      tg.spawn(async () => {
        await sleep(5)
        throw new Error("boom")
      })
    })
    await expect(failed).rejects.toThrow("boom")
    expect(finished).toBe(true)
    expect(since(start)).toBeGreaterThanOrEqual(35)
  })

  it("reports a task that rejects with something else than its signal's reason once cancelled", async () => {
    const boom = new Error("boom")
    const cleanup = new Error("cleanup failed")
    const error = await taskGroup(async (tg) => {
      tg.spawn(async (signal) => {
        await untilAborted(signal).catch(() => undefined)
        throw cleanup
      })
      tg.spawn(async () => {
        await sleep(5)
        throw boom
      })
    }).catch((e: unknown) => e)
    expect((error as AggregateError).errors).toEqual([boom, cleanup])
  })

  it("counts Node's AbortError whose cause is the signal's reason as a cancellation", async () => {
    const boom = new Error("boom")
    let sibling: SoonValue<void> | undefined
    const failed = taskGroup(async (tg) => {
      sibling = tg.spawn((signal) => nodeSleep(1000, undefined, { signal }))
      tg.spawn(async () => {
        await sleep(5)
        throw boom
      })
    })
    await expect(failed).rejects.toBe(boom)
    expect(sibling?.status).toBe("cancelled")
  })

  it("does not count a cancelled task as a failure", async () => {
    const [cancelled, ok] = await taskGroup(async (tg) => {
      const cancelled = tg.spawn((signal) => untilAborted(signal))
      const ok = tg.spawn(async () => (await sleep(10), "ok"))
      await cancelled.cancel()
      return [cancelled, ok] as const
    })
    expect(cancelled.status).toBe("cancelled")
    expect(ok.value).toBe("ok")
  })

  it("gives the task's signal a CancelledError when the task alone is cancelled", async () => {
    let reason: unknown
    await taskGroup(async (tg) => {
      const soon = tg.spawn(async (signal) => {
        await untilAborted(signal).catch(() => (reason = signal.reason))
        throw reason
      })
      await soon.cancel()
      expect(soon.status).toBe("cancelled")
      expect(tg.signal.aborted).toBe(false)
    })
    expect(reason).toBeInstanceOf(CancelledError)
  })

  it("cancels a spawn made while the group shuts down at once", async () => {
    let late: SoonValue<number> | undefined
    let ran = false
    await taskGroup(async (tg) => {
      tg.spawn(async () => {
        await sleep(5)
        throw new Error("boom")
      })
      await untilAborted(tg.signal).catch(() => undefined)
      late = tg.spawn(async () => {
        ran = true
        return 1
      })
    }).catch(() => undefined)
    expect(late?.status).toBe("cancelled")
    expect(ran).toBe(false)
  })

  it("in settle mode, keeps a failure in its handle and cancels nothing", async () => {
    const boom = new Error("boom")
    const [failed, ok] = await taskGroup(
      async (tg) => [
        tg.spawn(async () => {
          await sleep(5)
          throw boom
        }),
        tg.spawn(async (signal) => (await sleep(20, signal), "ok"))
      ],
      { mode: "settle" }
    )
    expect(failed.status).toBe("rejected")
    expect(failed.exception).toBe(boom)
    expect(ok.value).toBe("ok")
  })

  it("in settle mode, still cancels the tasks when the body fails", async () => {
    const boom = new Error("body")
    let soon: SoonValue<never> | undefined
    const failed = taskGroup(
      async (tg) => {
        soon = tg.spawn((signal) => untilAborted(signal))
        await sleep(5)
        throw boom
      },
      { mode: "settle" }
    )
    await expect(failed).rejects.toBe(boom)
    expect(soon?.status).toBe("cancelled")
  })

  it("in settle mode, reports a failure met while the group stops a task", async () => {
    const cleanup = new Error("cleanup failed")
    let kept: SoonValue<never> | undefined
    const failed = taskGroup(
      async (tg) => {
        kept = tg.spawn(() => Promise.reject(new Error("kept in its handle")))
        tg.spawn(async (signal) => {
          await untilAborted(signal).catch(() => undefined)
          throw cleanup
        })
        await sleep(5)
        tg.cancel()
      },
      { mode: "settle" }
    )
    await expect(failed).rejects.toBe(cleanup)
    expect(kept?.status).toBe("rejected")
    // Read, as a program would: a failure nobody reads is reported once its handle is collected.
    expect(kept?.exception).toMatchObject({ message: "kept in its handle" })
  })

  it("runs at most `concurrency` tasks at once, in spawn order", async () => {
    let running = 0
    let most = 0
    const order: Array<number> = []
    const task = (n: number) => async () => {
      order.push(n)
      most = Math.max(most, ++running)
      await sleep(5)
      running--
      return n
    }
    const handles = await taskGroup(async (tg) => [1, 2, 3, 4, 5].map((n) => tg.spawn(task(n))), {
      concurrency: 2
    })
    expect(most).toBe(2)
    expect(order).toEqual([1, 2, 3, 4, 5])
    expect(handles.map((soon) => soon.value)).toEqual([1, 2, 3, 4, 5])
  })

  it("rejects with the outside signal's reason, after every task has settled", async () => {
    const controller = new AbortController()
    const reason = new Error("stop")
    let seen: unknown
    let settled = false
    const stopped = taskGroup(
      async (tg) => {
        tg.spawn(async (signal) => {
          await untilAborted(signal).catch(() => (seen = signal.reason))
          await sleep(10)
          settled = true
        })
        await untilAborted(tg.signal)
      },
      { signal: controller.signal }
    )
    setTimeout(() => controller.abort(reason), 5)
    await expect(stopped).rejects.toBe(reason)
    expect(seen).toBe(reason)
    expect(settled).toBe(true)
  })

  it("rejects at once, without running the body, when the signal is already aborted", async () => {
    let ran = false
    const reason = new Error("already")
    const stopped = taskGroup(() => (ran = true), { signal: AbortSignal.abort(reason) })
    await expect(stopped).rejects.toBe(reason)
    expect(ran).toBe(false)
  })

  it("rejects with a TimeoutError when the timeout runs out, after every task has settled", async () => {
    let reason: unknown
    const start = performance.now()
    const error = await taskGroup(
      async (tg) => {
        tg.spawn(async (signal) => {
          await untilAborted(signal).catch(() => (reason = signal.reason))
        })
      },
      { timeout: 10 }
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TimeoutError)
    expect((error as TimeoutError).timeout).toBe(10)
    expect(reason).toBe(error)
    expect(since(start)).toBeGreaterThanOrEqual(8)
  })

  it("resolves normally when it ends before its timeout", async () => {
    expect(await taskGroup(async (tg) => tg.spawn(() => sleep(5)).wait(), { timeout: 1000 })).toBeUndefined()
  })

  it("reports failures that happen during a cancel instead of the cancel's reason", async () => {
    const cleanup = new Error("cleanup failed")
    const failed = taskGroup(
      async (tg) => {
        tg.spawn(async (signal) => {
          await untilAborted(signal).catch(() => undefined)
          throw cleanup
        })
      },
      { timeout: 5 }
    )
    await expect(failed).rejects.toBe(cleanup)
  })

  it("rejects with the reason given to tg.cancel, or a CancelledError", async () => {
    const reason = { why: "enough" }
    await expect(
      taskGroup(async (tg) => {
        tg.spawn((signal) => untilAborted(signal))
        tg.cancel(reason)
      })
    ).rejects.toBe(reason)
    const error = await taskGroup((tg) => tg.cancel()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(CancelledError)
    expect((error as Error).message).toBe("taskGroup(…) was cancelled")
  })

  it("aborts tg.signal when the group is cancelled, not when it ends normally", async () => {
    const boom = new Error("boom")
    let aborted: unknown
    await taskGroup(async (tg) => {
      tg.signal.addEventListener("abort", () => (aborted = tg.signal.reason))
      tg.spawn(async () => {
        await sleep(5)
        throw boom
      })
    }).catch(() => undefined)
    expect(aborted).toBeInstanceOf(CancelledError)
    expect((aborted as Error).message).toMatch(/cancelled after a failure/)

    const tg = await taskGroup(async (tg) => tg)
    expect(tg.signal.aborted).toBe(false)

    // First read after the cancel: made already aborted.
    let late: AbortSignal | undefined
    await taskGroup(async (tg) => {
      tg.cancel("reason")
      late = tg.signal
    }).catch(() => undefined)
    expect(late?.aborted).toBe(true)
    expect(late?.reason).toBe("reason")
  })

  it("names tasks after the option, the function, or their order", async () => {
    const [named, byFunction, anonymous] = await taskGroup(async (tg) => [
      tg.spawn(async () => 1, { name: "fetch-user" }),
      tg.soonify(doWork)("x"),
      tg.spawn(() => 3)
    ])
    expect(named.name).toBe("fetch-user")
    expect(byFunction.name).toBe("doWork")
    expect(anonymous.name).toMatch(/^task-\d+$/)
  })

  it("throws TaskGroupClosedError when spawning into a group that has ended", async () => {
    const tg = await taskGroup(async (tg) => tg)
    expect(() => tg.spawn(async () => 1)).toThrow(TaskGroupClosedError)
    expect(() => tg.soonify(doWork)("late")).toThrow(TaskGroupClosedError)
    await expect(tg.start(async (started) => started())).rejects.toThrow(TaskGroupClosedError)
    const error = thrown(() => tg.spawn(async () => 1, { name: "late" })) as TaskGroupClosedError
    expect(error.group).toBe("TaskGroup")
    expect(error.task).toBe("late")
  })

  it("rejects bad input at once, naming the argument: taskGroup with a rejected promise, the rest with a throw", async () => {
    const tg = await taskGroup(async (tg) => tg)
    expect(() => tg.soonify(42 as any)).toThrow(TypeError)
    expect(() => tg.soonify("doWork" as any)).toThrow(/tg.soonify: expected fn to be a function, received string/)
    expect(() => tg.spawn(null as any)).toThrow(TypeError)
    await expect(taskGroup(undefined as any)).rejects.toThrow(/taskGroup: expected body to be a function/)
    for (const concurrency of [0, -1, 1.5, NaN]) {
      await expect(taskGroup(() => 1, { concurrency })).rejects.toThrow(RangeError)
      await expect(taskGroup(() => 1, { concurrency })).rejects.toThrow(
        `option "concurrency" must be a positive integer or Infinity, received number ${concurrency}`
      )
    }
    await expect(taskGroup(() => 1, { concurrency: "2" as any })).rejects.toThrow(TypeError)
    for (const timeout of [-1, NaN]) {
      await expect(taskGroup(() => 1, { timeout })).rejects.toThrow(RangeError)
      await expect(taskGroup(() => 1, { timeout })).rejects.toThrow(`option "timeout" must be between 0 and`)
      expect(() => createTaskGroup({ timeout })).toThrow(`received number ${timeout}`)
    }
    await expect(taskGroup(() => 1, { mode: "fast" as any })).rejects.toThrow(/option "mode"/)
    await expect(taskGroup(() => 1, { signal: {} as any })).rejects.toThrow(/option "signal" must be an AbortSignal/)
    await expect(taskGroup(() => 1, { name: 1 as any })).rejects.toThrow(TypeError)
    await expect(taskGroup(() => 1, 5 as any)).rejects.toThrow(
      /expected options to be an object or undefined, received number 5/
    )
    expect(() => createTaskGroup({ concurrency: 0 })).toThrow(RangeError)
  })

  it("accepts Infinity as concurrency and timeout", async () => {
    expect(await taskGroup(() => "fine", { concurrency: Infinity, timeout: Infinity })).toBe("fine")
  })

  it("never leaves a rejection unhandled", async () => {
    // A failing handle whose failure onTaskError took, in settle mode (one that nobody
    // reads at all is reported once its handle is collected: see undisposed.test.ts).
    await taskGroup((tg) => void tg.spawn(() => Promise.reject(new Error("unread"))), {
      mode: "settle",
      onTaskError: () => {}
    })
    // Several failing handles whose errors the group reported.
    await taskGroup((tg) => {
      tg.spawn(() => Promise.reject(new Error("one")))
      tg.spawn(async () => {
        await sleep(1)
        throw new Error("two")
      })
    }).catch(() => undefined)
    // A cancelled task that rejects with its reason, never read.
    await taskGroup(async (tg) => {
      tg.spawn((signal) => untilAborted(signal))
      tg.cancel()
    }).catch(() => undefined)
    await sleep(5)
  })

  it("types soonify's parameters and the values, with no any", async () => {
    await taskGroup(async (tg) => {
      const greet = tg.soonify(doWork)
      expectTypeOf(greet).parameters.toEqualTypeOf<[name: string]>()
      expectTypeOf(greet("Yury")).toEqualTypeOf<SoonValue<string>>()
      // @ts-expect-error doWork takes a string
      greet(42)
      expectTypeOf(tg.spawn(async () => 1)).toEqualTypeOf<SoonValue<number>>()
      expectTypeOf(tg.spawn(() => "sync")).toEqualTypeOf<SoonValue<string>>()
      expectTypeOf(tg.spawn((signal) => signal)).toEqualTypeOf<SoonValue<AbortSignal>>()
      const soon = tg.spawn(async () => 1)
      expectTypeOf<(typeof soon)["value"]>().toEqualTypeOf<number>()
      expectTypeOf<(typeof soon)["value"]>().not.toBeAny()
      expectTypeOf(tg).toEqualTypeOf<TaskGroup>()
    })
    expectTypeOf(taskGroup(async () => [1, "a"] as const)).toEqualTypeOf<Promise<readonly [1, "a"]>>()
    expectTypeOf(taskGroup(() => 1)).toEqualTypeOf<Promise<number>>()
  })
})

describe("tg.start", () => {
  it("resolves with the started value and the handle while the task goes on", async () => {
    await taskGroup(async (tg) => {
      const [port, server] = await tg.start<number, string>(async (started) => {
        await sleep(5)
        started(8080)
        await sleep(10)
        return "served"
      })
      expect(port).toBe(8080)
      expect(server.ready).toBe(false)
      expect(await server.wait()).toBe("served")
    })
  })

  it("calls fn at once, synchronously, as spawn does, and resolves once started was called", async () => {
    await taskGroup(async (tg) => {
      const calls: Array<string> = []
      const starting = tg.start<string, void>((started, signal) => {
        calls.push(`called with a signal: ${signal instanceof AbortSignal}`)
        started("ready")
      })
      calls.push("start returned")
      expect(calls).toEqual(["called with a signal: true", "start returned"])
      const [value, soon] = await starting
      expect(value).toBe("ready")
      expect(soon.status).toBe("fulfilled")
    })
  })

  it("calls fn once a slot is free under concurrency, in spawn order", async () => {
    await taskGroup(
      async (tg) => {
        const order: Array<string> = []
        const first = tg.spawn(async () => {
          order.push("spawned")
          await sleep(5)
        })
        const starting = tg.start((started) => {
          order.push("starting")
          started()
        })
        expect(order).toEqual(["spawned"])
        await starting
        expect(order).toEqual(["spawned", "starting"])
        expect(first.ready).toBe(true)
      },
      { concurrency: 1 }
    )
  })

  it("rejects, and does not fail the group, when the task fails before starting", async () => {
    const boom = new Error("boom")
    const result = await taskGroup(async (tg) => {
      await expect(tg.start(() => Promise.reject(boom))).rejects.toBe(boom)
      return "group ok"
    })
    expect(result).toBe("group ok")
  })

  it("rejects when the task ends without calling started", async () => {
    await taskGroup(async (tg) => {
      await expect(tg.start(async () => "done")).rejects.toThrow(/without calling started/)
    })
  })

  it("rejects with the group's reason when the group is cancelled before the start", async () => {
    const reason = new Error("stop")
    await taskGroup(async (tg) => {
      const starting = tg.start((_started, signal) => untilAborted(signal))
      tg.cancel(reason)
      await expect(starting).rejects.toBe(reason)
    }).catch(() => undefined)
  })

  it("throws when started is called twice", async () => {
    await taskGroup(async (tg) => {
      await tg.start(async (started) => {
        started()
        expect(() => started()).toThrow(/called twice/)
      })
    })
  })

  it("types the started value and the handle", async () => {
    await taskGroup(async (tg) => {
      expectTypeOf(tg.start<number, string>(async (started) => (started(1), "a"))).toEqualTypeOf<
        Promise<[value: number, soon: SoonValue<string>]>
      >()
      // Inferred from the annotation of `started` and from the function's result.
      const inferred = tg.start(async (started: (port: number) => void) => (started(1), true))
      expectTypeOf(inferred).toEqualTypeOf<Promise<[value: number, soon: SoonValue<boolean>]>>()
      await inferred
    })
  })
})

describe("createTaskGroup", () => {
  it("accepts tasks synchronously, at once", async () => {
    const tg = createTaskGroup({ name: "eager" })
    let started = false
    const soon = tg.spawn(() => {
      started = true
      return "now"
    })
    expect(started).toBe(true)
    expect(soon.value).toBe("now")
    await tg[Symbol.asyncDispose]()
    expect(tg.name).toBe("eager")
  })

  it("rejects at the end of the block with the tasks' failure", async () => {
    const boom = new Error("boom")
    const run = async () => {
      await using tg = createTaskGroup()
      tg.spawn(async () => {
        await sleep(5)
        throw boom
      })
    }
    await expect(run()).rejects.toBe(boom)
  })

  it("combines the block's error with the tasks' into a SuppressedError", async () => {
    const fromBlock = new Error("block")
    const fromTask = new Error("task")
    const run = async () => {
      await using tg = createTaskGroup()
      tg.spawn(async () => {
        await sleep(5)
        throw fromTask
      })
      throw fromBlock
    }
    const error = (await run().catch((e: unknown) => e)) as SuppressedError
    expect(error).toBeInstanceOf(SuppressedError)
    expect(error.error).toBe(fromTask)
    expect(error.suppressed).toBe(fromBlock)
  })

  it("gives the same outcome when disposed twice", async () => {
    const boom = new Error("boom")
    const tg = createTaskGroup()
    tg.spawn(() => Promise.reject(boom))
    await expect(tg[Symbol.asyncDispose]()).rejects.toBe(boom)
    await expect(tg[Symbol.asyncDispose]()).rejects.toBe(boom)
    expect(() => tg.spawn(async () => 1)).toThrow(TaskGroupClosedError)
  })

  it("cancels its tasks on timeout and on the outside signal", async () => {
    const timedOut = createTaskGroup({ timeout: 5 })
    const slow = timedOut.spawn((signal) => untilAborted(signal))
    await expect(timedOut[Symbol.asyncDispose]()).rejects.toBeInstanceOf(TimeoutError)
    expect(slow.status).toBe("cancelled")

    const controller = new AbortController()
    const stopped = createTaskGroup({ signal: controller.signal })
    const waiting = stopped.spawn((signal) => untilAborted(signal))
    controller.abort("stop")
    await expect(stopped[Symbol.asyncDispose]()).rejects.toBe("stop")
    expect(waiting.status).toBe("cancelled")
  })

  it("types the group as async-disposable", () => {
    expectTypeOf(createTaskGroup()).toExtend<AsyncDisposable & TaskGroup>()
  })

  it("rejects on dispose with signal.reason when its signal was aborted already", async () => {
    const reason = new Error("aborted before")
    const tg = createTaskGroup({ signal: AbortSignal.abort(reason) })
    expect(tg.signal.aborted).toBe(true)
    await expect(tg[Symbol.asyncDispose]()).rejects.toBe(reason)
  })
})

describe("tasks whose own first steps cancel the group", () => {
  it("a tg.cancel(reason) called synchronously inside the task function still cancels the task", async () => {
    for (const make of [
      (run: (tg: TaskGroup) => void) => taskGroup(run),
      async (run: (tg: TaskGroup) => void) => {
        await using tg = createTaskGroup()
        run(tg)
      }
    ]) {
      const reason = new Error("stop from inside")
      let seen: unknown
      const error = await make((tg) => {
        tg.spawn((signal) => {
          tg.cancel(reason)
          return untilAborted(signal).catch((error: unknown) => {
            seen = error
            throw error
          })
        })
      }).catch((error: unknown) => error)
      expect(seen).toBe(reason)
      expect(error).toBe(reason)
    }
  })
})

describe("thenables, adopted as Promise.resolve adopts them", () => {
  const nested = () => ({ then: (resolve: (value: unknown) => void) => resolve(Promise.resolve(5)) })
  const deeper = () => ({
    then: (resolve: (value: unknown) => void) => resolve({ then: (inner: (value: number) => void) => inner(6) })
  })

  it("a task returning a thenable that resolves with a promise or a thenable ends with the value", async () => {
    const [a, b, c] = await taskGroup((tg) => [tg.soonify(nested)(), tg.spawn(nested), tg.soonify(deeper)()])
    expect(a!.value).toBe(5)
    expect(b!.value).toBe(5)
    expect(c!.value).toBe(6)
  })

  it("a body returning such a thenable resolves with the value", async () => {
    expect(await taskGroup(nested)).toBe(5)
  })
})

describe("keyed tasks (single flight)", () => {
  it("spawning a key whose task has not settled gives its SoonValue and calls nothing", async () => {
    let calls = 0
    const load = async (signal: AbortSignal) => {
      calls++
      await sleep(10, signal)
      return calls
    }
    const [a, b, other] = await taskGroup((tg) => [
      tg.spawn(load, { key: "user-1" }),
      tg.spawn(load, { key: "user-1" }),
      tg.spawn(load, { key: "user-2" })
    ])
    expect(a).toBe(b)
    expect(a).not.toBe(other)
    expect(calls).toBe(2)
    expect(b.value).toBe(2)
  })

  it("frees the key once its task has settled, and tg.keys lists the live keys in spawn order", async () => {
    let calls = 0
    await taskGroup(async (tg) => {
      const symbol = Symbol("report")
      const first = tg.spawn(() => (calls++, sleep(5)), { key: 1 })
      tg.spawn(() => sleep(5))
      tg.spawn(() => sleep(5), { key: symbol })
      expect(tg.keys).toEqual([1, symbol])
      await first.wait()
      expect(tg.keys).not.toContain(1)
      const second = tg.spawn(() => (calls++, sleep(5)), { key: 1 })
      expect(second).not.toBe(first)
    })
    expect(calls).toBe(2)
  })

  it("under concurrency, a keyed task waiting for its slot counts as running", async () => {
    let calls = 0
    await taskGroup(
      async (tg) => {
        tg.spawn(() => sleep(10))
        const queued = tg.spawn(async () => void calls++, { key: "k" })
        expect(calls).toBe(0)
        expect(tg.spawn(async () => void calls++, { key: "k" })).toBe(queued)
        expect(tg.keys).toEqual(["k"])
      },
      { concurrency: 1 }
    )
    expect(calls).toBe(1)
  })

  it("a keyed task cancelled with soon.cancel() frees its key: the next spawn starts a new one", async () => {
    let calls = 0
    await taskGroup(async (tg) => {
      const first = tg.spawn((signal) => (calls++, untilAborted(signal)), { key: "k" })
      await first.cancel()
      expect(first.status).toBe("cancelled")
      expect(tg.keys).toEqual([])
      const second = tg.spawn(async () => (calls++, "again"), { key: "k" })
      expect(second).not.toBe(first)
      expect(await second.wait()).toBe("again")
    })
    expect(calls).toBe(2)
  })

  it("in settle mode, a failed keyed task keeps its error in the one handle and frees the key", async () => {
    const down = new Error("down")
    let calls = 0
    const flaky = async () => {
      calls++
      await sleep(5)
      if (calls === 1) throw down
      return calls
    }
    const [a, b, c] = await taskGroup(
      async (tg) => {
        const a = tg.spawn(flaky, { key: "svc" })
        const b = tg.spawn(flaky, { key: "svc" })
        await b.wait().catch(() => undefined)
        return [a, b, tg.spawn(flaky, { key: "svc" })]
      },
      { mode: "settle" }
    )
    expect(a).toBe(b)
    expect(b.exception).toBe(down)
    expect(c.value).toBe(2)
  })

  it("keys belong to one group: a nested group's key does not dedupe against its parent's", async () => {
    let calls = 0
    await taskGroup(async (outer) => {
      const mine = outer.spawn(() => (calls++, sleep(10)), { key: "k" })
      const theirs = await taskGroup((inner) => inner.spawn(() => (calls++, sleep(10)), { key: "k" }))
      expect(theirs).not.toBe(mine)
    })
    expect(calls).toBe(2)
  })

  it("soonify dedupes by a key function of the arguments", async () => {
    const loads: Array<number> = []
    const loadUser = async (id: number, _reason: string) => {
      loads.push(id)
      await sleep(5)
      return { id }
    }
    const [a, b, c] = await taskGroup((tg) => {
      const load = tg.soonify(loadUser, {
        key: (id, reason) => {
          expectTypeOf(id).toEqualTypeOf<number>()
          expectTypeOf(reason).toEqualTypeOf<string>()
          return `user:${id}`
        }
      })
      return [load(1, "header"), load(1, "sidebar"), load(2, "header")]
    })
    expect(a).toBe(b)
    expect(a).not.toBe(c)
    expect(loads).toEqual([1, 2])
    expect(b.value).toEqual({ id: 1 })
  })

  it("bad keys throw a TypeError naming the option", async () => {
    await taskGroup((tg) => {
      for (const key of [null, {}, Number.NaN, true]) {
        expect(() => tg.spawn(async () => 1, { key: key as any })).toThrow(TypeError)
        expect(() => tg.spawn(async () => 1, { key: key as any })).toThrow(`tg.spawn: option "key" must be a string`)
      }
      expect(() => tg.soonify(async () => 1, { key: [] as any })).toThrow(`tg.soonify: option "key" must be`)
      const call = tg.soonify(async (id: number) => id, { key: (id) => ({ id }) as any })
      expect(() => call(1)).toThrow(`tg.soonify: the "key" function must give a string, a number or a symbol`)
    })
  })

  it("spawning a key into an ended group throws TaskGroupClosedError", async () => {
    const tg = await taskGroup((tg) => tg)
    expect(() => tg.spawn(async () => 1, { key: "k" })).toThrow(TaskGroupClosedError)
  })
})

describe("retry inside the group", () => {
  /** A function that rejects with `fail N` on its first `failures` calls, then resolves with the call count. */
  const flaky = (failures: number) => {
    const state = { calls: 0, signals: [] as Array<AbortSignal> }
    const fn = async (signal?: AbortSignal) => {
      state.calls++
      if (signal !== undefined) state.signals.push(signal)
      if (state.calls <= failures) throw new Error(`fail ${state.calls}`)
      return state.calls
    }
    return { state, fn }
  }

  it("retries a rejected attempt before it counts; soon.attempt is the attempt number", async () => {
    const { state, fn } = flaky(2)
    const [soon, sibling] = await taskGroup((tg) => [
      tg.spawn(fn, { retry: { times: 3 } }),
      tg.spawn(() => sleep(5).then(() => "sibling"))
    ])
    expect(soon.value).toBe(3)
    expect(soon.attempt).toBe(3)
    expect(sibling.value).toBe("sibling")
    // each attempt calls the function again, with a fresh signal
    expect(new Set(state.signals).size).toBe(3)
  })

  it("reports only the last attempt's rejection, after times + 1 attempts", async () => {
    const { state, fn } = flaky(10)
    const error = await taskGroup((tg) => void tg.spawn(fn, { retry: { times: 2 } })).catch((e) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe("fail 3")
    expect(state.calls).toBe(3)
  })

  it("waits delay ms before the first retry, multiplied by factor each time", async () => {
    const { fn } = flaky(2)
    const started = performance.now()
    const soon = await taskGroup((tg) => tg.spawn(fn, { retry: { times: 2, delay: 10, factor: 3 } }))
    expect(soon.value).toBe(3)
    expect(since(started)).toBeGreaterThanOrEqual(35) // 10 + 30, less a timer's rounding
  })

  it("retryIf decides which errors are retried", async () => {
    const fatal = new TypeError("fatal")
    let calls = 0
    const fn = async () => {
      calls++
      throw calls === 1 ? new Error("retryable") : fatal
    }
    const error = await taskGroup(
      (tg) => void tg.spawn(fn, { retry: { times: 5, retryIf: (e) => !(e instanceof TypeError) } })
    ).catch((e) => e)
    expect(error).toBe(fatal)
    expect(calls).toBe(2)
  })

  it("soon.cancel() during the wait between attempts ends the task at once", async () => {
    const { state, fn } = flaky(10)
    await taskGroup(async (tg) => {
      const soon = tg.spawn(fn, { retry: { times: 5, delay: 60_000 } })
      await sleep(5)
      const before = performance.now()
      await soon.cancel()
      expect(since(before)).toBeLessThan(1000)
      expect(soon.status).toBe("cancelled")
      expect(state.calls).toBe(1)
    })
  })

  it("the group's fail fast during the wait between attempts ends it at once, and fails only on a final failure", async () => {
    const { state, fn } = flaky(10)
    const boom = new Error("boom")
    const started = performance.now()
    const error = await taskGroup((tg) => {
      tg.spawn(fn, { retry: { times: 5, delay: 60_000 } })
      tg.spawn(async () => {
        await sleep(10)
        throw boom
      })
    }).catch((e) => e)
    expect(error).toBe(boom)
    expect(since(started)).toBeLessThan(1000)
    expect(state.calls).toBe(1)
  })

  it("soonify takes retry, and a key with it is held through every attempt", async () => {
    const { state, fn } = flaky(1)
    const [a, b] = await taskGroup((tg) => {
      const call = tg.soonify((_id: number) => fn(), { key: (id) => id, retry: { times: 2, delay: 5 } })
      const a = call(1)
      return sleep(2).then(() => [a, call(1)])
    })
    expect(a).toBe(b)
    expect(a.value).toBe(2)
    expect(a.attempt).toBe(2)
    expect(state.calls).toBe(2)
  })

  it("a task without retry is on attempt 1", async () => {
    const soon = await taskGroup((tg) => tg.spawn(async () => 1))
    expect(soon.attempt).toBe(1)
  })

  it("bad retry options throw a TypeError or RangeError naming the option", async () => {
    await taskGroup((tg) => {
      const spawn = (retry: unknown) => () => tg.spawn(async () => 1, { retry: retry as any })
      expect(spawn(3)).toThrow(TypeError)
      expect(spawn({})).toThrow(
        `tg.spawn: option "retry" must be { times, delay?, factor?, retryIf? }: "times" must be a number`
      )
      expect(spawn({ times: -1 })).toThrow(RangeError)
      expect(spawn({ times: -1 })).toThrow('"times" must be a non-negative integer, received number -1')
      expect(spawn({ times: 1, delay: -5 })).toThrow(RangeError)
      expect(spawn({ times: 1, factor: 0 })).toThrow(RangeError)
      expect(spawn({ times: 1, retryIf: "yes" })).toThrow(TypeError)
      expect(() => tg.soonify(async () => 1, { retry: { times: 1.5 } })).toThrow('tg.soonify: option "retry"')
    })
  })
})
