/** Helpers of the multi-datacenter tests: fast WAN timings and the WAN pool as `members -wan` lists it. */
import { concord } from './_agent.js';
import { type Proc, httpAddr } from './_process-cluster.js';

/** Fast WAN timings for loopback, as FAST_GOSSIP is for the LAN pool. */
export const FAST_WAN = { gossip_wan: { probe_interval: '200ms', probe_timeout: '100ms', suspicion_mult: 2 } };

/** The names of the alive members of the WAN pool, as `concord members -wan` on `p` lists them, sorted. */
export async function wanNames(p: Proc): Promise<string[]> {
  const r = await concord(['members', '-wan'], httpAddr(p));
  if (r.code !== 0) throw new Error(r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(/\s+/))
    .filter((row) => row[2] === 'alive')
    .map((row) => row[0] as string)
    .sort();
}
