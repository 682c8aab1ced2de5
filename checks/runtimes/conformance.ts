// interop's behaviour under whatever runtime runs this file (Node, Bun, Deno), against the
// BUILT @soonify/interop (its dist/, as npm users get it): groups, fail fast, timeouts,
// ambient cancellation (AsyncLocalStorage under that runtime), gather, asCompleted,
// settle mode, keys, waiting on handles, Future, taskSignal() and a task's own timeout.
// Each case asserts its results; the last line says `<runtime>: N passed, M failed`, and the exit code is 1 on any failure.
//
//   node checks/runtimes/conformance.ts | bun checks/runtimes/conformance.ts
//   deno run --allow-read --allow-env checks/runtimes/conformance.ts
//
// Plain erasable TypeScript, so that all three run it as it is.
import assert from "node:assert/strict"
import {
  asCompleted,
  CancelledError,
  createTaskGroup,
  Future,
  gather,
  type SoonValue,
  taskGroup,
  taskSignal,
  TimeoutError,
  waitAll,
  waitAny
} from "@soonify/interop"

const runtimeGlobals = globalThis as {
  readonly Bun?: { readonly version: string }
  readonly Deno?: { readonly version: { readonly deno: string } }
}
const runtime =
  runtimeGlobals.Bun !== undefined
    ? `Bun ${runtimeGlobals.Bun.version}`
    : runtimeGlobals.Deno !== undefined
      ? `Deno ${runtimeGlobals.Deno.version.deno}`
      : `Node ${process.versions.node}`

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener("abort", () => {
      clearTimeout(timer)
      reject(signal.reason)
    })
  })

/** Waits until `signal` is aborted, then rejects with its reason (a task that honours cancellation). */
const untilAborted = (signal: AbortSignal): Promise<never> => sleep(60_000, signal) as Promise<never>

const unhandled: Array<unknown> = []
process.on("unhandledRejection", (reason) => void unhandled.push(reason))

const cases: Array<readonly [name: string, run: () => Promise<void>]> = []
const check = (name: string, run: () => Promise<void>): void => void cases.push([name, run])

check("the build is what runs: @soonify/interop resolves to its dist/", async () => {
  assert.match(import.meta.resolve("@soonify/interop"), /\/packages\/interop\/dist\/index\.js$/)
})

check("a group gives every value back in spawn order, never above its concurrency", async () => {
  let running = 0
  let most = 0
  const work = async (n: number): Promise<number> => {
    running++
    most = Math.max(most, running)
    await sleep(5)
    running--
    return n * 10
  }
  const handles = await taskGroup(
    async (tg) => [...[1, 2, 3, 4, 5].map((n) => tg.soonify(work)(n)), tg.spawn(async () => "spawned")],
    { concurrency: 2 }
  )
  assert.deepEqual(
    handles.map((soon) => soon.value),
    [10, 20, 30, 40, 50, "spawned"]
  )
  assert.equal(most, 2)
  assert.ok(handles.every((soon) => soon.status === "fulfilled" && soon.ready))
})

check("fail fast: the group rejects with the failure itself, after its sibling was aborted and ended", async () => {
  const boom = new Error("boom")
  let siblingEnded = false
  let siblingReason: unknown
  await assert.rejects(
    taskGroup(async (tg) => {
      tg.spawn(async (signal) => {
        try {
          await untilAborted(signal)
        } finally {
          siblingReason = signal.reason
          await sleep(5)
          siblingEnded = true
        }
      })
      tg.spawn(async () => {
        await sleep(5)
        throw boom
      })
    }),
    (error) => error === boom
  )
  assert.equal(siblingEnded, true)
  assert.ok(siblingReason instanceof CancelledError)
})

check("several failures: one AggregateError holding each", async () => {
  const [a, b] = [new Error("a"), new Error("b")]
  await assert.rejects(
    taskGroup(async (tg) => {
      tg.spawn(() => Promise.reject(a))
      tg.spawn(() => Promise.reject(b))
    }),
    (error) => error instanceof AggregateError && error.errors.includes(a) && error.errors.includes(b)
  )
})

