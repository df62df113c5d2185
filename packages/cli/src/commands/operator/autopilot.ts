/** `concord operator autopilot get-config|set-config|state`. */
import { type AutopilotConfiguration, type AutopilotServerState, type AutopilotState, parseDuration } from '@concord/api';
import { SHOW_HELP } from '../../command.js';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';

export const operatorAutopilotGroup: Command = {
  synopsis: 'Provides tools for modifying Autopilot configuration',
  help: () => `Usage: concord operator autopilot <subcommand> [options]

  The Autopilot operator command is used to interact with Concord's Autopilot
  subsystem. The command can be used to view or modify the current configuration.

  Subcommands:

      get-config    Display the current Autopilot configuration
      set-config    Modify the current Autopilot configuration
      state         Display the current Autopilot State`,
  run: async () => SHOW_HELP,
};

const READ_FLAGS = { ...CLIENT_FLAGS, ...SERVER_FLAGS } as const;

/** The lines `get-config` prints, as Consul prints them. */
export function formatAutopilotConfig(c: AutopilotConfiguration): string[] {
  return [
    `CleanupDeadServers = ${c.CleanupDeadServers}`,
    `LastContactThreshold = ${c.LastContactThreshold}`,
    `MaxTrailingLogs = ${c.MaxTrailingLogs}`,
    `MinQuorum = ${c.MinQuorum}`,
    `ServerStabilizationTime = ${c.ServerStabilizationTime}`,
    `RedundancyZoneTag = ${JSON.stringify(c.RedundancyZoneTag)}`,
    `DisableUpgradeMigration = ${c.DisableUpgradeMigration}`,
    `UpgradeVersionTag = ${JSON.stringify(c.UpgradeVersionTag)}`,
  ];
}

export const autopilotGetConfig: Command = {
  synopsis: 'Display the current Autopilot configuration',
  help: () => `Usage: concord operator autopilot get-config [options]

  Displays the current autopilot configuration.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, READ_FLAGS, io);
    if (!line) return 1;
    const { client, stale } = httpClient(line.flags, io);
    try {
      const config = await client.operator.autopilotGetConfiguration({ stale });
      for (const l of formatAutopilotConfig(config)) io.out(l);
      return 0;
    } catch (err) {
      io.err(`Error querying Autopilot configuration: ${messageOf(err)}`);
      return 1;
    }
  },
};

const SET_FLAGS = {
  'cleanup-dead-servers': { kind: 'string' },
  'max-trailing-logs': { kind: 'string' },
  'min-quorum': { kind: 'string' },
  'last-contact-threshold': { kind: 'string' },
  'server-stabilization-time': { kind: 'string' },
  'redundancy-zone-tag': { kind: 'string' },
  'disable-upgrade-migration': { kind: 'string' },
  'upgrade-version-tag': { kind: 'string' },
  ...CLIENT_FLAGS,
  ...SERVER_FLAGS,
} as const;

class SetConfigError extends Error {}

function goBool(name: string, raw: string): boolean {
  const v = raw.toLowerCase();
  if (['1', 't', 'true'].includes(v)) return true;
  if (['0', 'f', 'false'].includes(v)) return false;
  throw new SetConfigError(`invalid value "${raw}" for flag -${name}: parse error`);
}

function goUint(name: string, raw: string): number {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw new SetConfigError(`invalid value "${raw}" for flag -${name}: parse error`);
  return Number(raw);
}

function goDuration(name: string, raw: string): string {
  const ms = parseDuration(raw);
  if (ms === undefined || ms < 0) throw new SetConfigError(`invalid value "${raw}" for flag -${name}: parse error`);
  return raw;
}

export const autopilotSetConfig: Command = {
  synopsis: 'Modify the current Autopilot configuration',
  help: () => `Usage: concord operator autopilot set-config [options]

  Modifies the current Autopilot configuration.

Command Options

  -cleanup-dead-servers=<true|false>
     Controls whether Concord will automatically remove dead servers when new
     ones are successfully added. Must be one of \`true|false\`.

  -disable-upgrade-migration=<true|false>
     (Enterprise-only in Consul) Stored and shown; Concord does no upgrade
     migrations.

  -last-contact-threshold=<value>
     Controls the maximum amount of time a server can go without contact from
     the leader before being considered unhealthy. Must be a duration value
     such as "200ms".

  -max-trailing-logs=<value>
     Controls the maximum number of log entries that a server can trail the
     leader by before being considered unhealthy.

  -min-quorum=<value>
     Sets the minimum number of servers required in a cluster before
     autopilot can prune dead servers.

  -redundancy-zone-tag=<value>
     (Enterprise-only in Consul) Stored and shown.

  -server-stabilization-time=<value>
     Controls the minimum amount of time a server must be stable in the
     'healthy' state before being added to the cluster. Must be a duration
     value such as "10s".

  -upgrade-version-tag=<value>
     (Enterprise-only in Consul) Stored and shown.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, SET_FLAGS, io);
    if (!line) return 1;
    const f = line.flags;
    const { client } = httpClient(f, io);
    let config: AutopilotConfiguration;
    try {
      config = await client.operator.autopilotGetConfiguration();
    } catch (err) {
      io.err(`Error querying Autopilot configuration: ${messageOf(err)}`);
      return 1;
    }
    const set = (name: string, apply: (raw: string) => void) => {
      if (f.has(name)) apply(f.string(name));
    };
    try {
      set('cleanup-dead-servers', (v) => (config.CleanupDeadServers = goBool('cleanup-dead-servers', v)));
      set('disable-upgrade-migration', (v) => (config.DisableUpgradeMigration = goBool('disable-upgrade-migration', v)));
      set('max-trailing-logs', (v) => (config.MaxTrailingLogs = goUint('max-trailing-logs', v)));
      set('min-quorum', (v) => (config.MinQuorum = goUint('min-quorum', v)));
      set('last-contact-threshold', (v) => (config.LastContactThreshold = goDuration('last-contact-threshold', v)));
      set('server-stabilization-time', (v) => (config.ServerStabilizationTime = goDuration('server-stabilization-time', v)));
      set('redundancy-zone-tag', (v) => (config.RedundancyZoneTag = v));
      set('upgrade-version-tag', (v) => (config.UpgradeVersionTag = v));
    } catch (err) {
      io.err(messageOf(err));
      return 1;
    }
    let stored: boolean;
    try {
      stored = await client.operator.autopilotSetConfiguration(config, config.ModifyIndex ?? 0);
    } catch (err) {
      io.err(`Error setting Autopilot configuration: ${messageOf(err)}`);
      return 1;
    }
    if (!stored) {
      io.out('Configuration could not be atomically updated, please try again');
      return 1;
    }
    io.out('Configuration updated!');
    return 0;
  },
};

function formatServer(s: AutopilotServerState): string[] {
  const out = [
    `   ${s.ID}`,
    `      Name:            ${s.Name}`,
    `      Address:         ${s.Address}`,
    `      Version:         ${s.Version}`,
    `      Status:          ${s.Status}`,
    `      Node Type:       ${s.NodeType}`,
    `      Node Status:     ${s.NodeStatus}`,
    `      Healthy:         ${s.Healthy}`,
    `      Last Contact:    ${s.LastContact}`,
    `      Last Term:       ${s.LastTerm}`,
    `      Last Index:      ${s.LastIndex}`,
  ];
  if (s.RedundancyZone) out.push(`      Redundancy Zone: ${s.RedundancyZone}`);
  if (s.UpgradeVersion) out.push(`      Upgrade Version: ${s.UpgradeVersion}`);
  if (s.ReadReplica) out.push(`      Read Replica:    ${s.ReadReplica}`);
  const meta = Object.entries(s.Meta ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (meta.length > 0) {
    out.push('      Meta');
    for (const [k, v] of meta) out.push(`         ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  }
  return out;
}

