// A package-shaped fixture for packages/core/test/strictProcess.test.ts: the shared
// project settings (and so the strict-process setup) over test files that leak errors.
// Not part of the workspace: only that test runs it, in a child Vitest.
import { sharedProject } from "../../vitest.shared.ts"

export default sharedProject("stray-fixture")
