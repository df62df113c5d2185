/** Autopilot's replicated settings: one entry, written with optional check-and-set. */
import type { ApplyContext } from './data.js';
import { StateError } from './errors.js';
import type { AutopilotConfig } from './types.js';

const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

function check(config: AutopilotConfig): void {
  if (typeof config !== 'object' || config === null) throw new StateError('STATE_INVALID_REQUEST', 'missing autopilot configuration');
  if (typeof config.CleanupDeadServers !== 'boolean') throw new StateError('STATE_INVALID_REQUEST', 'CleanupDeadServers must be a boolean');
  for (const k of ['LastContactThreshold', 'ServerStabilizationTime'] as const) {
    if (typeof config[k] !== 'string' || !(config[k] === '0' || DURATION.test(config[k]))) {
      throw new StateError('STATE_INVALID_REQUEST', `${k} must be a duration`);
    }
  }
  for (const k of ['MaxTrailingLogs', 'MinQuorum'] as const) {
    if (!Number.isSafeInteger(config[k]) || config[k] < 0) throw new StateError('STATE_INVALID_REQUEST', `${k} must be a non-negative integer`);
  }
}

/** Stores the settings; with `cas`, only over the entry whose ModifyIndex it names (0: none). */
export function setAutopilotConfig(ctx: ApplyContext, config: AutopilotConfig, cas: number | undefined): boolean {
  check(config);
  const prev = ctx.data.autopilot;
  if (cas !== undefined && (prev?.ModifyIndex ?? 0) !== cas) return false;
  ctx.data.autopilot = {
    CleanupDeadServers: config.CleanupDeadServers,
    LastContactThreshold: config.LastContactThreshold,
    MaxTrailingLogs: config.MaxTrailingLogs,
    MinQuorum: config.MinQuorum,
    ServerStabilizationTime: config.ServerStabilizationTime,
    RedundancyZoneTag: String(config.RedundancyZoneTag ?? ''),
    DisableUpgradeMigration: Boolean(config.DisableUpgradeMigration),
    UpgradeVersionTag: String(config.UpgradeVersionTag ?? ''),
    CreateIndex: prev?.CreateIndex ?? ctx.index,
    ModifyIndex: ctx.index,
  };
  ctx.touch(AUTOPILOT_TOPIC);
  return true;
}

export const AUTOPILOT_TOPIC = 'autopilot';
