// The deep attach as deep as groups run: 10,000 nested groups (`pnpm test:stress`;
// attach.deep.test.ts runs it 3,000 deep in `pnpm test`).
import { describeDeepAttach } from "./deepAttach.ts"

describeDeepAttach(10_000, 180_000)
