import type { AutopilotHealth } from '@concord/api';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { columnize } from '../../format/columnize.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, SERVER_FLAGS, SERVER_FLAGS_HELP, httpClient, messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';

const FLAGS = { ...CLIENT_FLAGS, ...SERVER_FLAGS } as const;

export const raftListPeers: Command = {
  synopsis: 'Display the current Raft peer configuration',
  help: () => `Usage: concord operator raft list-peers [options]

  Displays the current Raft peer configuration.
${CLIENT_FLAGS_HELP}
${SERVER_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const { client, stale } = httpClient(line.flags, io);
    let config;
    try {
      config = await client.operator.raftConfiguration({ stale });
    } catch (err) {
      io.err(`Error getting peers: Failed to retrieve raft configuration: ${messageOf(err)}`);
      return 1;
    }
    // Autopilot health adds the commit columns; an agent without it still gets the table.
    let health: AutopilotHealth | undefined;
    try {
      health = await client.operator.autopilotHealth({ stale });
    } catch {
      health = undefined;
    }
    const byId = new Map((health?.Servers ?? []).map((s) => [s.ID, s]));
    const leader = config.Servers.find((s) => s.Leader);
    const leaderIndex = (leader && byId.get(leader.ID)?.LastIndex) ?? 0;
    const rows = [['Node', 'ID', 'Address', 'State', 'Voter', 'RaftProtocol', 'Commit Index', 'Trails Leader By']];
    for (const s of config.Servers) {
      const state = s.Leader ? 'leader' : 'follower';
      const protocol = s.ProtocolVersion || '<=1';
      const h = byId.get(s.ID);
      if (h) {
        const behind = Math.max(0, leaderIndex - h.LastIndex);
        const trails = s.Leader ? '_' : behind <= 1 ? `${behind} Commit` : `${behind} Commits`;
        rows.push([s.Node, s.ID, s.Address, state, String(s.Voter), protocol, String(h.LastIndex), trails]);
      } else {
        rows.push([s.Node, s.ID, s.Address, state, String(s.Voter), protocol, '_']);
      }
    }
    io.out(columnize(rows));
    return 0;
  },
};