check("a group timeout rejects with TimeoutError once its task, aborted, has ended", async () => {
  let aborted = false
  const started = performance.now()
  await assert.rejects(
    taskGroup(
      async (tg) => {
        tg.spawn(async (signal) => {
          signal.addEventListener("abort", () => (aborted = true))
          await untilAborted(signal)
        })
      },
      { timeout: 30 }
    ),
    TimeoutError
  )
  assert.equal(aborted, true)
  assert.ok(performance.now() - started < 5_000)
})

check("an outside signal cancels the group, which rejects with signal.reason", async () => {
  const controller = new AbortController()
  const reason = new Error("shutting down")
  setTimeout(() => controller.abort(reason), 10)
  await assert.rejects(
    taskGroup(async (tg) => void tg.spawn(untilAborted), { signal: controller.signal }),
    (error) => error === reason
  )
})

check("ambient cancellation: a group nested in a task, after an await, is cancelled with it", async () => {
  const boom = new Error("boom")
  let innerAborted = false
  let nested: Promise<unknown> | undefined
  await assert.rejects(
    taskGroup(async (tg) => {
      tg.spawn(async () => {
        await sleep(1) // the context must survive a timer
        // No signal passed by hand: the nested group is tied to this task by AsyncLocalStorage.
        nested = taskGroup(async (inner) => {
          inner.spawn(async (signal) => {
            try {
              await untilAborted(signal)
            } finally {
              innerAborted = signal.aborted
            }
          })
        })
        await nested
      })
      tg.spawn(async () => {
        await sleep(10)
        throw boom
      })
    }),
    (error) => error === boom
  )
  assert.equal(innerAborted, true)
  await assert.rejects(nested as Promise<unknown>)
})

check("ambient cancellation: soon.cancel() reaches a gather inside the task, which ends cancelled", async () => {
  let reached = false
  await taskGroup(async (tg) => {
    const soon = tg.spawn(async () => {
      await sleep(1)
      await gather([
        async (signal: AbortSignal) => {
          try {
            await untilAborted(signal)
          } finally {
            reached = signal.aborted
          }
        }
      ])
    })
    await sleep(10)
    await soon.cancel()
    assert.equal(soon.status, "cancelled")
    assert.throws(() => soon.value, CancelledError)
  })
  assert.equal(reached, true)
})

check("gather: variadic or one iterable, input order, returnExceptions, empty", async () => {
  const values = await gather(
    sleep(10).then(() => "slow"),
    async () => 2
  )
  assert.deepEqual(values, ["slow", 2])
  const boom = new Error("boom")
  const slots = await gather([Promise.resolve(1), async () => Promise.reject(boom)], { returnExceptions: true })
  assert.deepEqual(slots, [1, boom])
  assert.deepEqual(await gather([]), [])
})

check("gather: fail fast aborts the thunks still running and waits for them", async () => {
  const boom = new Error("boom")
  let ended = false
  await assert.rejects(
    gather([
      async (signal: AbortSignal) => {
        try {
          await untilAborted(signal)
        } finally {
          ended = true
        }
      },
      async () => {
        await sleep(5)
        throw boom
      }
    ]),
    (error) => error === boom
  )
  assert.equal(ended, true)
})

check("gather: a timeout with returnExceptions keeps what ended in time", async () => {
  const slots = await gather([async () => "fast", (signal: AbortSignal) => untilAborted(signal)], {
    timeout: 20,
    returnExceptions: true
  })
  assert.equal(slots[0], "fast")
  assert.ok(slots[1] instanceof TimeoutError)
})

check("asCompleted: completion order; leaving the loop early aborts the rest", async () => {
  const seen: Array<string> = []
  for await (const value of asCompleted([
    () => sleep(30).then(() => "c"),
    () => sleep(1).then(() => "a"),
    () => sleep(15).then(() => "b")
  ])) {
    seen.push(value)
  }
  assert.deepEqual(seen, ["a", "b", "c"])
  let aborted = false
  for await (const value of asCompleted([
    async () => "first",
    async (signal: AbortSignal) => {
      signal.addEventListener("abort", () => (aborted = true))
      return untilAborted(signal)
    }
  ])) {
    assert.equal(value, "first")
    break
  }
  assert.equal(aborted, true)
})