/** The text `state` prints, in Consul's pretty format. */
export function formatAutopilotState(state: AutopilotState): string[] {
  const out = [
    `Healthy:                      ${state.Healthy}`,
    `Failure Tolerance:            ${state.FailureTolerance}`,
    `Optimistic Failure Tolerance: ${state.OptimisticFailureTolerance}`,
    `Leader:                       ${state.Leader}`,
    'Voters:',
    ...state.Voters.map((v) => `   ${v}`),
  ];
  if (state.ReadReplicas && state.ReadReplicas.length > 0) out.push('Read Replicas:', ...state.ReadReplicas.map((v) => `   ${v}`));
  out.push('Servers:');
  for (const id of Object.keys(state.Servers).sort()) out.push(...formatServer(state.Servers[id] as AutopilotServerState));
  return out;
}

const STATE_FLAGS = { format: { kind: 'string' }, ...CLIENT_FLAGS, ...SERVER_FLAGS } as const;

export const autopilotState: Command = {
  synopsis: 'Display the current Autopilot State',
  help: () => `Usage: concord operator autopilot state [options]

  Displays the current autopilot state.

Command Options

  -format=<string>
     Output format {pretty|json} (default "pretty")
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, STATE_FLAGS, io);
    if (!line) return 1;
    const format = line.flags.string('format', 'pretty') || 'pretty';
    if (format !== 'pretty' && format !== 'json') {
      io.err(`Error: Unknown format: ${format}`);
      return 1;
    }
    const { client, stale } = httpClient(line.flags, io);
    let state: AutopilotState;
    try {
      state = await client.operator.autopilotState({ stale });
    } catch (err) {
      io.err(`Error querying Autopilot state: ${messageOf(err)}`);
      return 1;
    }
    if (format === 'json') io.out(JSON.stringify(state, null, 4));
    else for (const l of formatAutopilotState(state)) io.out(l);
    return 0;
  },
};
