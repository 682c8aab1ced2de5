// Fails the run on any unhandled rejection or uncaught exception, in every test file:
// soonify promises that neither ever happens.
import { afterAll } from "vitest"

const strays: Array<string> = []
const onRejection = (reason: unknown) => {
  strays.push(`unhandledRejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`)
}
const onException = (error: unknown) => {
  strays.push(`uncaughtException: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
}
process.on("unhandledRejection", onRejection)
process.on("uncaughtException", onException)

afterAll(async () => {
  // Let rejections from the last test surface before judging.
  await new Promise((resolve) => setTimeout(resolve, 5))
  process.off("unhandledRejection", onRejection)
  process.off("uncaughtException", onException)
  if (strays.length > 0) throw new Error(`Stray errors during this file:\n${strays.join("\n")}`)
})
