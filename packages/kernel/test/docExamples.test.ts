import { beforeAll, describe, it } from "vitest"

// Every ```ts block in the JSDoc of src/*.ts, and every TypeScript block of README.md (for
// interop, of the root README.md too), is a test: it must typecheck and run, or be marked
// as a fragment with its reason (see scripts/doc-examples.ts).
// The harness is shared by every package and lives outside this TypeScript project,
// hence the import by URL.
const harness = new URL("../../../scripts/doc-examples.ts", import.meta.url).href
const { describeDocExamples } = await import(harness)

describeDocExamples(new URL("..", import.meta.url), { beforeAll, describe, it })
