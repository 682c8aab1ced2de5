/**
 * The worker module of the worker configurations (`workerConfigs.ts`): the `hash`
 * kind's work, run on worker threads by @soonify/worker's pools and by piscina; the
 * same function the event-loop configurations call.
 */
export { hashRepeated as hash } from "./hash.ts"
