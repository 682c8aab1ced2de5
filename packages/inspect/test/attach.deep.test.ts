// The deep attach in `pnpm test`: groups nested 3,000 deep (attach.stress.test.ts: 10,000).
import { describeDeepAttach } from "./deepAttach.ts"

describeDeepAttach(3000, 60_000)
