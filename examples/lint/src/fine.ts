// The same code written right: neither check reports anything here.
import { Effect } from "effect"
import { TaskGroup } from "@soonify/core"
import { gather, taskGroup } from "@soonify/interop"

export const crawl = (urls: ReadonlyArray<string>) =>
  taskGroup(async (tg) => {
    await gather(urls.map((url) => (signal: AbortSignal) => fetch(url, { signal })))
    const soon = tg.spawn((signal) => fetch(urls[0]!, { signal }))
    await soon.wait()
  })

const doWork = (name: string) => Effect.as(Effect.sleep("10 millis"), `Hello, ${name}`)

export const program = TaskGroup.run((group) =>
  Effect.gen(function* () {
    yield* group.soonify(doWork)("Yury")
    const soon = yield* group.soonify(doWork)("Nathaniel")
    return yield* soon.await
  })
)
