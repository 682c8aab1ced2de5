// The p-limit anchor: the same one task through a limit.
import pLimit from "p-limit"

const limit = pLimit(1)
console.log(await limit(async () => 21 * 2))
