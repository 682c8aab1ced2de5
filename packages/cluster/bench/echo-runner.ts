// The runner process of `bench/remote-cost.ts --loopback`: serves `Echo` on a loopback
// socket, its runner registry in PostgreSQL. Prints `ready` once it serves.
import { serveRunner } from "../test-pg/serveRunner.ts"
import { EchoLive } from "./echo.ts"

serveRunner(EchoLive)
