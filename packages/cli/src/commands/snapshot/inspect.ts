import { readFile } from 'node:fs/promises';
import type { Command } from '../../command.js';
import { parseCommandLine } from '../../flags.js';
import { tabwrite } from '../../format/tabwriter.js';
import { messageOf } from '../../http-flags.js';
import type { Io } from '../../io.js';
import { byteOrder } from '../catalog/services.js';
import { FILE_ARG, type SnapshotFile, decodeSnapshot } from './file.js';

const FLAGS = { format: { kind: 'string' } } as const;

/** Display names of the state tables; KVS, Session, Tombstone, Coordinate, PreparedQuery and Index are Consul's names. */
const TABLE_NAMES: Readonly<Record<string, string>> = {
  kv: 'KVS',
  nodes: 'Node',
  services: 'Service',
  checks: 'Check',
  sessions: 'Session',
  tombstones: 'Tombstone',
  coordinates: 'Coordinate',
  queries: 'PreparedQuery',
  lockDelays: 'LockDelay',
  serviceIndexes: 'ServiceIndex',
  tableIndexes: 'Index',
};

export interface TypeStats {
  readonly Name: string;
  /** Bytes of the entries' JSON. */
  readonly Sum: number;
  readonly Count: number;
}

export interface SnapshotInfo {
  readonly Meta: { readonly Index: number; readonly Datacenter: string; readonly Version: number; readonly Size: number };
  readonly Stats: TypeStats[];
  readonly TotalSize: number;
}

export const snapshotInspect: Command = {
  synopsis: 'Displays information about a snapshot file',
  help: () => `Usage: concord snapshot inspect [options] FILE

  Displays information about a snapshot file on disk: its index and
  datacenter, and how many entries of each kind it holds.

  To inspect the file "backup.snap":

    $ concord snapshot inspect backup.snap

Command Options

  -format=<pretty|json>
                    Output format. The default is pretty.`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io, FILE_ARG);
    if (!line) return 1;
    const format = line.flags.string('format', 'pretty');
    if (format !== 'pretty' && format !== 'json') {
      io.err(`Error outputting enhanced snapshot data: Unknown format: ${format}`);
      return 1;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(line.args[0] as string);
    } catch (err) {
      io.err(`Error opening snapshot file: ${messageOf(err)}`);
      return 1;
    }
    let snapshot: SnapshotFile;
    try {
      snapshot = decodeSnapshot(bytes);
    } catch (err) {
      io.err(`Error reading snapshot: ${messageOf(err)}`);
      return 1;
    }
    const info = snapshotInfo(snapshot, bytes.length);
    io.out(format === 'json' ? JSON.stringify(info, null, 3) : prettyInfo(info));
    return 0;
  },
};

/** Counts and sizes per table, largest first (then by name), as Consul orders them. */
export function snapshotInfo(snapshot: SnapshotFile, fileSize: number): SnapshotInfo {
  const stats: TypeStats[] = [];
  for (const [table, entries] of Object.entries(snapshot.state)) {
    if (!Array.isArray(entries)) continue;
    const sum = entries.reduce<number>((n, e) => n + Buffer.byteLength(JSON.stringify(e) ?? ''), 0);
    stats.push({ Name: TABLE_NAMES[table] ?? table, Sum: sum, Count: entries.length });
  }
  stats.sort((a, b) => b.Sum - a.Sum || byteOrder(a.Name, b.Name));
  return {
    Meta: { Index: snapshot.index, Datacenter: snapshot.datacenter, Version: snapshot.version, Size: fileSize },
    Stats: stats,
    TotalSize: stats.reduce((n, s) => n + s.Sum, 0),
  };
}

function prettyInfo(info: SnapshotInfo): string {
  const meta = tabwrite([
    [' Index', String(info.Meta.Index)],
    [' Datacenter', info.Meta.Datacenter],
    [' Version', String(info.Meta.Version)],
    [' Size', String(info.Meta.Size)],
  ]);
  const dashes = [' ----', '----', '----'];
  const table = tabwrite([
    [' Type', 'Count', 'Size'],
    dashes,
    ...info.Stats.map((s) => [` ${s.Name}`, String(s.Count), byteSize(s.Sum)]),
    dashes,
    [' Total', '', byteSize(info.TotalSize)],
  ]);
  return `${meta}\n\n${table}`;
}

const UNITS: ReadonlyArray<[number, string]> = [
  [2 ** 40, 'TB'],
  [2 ** 30, 'GB'],
  [2 ** 20, 'MB'],
  [2 ** 10, 'KB'],
  [1, 'B'],
];

/** `0`, `313B`, `1.6KB`, `2MB`: one decimal, a trailing `.0` dropped. */
export function byteSize(bytes: number): string {
  if (bytes === 0) return '0';
  const [scale, unit] = UNITS.find(([s]) => bytes >= s) ?? [1, 'B'];
  return `${(bytes / scale).toFixed(1).replace(/\.0$/, '')}${unit}`;
}
