// The seed programs again, as plain async functions with @soonify/interop: no Effect in
// sight. Real time: each doWork sleeps a real second.
import {
  createTaskGroup,
  Future,
  gather,
  PendingValueError,
  resultsToChannel,
  type SoonValue,
  taskGroup,
  waitAny
} from "@soonify/interop"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const doWork = async (name: string) => {
  await sleep(1000)
  return `Hello, ${name}`
}

const elapsedSince = (start: number) => `${((performance.now() - start) / 1000).toFixed(2)} s`

/** Three doWork calls at once: about one second in all, not three. */
const concurrently = async () => {
  console.log("1. Three doWork calls in one task group")
  const start = performance.now()
  const [a, b, c] = await taskGroup(async (tg) => [
    tg.soonify(doWork)("Yury"),
    tg.soonify(doWork)("Nathaniel"),
    tg.soonify(doWork)("Alex")
  ])
  console.log(`   the group ended after ${elapsedSince(start)}`)
  console.log("2. Return values, read after the group")
  for (const [label, soon] of [
    ["a", a],
    ["b", b],
    ["c", c]
  ] as const) {
    console.log(`   ${label}.value = ${JSON.stringify(soon.value)}`)
  }
}

/** Reading a value inside the group, before its task ended: PendingValueError. */
const tooEarly = async () => {
  console.log("3. Reading a value inside the group")
  const soon = await taskGroup(async (tg) => {
    const inner = tg.soonify(doWork, { name: "doWork(Yury)" })("Yury")
    try {
      console.log(inner.value)
    } catch (error) {
      console.log(`   inside the group: ${(error as Error).name} (instanceof: ${error instanceof PendingValueError})`)
      console.log(`   message: ${(error as Error).message}`)
    }
    return inner
  })
  console.log(`   after the group: ${soon.value}`)
}

/** Checking `ready` after sleeping two seconds inside the group. */
const readyCheck = async () => {
  console.log("4. Checking ready after a 2 s sleep inside the group")
  const start = performance.now()
  const values = await taskGroup(async (tg) => {
    const first = tg.soonify(doWork)("Yury")
    await sleep(2000)
    if (first.ready) console.log(`   preview, inside the group: ${first.value}`)
    return [first, tg.soonify(doWork)("Nathaniel"), tg.soonify(doWork)("Alex")]
  })
  console.log(`   after the group (${elapsedSince(start)}): ${values.map((soon) => soon.value).join(", ")}`)
}

/** The `async with` form: `await using` waits for the tasks at the end of the block. */
const awaitUsing = async () => {
  console.log("5. await using createTaskGroup(): the block's end waits for its tasks")
  const start = performance.now()
  let soon: SoonValue<string>
  {
    await using tg = createTaskGroup()
    soon = tg.soonify(doWork)("Alex")
    console.log(`   inside the block: ready = ${soon.ready}`)
  }
  console.log(`   after the block (${elapsedSince(start)}): ${soon.value}`)
}

/** asyncio's gather seed: results in input order, whatever order the tasks end in. */
const gathered = async () => {
  console.log("6. gather: values in input order")
  const taskCoro = async (value: number) => {
    await sleep(500 - value * 100)
    return value * 100
  }
  const values = await gather(...[0, 1, 2, 3, 4].map((i) => taskCoro(i)))
  console.log(`   ${JSON.stringify(values)}`)
  const results = await gather([taskCoro(1), Promise.reject(new Error("no luck"))], { returnExceptions: true })
  console.log(`   with returnExceptions: ${results.map(String).join(", ")}`)
}

/** aioresult's seed: a Future set by hand, waitAny and results in completion order. */
const futures = async () => {
  console.log("7. A Future set by hand, waitAny, resultsToChannel")
  const reply = new Future<string>({ name: "reply" })
  setTimeout(() => reply.setResult("pong"), 200)
  await taskGroup(async (tg) => {
    const slow = tg.spawn(async () => (await sleep(400), "slow"), { name: "slow" })
    const first = await waitAny([slow, reply])
    console.log(`   first to end: ${first.name} = ${first.value}`)
    const order: Array<string> = []
    for await (const soon of resultsToChannel([slow, reply])) order.push(soon.name)
    console.log(`   in completion order: ${order.join(", ")}`)
  })
}

export const interopDemo = async (): Promise<void> => {
  console.log("== @soonify/interop (plain Promise code) ==")
  await concurrently()
  await tooEarly()
  await readyCheck()
  await awaitUsing()
  await gathered()
  await futures()
}
