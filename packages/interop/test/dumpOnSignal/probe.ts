// A process with an open group that dumps on SIGUSR2 (dumpOnSignal), for
// test/dumpOnSignal.test.ts: prints "ready", dumps on each signal, and after `uninstall`
// on stdin removes the dump (a SIGUSR2 then ends the process, as Node does by default).
import { createInterface } from "node:readline"
import { dumpOnSignal, reportProgress, taskGroup } from "@soonify/interop"

const uninstall = dumpOnSignal()
let open!: () => void
const gate = new Promise<void>((resolve) => (open = resolve))
const lines = createInterface({ input: process.stdin })
lines.on("line", (line) => {
  if (line === "uninstall") {
    uninstall()
    process.stdout.write("uninstalled\n")
  }
  if (line === "finish") open()
})
const done = taskGroup(
  async (tg) => {
    tg.spawn(
      async () => {
        reportProgress(1, 4)
        await gate
      },
      { name: "import batch" }
    )
  },
  { name: "importer" }
)
setTimeout(() => process.stdout.write("ready\n"), 10)
await done
lines.close()
