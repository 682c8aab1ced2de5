// `pnpm demo`: soonify at work on the seed programs, in real time.
import { Effect } from "effect"
import { cancelIoDemo } from "./cancelIo.ts"
import { coreDemo } from "./core.ts"
import { interopDemo } from "./interop.ts"
import { observabilityDemo } from "./observability.ts"

await Effect.runPromise(coreDemo)
await interopDemo()
await cancelIoDemo()
await import("./worker.ts").then((demo) => demo.workerDemo())
await observabilityDemo()
await import("./flow.ts").then((demo) => demo.flowDemo())
