import type { AgentMember } from '@concord/api';
import type { Command } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { columnize } from '../format/columnize.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';
import { byteOrder } from './catalog/services.js';

const FLAGS = {
  detailed: { kind: 'boolean' },
  wan: { kind: 'boolean' },
  status: { kind: 'string' },
  segment: { kind: 'string' },
  filter: { kind: 'string' },
  ...CLIENT_FLAGS,
} as const;

const ALL_SEGMENTS = '_all';

export const members: Command = {
  synopsis: 'Lists the members of a cluster',
  help: () => `Usage: concord members [options]

  Outputs the members of a running agent's cluster.

Command Options

  -detailed         Provides detailed information about nodes.
  -filter=<expression>
                    Filter to use with the request.
  -status=<regexp>  Only members whose status matches the regular
                    expression. Exits with code 2 when none does.
  -wan              If the agent is in server mode, list the WAN pool.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const f = line.flags;
    let statusRe: RegExp;
    try {
      statusRe = new RegExp(f.has('status') ? f.string('status') : '.*');
    } catch (err) {
      io.err(`Failed to compile status regexp: ${messageOf(err)}`);
      return 1;
    }
    const segment = f.has('segment') ? f.string('segment') : ALL_SEGMENTS;
    const { client } = httpClient(f, io);
    let list: AgentMember[];
    try {
      const filter = f.string('filter');
      list = await client.agent.members({ wan: f.bool('wan'), ...(filter ? { filter } : {}) });
    } catch (err) {
      io.err(`Error retrieving members: ${messageOf(err)}`);
      return 1;
    }
    const rows = list
      .map((m) => withDisplayTags(m, segment))
      .filter((m) => statusRe.test(memberStatus(m.Status)))
      .sort(compareMembers);
    if (rows.length === 0) return 2;
    io.out(columnize(f.bool('detailed') ? detailedRows(rows) : standardRows(rows)));
    return 0;
  },
};

/** Serf's member status names. */
export function memberStatus(status: number): string {
  return ['none', 'alive', 'leaving', 'left', 'failed'][status] ?? 'unknown';
}

function withDisplayTags(m: AgentMember, segment: string): AgentMember {
  const tags = { ...(m.Tags ?? {}) };
  if (!tags.ap) tags.ap = 'default';
  if (tags.ap === 'default') {
    if (segment === ALL_SEGMENTS && tags.role === 'consul') tags.segment = '<all>';
    else if (!tags.segment) tags.segment = '<default>';
  } else {
    tags.segment = '';
  }
  return { ...m, Tags: tags };
}

/** Servers first, then the default partition, then by segment, partition and name. */
function compareMembers(a: AgentMember, b: AgentMember): number {
  const aServer = a.Tags.role === 'consul';
  const bServer = b.Tags.role === 'consul';
  if (aServer !== bServer) return aServer ? -1 : 1;
  const aDefault = isDefault(a.Tags.ap);
  const bDefault = isDefault(b.Tags.ap);
  if (aDefault !== bDefault) return aDefault ? -1 : 1;
  return byteOrder(a.Tags.segment ?? '', b.Tags.segment ?? '') || byteOrder(a.Tags.ap ?? '', b.Tags.ap ?? '') || byteOrder(a.Name, b.Name);
}

function isDefault(partition: string | undefined): boolean {
  return !partition || partition === 'default';
}

/** `ip:port`, with IPv6 addresses in brackets, as Go's net.TCPAddr prints them. */
function hostPort(m: AgentMember): string {
  return m.Addr.includes(':') ? `[${m.Addr}]:${m.Port}` : `${m.Addr}:${m.Port}`;
}

function standardRows(list: readonly AgentMember[]): string[][] {
  const rows = [['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment']];
  for (const m of list) {
    const tags = m.Tags;
    let build = tags.build ?? '';
    if (build === '') build = '< 0.3';
    else if (build.includes(':')) build = build.slice(0, build.indexOf(':'));
    const status = memberStatus(m.Status);
    const type = tags.role === 'node' ? 'client' : tags.role === 'consul' ? 'server' : undefined;
    if (type) {
      rows.push([m.Name, hostPort(m), status, type, build, tags.vsn ?? '', tags.dc ?? '', tags.ap ?? '', tags.segment ?? '']);
    } else {
      rows.push([m.Name, hostPort(m), status, 'unknown', '', '', '', '', '']);
    }
  }
  return rows;
}

function detailedRows(list: readonly AgentMember[]): string[][] {
  const rows = [['Node', 'Address', 'Status', 'Tags']];
  for (const m of list) {
    const tags = Object.keys(m.Tags)
      .sort(byteOrder)
      .map((k) => `${k}=${m.Tags[k]}`)
      .join(',');
    rows.push([m.Name, hostPort(m), memberStatus(m.Status), tags]);
  }
  return rows;
}
