import { beforeAll, describe, it } from "vitest"

// Every ```ts block in the JSDoc of src/*.ts is a test: it must typecheck and run.
// The harness is shared by every package and lives outside this TypeScript project,
// hence the import by URL.
const harness = new URL("../../../scripts/doc-examples.ts", import.meta.url).href
const { describeDocExamples } = await import(harness)

describeDocExamples(new URL("..", import.meta.url), { beforeAll, describe, it })
