// interop's other entry a Promise user reaches for first: gather over two functions.
import { gather } from "@soonify/interop"

console.log(
  await gather(
    async () => 1,
    async () => 2
  )
)
