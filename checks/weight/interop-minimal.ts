// The minimal interop program whose weight CI tracks (DESIGN §9): one group, one task,
// its value read after the group.
import { taskGroup } from "@soonify/interop"

const [soon] = await taskGroup(async (tg) => [tg.soonify(async (n: number) => n * 2)(21)])
console.log(soon?.value)
