import { formatDuration } from '@concord/goflags';
import type { AutopilotConfig } from '@concord/state';
import { ConfigError } from './config-error.js';
import { type Json, bool, dur, int, str } from './json-fields.js';

/** The `autopilot` block with Consul's defaults. */
export function autopilotBlock(a: Json): AutopilotConfig {
  const count = (v: unknown, key: string) => {
    const n = int(v, key);
    if (n !== undefined && n < 0) throw new ConfigError(`${key} must not be negative`);
    return n;
  };
  return {
    CleanupDeadServers: bool(a.cleanup_dead_servers, 'autopilot.cleanup_dead_servers') ?? true,
    LastContactThreshold: formatDuration(dur(a.last_contact_threshold, 'autopilot.last_contact_threshold') ?? 200),
    MaxTrailingLogs: count(a.max_trailing_logs, 'autopilot.max_trailing_logs') ?? 250,
    MinQuorum: count(a.min_quorum, 'autopilot.min_quorum') ?? 0,
    ServerStabilizationTime: formatDuration(dur(a.server_stabilization_time, 'autopilot.server_stabilization_time') ?? 10_000),
    RedundancyZoneTag: str(a.redundancy_zone_tag, 'autopilot.redundancy_zone_tag') ?? '',
    DisableUpgradeMigration: bool(a.disable_upgrade_migration, 'autopilot.disable_upgrade_migration') ?? false,
    UpgradeVersionTag: str(a.upgrade_version_tag, 'autopilot.upgrade_version_tag') ?? '',
  };
}
