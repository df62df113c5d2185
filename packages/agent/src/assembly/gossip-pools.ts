/**
 * Step 2 of a role's assembly: the gossip pools. Every agent joins its datacenter's LAN pool;
 * a server also the WAN pool, on the LAN pool's keyring.
 */
import type { Logger } from 'pino';
import { KeyringStore } from '../cluster/keyring-store.js';
import { type Keyring, Membership } from '../cluster/membership.js';
import { WanMembership } from '../cluster/wan-membership.js';
import type { AgentConfig } from '../config/config.js';
import { membershipMetrics } from '../telemetry/membership-metrics.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import { VERSION } from '../version.js';
import type { Cleanups } from './cleanups.js';

export interface GossipPools {
  keyring: KeyringStore;
  membership: Membership;
  /** The WAN pool: servers only (and not with `ports.serf_wan = -1`). */
  wan: WanMembership | undefined;
}

export async function joinGossipPools(config: AgentConfig, isServer: boolean, rpcPort: number, logger: Logger, telemetry: Telemetry, cleanups: Cleanups): Promise<GossipPools> {
  const keyringStore = new KeyringStore(config.encrypt, config.dev ? undefined : config.dataDir);
  const keyring = keyringStore.keyring;
  const membership = await Membership.start({
    config,
    version: VERSION,
    rpcPort,
    logger,
    ...(keyring ? { keyring } : {}),
    gossip: config.gossipLan,
  });
  cleanups.push(() => membership.shutdown());
  cleanups.push(membershipMetrics(telemetry, membership));
  let wan: WanMembership | undefined;
  if (isServer && config.ports.serfWan >= 0) {
    wan = await startWan(config, rpcPort, logger, keyring);
    const w = wan;
    cleanups.push(() => w.shutdown());
  }
  return { keyring: keyringStore, membership, wan };
}

/** The WAN pool; a -dev agent on a busy machine takes any free port rather than failing on 8302. */
async function startWan(config: AgentConfig, rpcPort: number, logger: Logger, keyring: Keyring | undefined): Promise<WanMembership> {
  const start = (c: AgentConfig) => WanMembership.start({ config: c, version: VERSION, rpcPort, logger, ...(keyring ? { keyring } : {}), gossip: c.gossipWan });
  try {
    return await start(config);
  } catch (err) {
    const inUse = /EADDRINUSE|address already in use|could not bind/i.test(`${String(err)} ${String((err as Error).cause ?? '')}`);
    if (!(config.dev && config.ports.serfWan === 8302 && inUse)) throw err;
    logger.warn('agent: port 8302 is in use; the dev agent gossips over the WAN on a free port');
    return start({ ...config, ports: { ...config.ports, serfWan: 0 } });
  }
}
