/**
 * Runs configurations the way one bench process does (`child.ts`: every member once a
 * round, the order rotating by one each round, a full GC before each run), for counting
 * what one run costs with tools that see the whole process, such as valgrind's
 * instruction counts, which the machine's load does not change:
 *
 *   node --expose-gc --predictable src/count.ts <config,anchor,…> <kind> <size> <rounds> [skip]
 *
 * `skip` names a member whose run in the last round is left out (its full GC still
 * runs): the cost of that run is the count without `skip` less the count with it.
 * `--predictable` makes V8 compile and collect on the main thread, so that two
 * processes given the same arguments execute the same instructions, give or take a few
 * thousand.
 */
import { configById } from "./configs.ts"
import { effectTasks, promiseTasks, type Kind } from "./tasks.ts"

const [ids = "core-gather,effect-foreach", kind = "now", size = "10000", rounds = "4", skip] = process.argv.slice(2)
const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run node with --expose-gc")
const inputs = Array.from({ length: Number(size) }, (_, i) => i)
const members = await Promise.all(
  ids.split(",").map(async (id) => {
    const config = configById(id)
    if (config === undefined) throw new Error(`unknown configuration "${id}"`)
    const runner = (await config.load()) as unknown
    if (typeof runner !== "function") throw new Error(`${id}: ${String(runner)}`)
    const task = config.world === "effect" ? effectTasks(kind as Kind).task : promiseTasks(kind as Kind).task
    return { id, run: runner as (inputs: ReadonlyArray<number>, task: unknown) => Promise<ReadonlyArray<number>>, task }
  })
)
if (skip !== undefined && !members.some((member) => member.id === skip)) throw new Error(`"${skip}" is no member`)
const last = Number(rounds) - 1
for (let round = 0; round <= last; round++) {
  for (let at = 0; at < members.length; at++) {
    const member = members[(at + round) % members.length]
    gc()
    if (process.env.COUNT_TRACE) console.log(`--- round ${round} ${member.id}`)
    if (round === last && member.id === skip) continue
    const results = await member.run(inputs, member.task)
    for (let i = 0; i < inputs.length; i++) if (results[i] !== i) throw new Error(`${member.id}: wrong result at ${i}`)
  }
}
