// The browser suite's page: @soonify/interop as a browser user gets it (bundled by
// esbuild for the browser from the built package), against the test server that
// ../src/browser.ts runs on 127.0.0.1. Each case reports what it saw; the driver
// asserts, and checks with the server that the aborted fetches were seen aborted.
import { gather, type SoonValue, taskGroup, TimeoutError } from "@soonify/interop"

/** What one case saw: `ok` and a line that says why. */
export interface CaseResult {
  readonly name: string
  readonly ok: boolean
  readonly detail: string
}

declare global {
  var soonifyResults: Promise<ReadonlyArray<CaseResult>> | undefined
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

const outcome = async (name: string, body: () => Promise<string>): Promise<CaseResult> => {
  try {
    return { name, ok: true, detail: await body() }
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  }
}

const expect = (condition: boolean, what: string): void => {
  if (!condition) throw new Error(what)
}

/** A group with `concurrency: 2`: never more than two fetches at once, values in spawn order. */
const concurrency = async (): Promise<string> => {
  let running = 0
  let most = 0
  const fetchNumber = async (n: number): Promise<number> => {
    running++
    most = Math.max(most, running)
    try {
      const response = await fetch(`/echo?n=${n}&ms=30`)
      return Number(await response.text())
    } finally {
      running--
    }
  }
  const handles: Array<SoonValue<number>> = await taskGroup(
    async (tg) => [1, 2, 3, 4, 5, 6].map((n) => tg.soonify(fetchNumber)(n)),
    { concurrency: 2 }
  )
  const values = handles.map((soon) => soon.value)
  expect(JSON.stringify(values) === "[1,2,3,4,5,6]", `values ${JSON.stringify(values)}`)
  expect(most === 2, `at most ${most} at once, expected 2`)
  return `values ${JSON.stringify(values)}, at most ${most} at once`
}

/** A group's `timeout` rejects it with a TimeoutError and aborts the fetch it was waiting on. */
const timeout = async (): Promise<string> => {
  const started = performance.now()
  try {
    await taskGroup(
      async (tg) => {
        tg.spawn((signal) => fetch("/hang?id=timeout", { signal }))
      },
      { timeout: 100 }
    )
  } catch (error) {
    const took = performance.now() - started
    expect(error instanceof TimeoutError, `rejected with ${String(error)}, expected a TimeoutError`)
    expect(took >= 90 && took < 2000, `rejected after ${took.toFixed(0)} ms, expected about 100`)
    return `TimeoutError after ${took.toFixed(0)} ms`
  }
  throw new Error("the group resolved; expected a TimeoutError")
}

/** Fail fast: one task's failure aborts the other's fetch; the group rejects with that very error. */
const failFast = async (): Promise<string> => {
  const boom = new Error("boom")
  let hanging: SoonValue<Response> | undefined
  try {
    await taskGroup(async (tg) => {
      hanging = tg.spawn((signal) => fetch("/hang?id=failfast", { signal }))
      tg.spawn(async () => {
        await sleep(50)
        throw boom
      })
    })
  } catch (error) {
    expect(error === boom, `rejected with ${String(error)}, expected the task's own error`)
    expect(hanging?.status === "cancelled", `the fetch task is ${hanging?.status}, expected cancelled`)
    return "rejected with the task's own error; the fetch task cancelled"
  }
  throw new Error("the group resolved; expected it to reject")
}

/** `gather` with `returnExceptions`: every slot in input order, a failure as its error. */
const gatherReturnExceptions = async (): Promise<string> => {
  const notFound = async (): Promise<string> => {
    const response = await fetch("/missing")
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    return response.text()
  }
  const [echoed, missing, plain] = await gather(
    [async () => (await fetch("/echo?n=7&ms=0")).text(), notFound, Promise.resolve(3)],
    { returnExceptions: true }
  )
  expect(echoed === "7", `slot 0 is ${String(echoed)}`)
  expect(missing instanceof Error && missing.message === "HTTP 404", `slot 1 is ${String(missing)}`)
  expect(plain === 3, `slot 2 is ${String(plain)}`)
  return `slots "7", Error("HTTP 404"), 3`
}

globalThis.soonifyResults = (async () => [
  await outcome("a group with concurrency", concurrency),
  await outcome("a timeout", timeout),
  await outcome("fail fast aborts a fetch", failFast),
  await outcome("gather with returnExceptions", gatherReturnExceptions)
])()
