// A settle group's failed task whose handle is dropped unread, then garbage-collected:
// run by unread.test.ts in a fresh Node process with --expose-gc.
//
//   node --expose-gc --conditions=@soonify/source probe.ts unread|waited|custom|read|handled|succeeded
//
// `custom` provides a logger of its own to the fiber that opens the group, which prints
// `custom <level> <message> | <cause>`; the others use Effect's default logger.
import { Cause, Effect, Logger } from "effect"
import { SoonValue, TaskGroup } from "@soonify/core"

declare const gc: () => void

const scenario = process.argv[2]

const tick = () => new Promise<void>((resolve) => setImmediate(resolve))

const custom = Logger.layer([
  Logger.make((options) =>
    console.log(`custom ${options.logLevel} ${String(options.message)} | ${Cause.pretty(options.cause)}`)
  )
])

const program = TaskGroup.run(
  (group) =>
    Effect.gen(function* () {
      const failed = yield* group.spawn(
        scenario === "succeeded" ? Effect.succeed("fine") : Effect.fail(new Error("lost failure")),
        { name: "job" }
      )
      yield* Effect.exit(failed.await.pipe(Effect.when(Effect.succeed(scenario === "read"))))
      // Waiting for a handle to end is not reading its failure.
      if (scenario === "waited") yield* SoonValue.waitAll([failed])
    }),
  {
    mode: "settle",
    name: "background",
    ...(scenario === "handled" ? { onTaskError: () => Effect.void } : {})
  }
)

await Effect.runPromise(scenario === "custom" ? Effect.provide(program, custom) : program)
for (let i = 0; i < 10; i++) {
  await tick()
  gc()
}
await tick()