check("asCompleted: a failed task throws its error out of the loop", async () => {
  const boom = new Error("boom")
  await assert.rejects(
    async () => {
      for await (const _ of asCompleted([() => Promise.reject(boom), (signal: AbortSignal) => untilAborted(signal)])) {
        assert.fail("no value expected")
      }
    },
    (error) => error === boom
  )
})

check("settle mode: failures stay in their handles, the others run to the end", async () => {
  const boom = new Error("boom")
  const [failed, done]: [SoonValue<never>, SoonValue<string>] = await taskGroup(
    async (tg) => [tg.spawn(() => Promise.reject(boom)), tg.spawn(() => sleep(10).then(() => "done"))],
    { mode: "settle" }
  )
  assert.equal(failed.status, "rejected")
  assert.equal(failed.exception, boom)
  assert.throws(
    () => failed.value,
    (error) => error === boom
  )
  assert.equal(done.value, "done")
})

check("keys: one task per key while it runs, the key freed once it settled", async () => {
  let calls = 0
  await taskGroup(async (tg) => {
    const load = tg.soonify(
      async (id: number) => {
        calls++
        await sleep(5)
        return `user ${id}`
      },
      { key: (id) => `user:${id}` }
    )
    const header = load(1)
    const sidebar = load(1)
    assert.equal(header, sidebar)
    assert.deepEqual(tg.keys, ["user:1"])
    assert.equal(await header.wait(), "user 1")
    assert.deepEqual(tg.keys, [])
    const later = load(1)
    assert.notEqual(later, header)
    await later.wait()
  })
  assert.equal(calls, 2)
})

check("createTaskGroup: disposing waits for its tasks; waitAny, waitAll, Future", async () => {
  const tg = createTaskGroup()
  const slow = tg.spawn(() => sleep(20).then(() => "slow"))
  const fast = tg.spawn(() => sleep(1).then(() => "fast"))
  assert.equal(await waitAny([slow, fast]), fast)
  const future = new Future<number>()
  setTimeout(() => future.setResult(7), 5)
  await waitAll([slow, future])
  assert.equal(future.value, 7)
  await tg[Symbol.asyncDispose]()
  assert.equal(slow.value, "slow")
})

check(
  "taskSignal(): never aborted outside a task; a soonify'd call's signal, aborted by a sibling's failure",
  async () => {
    assert.equal(taskSignal().aborted, false)
    const boom = new Error("boom")
    let reason: unknown
    // The function keeps its own parameters: its signal comes from the ambient task.
    const waitForAbort = async (ms: number): Promise<void> => {
      const signal = taskSignal()
      try {
        await sleep(ms, signal)
      } finally {
        reason = signal.reason
      }
    }
    await assert.rejects(
      taskGroup(async (tg) => {
        tg.soonify(waitForAbort)(60_000)
        tg.spawn(async () => {
          await sleep(5)
          throw boom
        })
      }),
      (error) => error === boom
    )
    assert.ok(reason instanceof CancelledError)
  }
)

check("a task's own timeout: the task is aborted through taskSignal() and fails with TimeoutError", async () => {
  const waitForAbort = (ms: number): Promise<void> => sleep(ms, taskSignal())
  const started = performance.now()
  const [soon] = await taskGroup(async (tg) => [tg.soonify(waitForAbort, { timeout: 20 })(60_000)], {
    mode: "settle"
  })
  assert.equal(soon.status, "rejected")
  assert.ok(soon.exception instanceof TimeoutError)
  assert.ok(performance.now() - started < 5_000)
})

check("no unhandled rejection from any case above", async () => {
  await sleep(10)
  assert.deepEqual(unhandled, [])
})

let passed = 0
let failed = 0
for (const [name, run] of cases) {
  try {
    await Promise.race([
      run(),
      sleep(10_000).then(() => Promise.reject(new Error(`still pending after 10 s: ${name}`)))
    ])
    passed++
    console.log(`ok   ${name}`)
  } catch (error) {
    failed++
    console.log(`FAIL ${name}\n${error instanceof Error ? error.stack : String(error)}`)
  }
}
console.log(`${runtime}: ${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
