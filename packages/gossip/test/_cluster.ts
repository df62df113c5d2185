import type { ExecutionContext } from 'ava';
import type { Gossip, GossipOptions, MemberStatus } from '../src/index.js';
import { createGossip } from '../src/index.js';

export async function waitFor(what: string, check: () => boolean, timeoutMs: number, describe?: () => string): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${describe ? `: ${describe()}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return Date.now() - start;
}

/** Start `n` members on loopback with ephemeral ports; all are shut down in teardown. */
export async function startMembers(t: ExecutionContext, n: number, opts: (i: number) => Partial<GossipOptions> = () => ({}), prefix = 'm'): Promise<Gossip[]> {
  const members: Gossip[] = [];
  for (let i = 0; i < n; i++) {
    const g = createGossip({
      name: `${prefix}${i}`,
      bindAddr: '127.0.0.1',
      bindPort: 0,
      config: 'local',
      tags: { role: i === 0 ? 'consul' : 'node', dc: 'dc1' },
      ...opts(i),
    });
    t.teardown(() => g.shutdown());
    await g.start();
    members.push(g);
  }
  return members;
}

export function statusOf(observer: Gossip, name: string): MemberStatus | undefined {
  return observer.members().find((m) => m.name === name)?.status;
}

export function allSee(observers: readonly Gossip[], name: string, status: MemberStatus): boolean {
  return observers.every((o) => o.name === name || statusOf(o, name) === status);
}

export function converged(members: readonly Gossip[]): boolean {
  return members.every((o) => {
    const alive = o.members().filter((m) => m.status === 'alive').length;
    return alive === members.length;
  });
}

/** Who sees whom in a state other than alive, for failure messages. */
export function describeViews(members: readonly Gossip[]): string {
  const out: string[] = [];
  for (const o of members) {
    const odd = members.filter((x) => statusOf(o, x.name) !== 'alive').map((x) => `${x.name}=${statusOf(o, x.name) ?? 'unknown'}`);
    if (odd.length > 0) out.push(`${o.name} sees ${odd.join(' ')} (health ${o.healthScore}, ${o.stats.packetsReceived} packets in, ${o.stats.sendErrors} send errors)`);
  }
  return out.join('; ');
}
