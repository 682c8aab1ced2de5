#!/usr/bin/env node
// The `soonify` command (package.json `bin`): `soonify ps | pstree | top <pid>`.
import { readFileSync } from "node:fs"
import { main } from "../internal/cli.ts"

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string
}
process.exitCode = await main(process.argv.slice(2), process, version)
