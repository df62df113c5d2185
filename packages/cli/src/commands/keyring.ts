import { type Command, SHOW_HELP } from '../command.js';
import { parseCommandLine } from '../flags.js';
import { CLIENT_FLAGS, CLIENT_FLAGS_HELP, type HttpSettings, httpClient, messageOf } from '../http-flags.js';
import type { Io } from '../io.js';
import { rawRequest } from '../raw-request.js';
import { byteOrder } from './catalog/services.js';

const FLAGS = {
  install: { kind: 'string' },
  use: { kind: 'string' },
  remove: { kind: 'string' },
  list: { kind: 'boolean' },
  'list-primary': { kind: 'boolean' },
  'relay-factor': { kind: 'number' },
  'local-only': { kind: 'boolean' },
  ...CLIENT_FLAGS,
} as const;

const MAX_RELAY_FACTOR = 5;

/** One pool's answer from `GET /v1/operator/keyring`. */
export interface KeyringResponse {
  readonly WAN: boolean;
  readonly Datacenter: string;
  readonly Segment?: string;
  readonly Partition?: string;
  readonly Keys: Record<string, number>;
  readonly PrimaryKeys?: Record<string, number>;
  readonly Messages?: Record<string, string> | null;
  readonly NumNodes: number;
}

type Change = { readonly method: 'POST' | 'PUT' | 'DELETE'; readonly key: string; readonly banner: string };

export const keyring: Command = {
  synopsis: 'Manages gossip layer encryption keys',
  help: () => `Usage: concord keyring [options]

  Manages encryption keys used for gossip messages. Gossip encryption is
  optional. When enabled, this command may be used to examine active encryption
  keys in the cluster, add new keys, and remove old ones. When combined, this
  functionality provides the ability to perform key rotation cluster-wide,
  without disrupting the cluster.

  All operations performed by this command can only be run against server nodes,
  and affect both the LAN and WAN keyrings in lock-step.

  All variations of the keyring command return 0 if all nodes reply and there
  are no errors. If any node fails to reply or reports failure, the exit code
  will be 1.

Command Options

  -install=<key>    Install a new encryption key. This will broadcast the new
                    key to all members in the cluster.
  -list             List all keys currently in use within the cluster.
  -list-primary     List all primary keys currently in use within the cluster.
  -local-only       Only query local servers (no WAN traffic). Only allowed
                    with -list.
  -relay-factor=<n> Have nodes relay their response through this many
                    randomly-chosen other nodes in the cluster. At most 5.
  -remove=<key>     Remove the given key from the cluster. This operation may
                    only be performed on keys which are not currently the
                    primary key.
  -use=<key>        Change the primary encryption key, which is used to
                    encrypt messages. The key must already be installed before
                    this operation can succeed.
${CLIENT_FLAGS_HELP}`,

  async run(args: readonly string[], io: Io): Promise<number> {
    const line = parseCommandLine(args, FLAGS, io);
    if (!line) return 1;
    const f = line.flags;
    const list = f.bool('list');
    const listPrimary = f.bool('list-primary');
    const changes: Change[] = [
      { method: 'POST', key: f.string('install'), banner: 'Installing new gossip encryption key...' },
      { method: 'PUT', key: f.string('use'), banner: 'Changing primary gossip encryption key...' },
      { method: 'DELETE', key: f.string('remove'), banner: 'Removing gossip encryption key...' },
    ].filter((c): c is Change => c.key !== '');
    const actions = changes.length + (list ? 1 : 0) + (listPrimary ? 1 : 0);
    if (actions === 0) return SHOW_HELP;
    if (actions > 1) {
      io.err('Only a single action is allowed');
      return 1;
    }
    const relay = f.number('relay-factor');
    if (!Number.isInteger(relay) || relay < 0 || relay > MAX_RELAY_FACTOR) {
      io.err(`Error parsing relay factor: Relay factor must be in range: [0, ${MAX_RELAY_FACTOR}]`);
      return 1;
    }
    const localOnly = f.bool('local-only');
    if (localOnly && !list) {
      io.err('Error validating local-only: local-only can only be set for list requests');
      return 1;
    }
    const http = httpClient(f, io);
    const params = { 'relay-factor': relay > 0 ? String(relay) : undefined, 'local-only': localOnly };

    const change = changes[0];
    if (change) {
      io.out(`==> ${change.banner}`);
      try {
        await rawRequest(http, {
          method: change.method,
          path: '/v1/operator/keyring',
          params,
          body: JSON.stringify({ Key: change.key }),
          contentType: 'application/json',
        });
      } catch (err) {
        io.err(`error: ${messageOf(err)}`);
        return 1;
      }
      return 0;
    }

    io.out(listPrimary ? '==> Gathering installed primary encryption keys...' : '==> Gathering installed encryption keys...');
    let pools: KeyringResponse[];
    try {
      pools = await listKeyrings(http, params);
    } catch (err) {
      io.err(`error: ${messageOf(err)}`);
      return 1;
    }
    for (const pool of pools) io.out(formatPool(pool, listPrimary ? (pool.PrimaryKeys ?? {}) : pool.Keys));
    return 0;
  },
};

async function listKeyrings(http: HttpSettings, params: Record<string, string | boolean | undefined>): Promise<KeyringResponse[]> {
  const res = await rawRequest(http, { method: 'GET', path: '/v1/operator/keyring', params });
  const text = res.body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`invalid JSON in response: ${text.slice(0, 200)}`);
  }
  if (!Array.isArray(parsed)) throw new Error(`unexpected keyring response: ${text.slice(0, 200)}`);
  return parsed as KeyringResponse[];
}

/** A blank line, `dc1 (LAN):` (or `WAN:`), node messages, then `  <key> [n/total]` per key. */
export function formatPool(pool: KeyringResponse, keys: Record<string, number>): string {
  let name = pool.WAN ? 'WAN' : `${pool.Datacenter} (LAN)`;
  if (pool.Segment) name += ` [${pool.Segment}]`;
  else if (pool.Partition && pool.Partition !== 'default') name += ` [partition: ${pool.Partition}]`;
  const lines = ['', `${name}:`];
  for (const [from, message] of Object.entries(pool.Messages ?? {})) lines.push(`  ===> ${from}: ${message}`);
  for (const key of Object.keys(keys).sort(byteOrder)) lines.push(`  ${key} [${keys[key]}/${pool.NumNodes}]`);
  return lines.join('\n');
}
