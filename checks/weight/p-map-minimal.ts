// The p-map anchor: the same one task through pMap.
import pMap from "p-map"

console.log(await pMap([21], async (n: number) => n * 2))
