// Snapshots as deep as groups run: 10,000 nested groups (`pnpm test:stress`; deep.test.ts
// runs the same cases 3,000 deep in `pnpm test`).
import { describeDeepSnapshots } from "./snapshotNesting.ts"

describeDeepSnapshots(10_000)
