// Groups nested 2,000 deep: a quick version of scale.test.ts (10,000 deep, seconds per
// case), deep enough that starting, ending, failing or being interrupted in one call
// chain would overflow the stack, and quick enough for `pnpm test:mutation` to run.
import { it } from "@effect/vitest"
import { describeNested } from "./nesting.ts"
import { describeDeepSnapshots } from "./snapshotNesting.ts"

const depth = 2_000

describeNested(depth, it.effect)

// Deep enough that a recursive snapshot or rendering overflows the stack.
describeDeepSnapshots(3_000)
