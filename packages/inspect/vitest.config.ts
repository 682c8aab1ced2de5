import { mergeConfig } from "vitest/config"
import { sharedProject } from "../../vitest.shared.ts"

// One test file at a time: attaching opens the target's inspector on 127.0.0.1:9229,
// which two files attaching at once would compete for.
export default mergeConfig(sharedProject("inspect"), { test: { fileParallelism: false } })
