// What every process of the demo's multi-process mode shares.
import type { ShardingConfig } from "effect/cluster"

/** Short lock times, so that a killed runner's shards move to the others within seconds. */
export const shardingConfig: Partial<ShardingConfig.ShardingConfig["Service"]> = {
  shardLockExpiration: "3 seconds",
  shardLockRefreshInterval: "1 second",
  refreshAssignmentsInterval: "500 millis",
  entityMessagePollInterval: "200 millis",
  entityReplyPollInterval: "100 millis",
  entityTerminationTimeout: 0
}
