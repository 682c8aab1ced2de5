// Deliberately wrong (Effect code): each `// wrong:` line is what the Effect language
// service's floatingEffect diagnostic reports; test/lint.test.ts asserts exactly those lines.
import { Effect } from "effect"
import { TaskGroup } from "@soonify/core"

const doWork = (name: string) => Effect.as(Effect.sleep("10 millis"), `Hello, ${name}`)

export const program = TaskGroup.run((group) =>
  Effect.gen(function* () {
    // wrong: without `yield*`, the spawn is an Effect that nobody runs: the task never starts.
    group.soonify(doWork)("Yury")
    const soon = yield* group.soonify(doWork)("Nathaniel")
    // wrong: the wait is an Effect too; nothing waits.
    // (A bare property read is also what oxlint's no-unused-expressions catches, without types.)
    // oxlint-disable-next-line no-unused-expressions
    soon.await
  })
)
