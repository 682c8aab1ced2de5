import { Effect, Fiber } from "effect"
import { TaskGroup } from "@soonify/core"
import { taskGroup } from "@soonify/interop"
TaskGroup.snapshotAllUnsafe()
await Effect.runPromise(TaskGroup.run((g) => g.spawn(Effect.promise(() => { console.log("fiber", Fiber.getCurrent() !== undefined); return taskGroup(async (tg) => { console.log(TaskGroup.renderSnapshot(TaskGroup.snapshotAllUnsafe())) }, {name: "inner"}) })), { name: "outer" }))
