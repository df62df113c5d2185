/**
 * Consul's serf and memberlist metrics from the gossip layer: member events as
 * `serf.member.*` and `memberlist.msg.*` counters, traffic totals, Lifeguard's health score.
 */
import type { Membership } from '../cluster/membership.js';
import type { Telemetry } from './telemetry.js';

const SERF_EVENT: Record<string, string> = { join: 'join', leave: 'left', failed: 'failed', update: 'update' };
const MEMBERLIST_MSG: Record<string, string> = { join: 'alive', suspect: 'suspect', failed: 'dead' };

/** Starts counting; returns the function that stops. */
export function membershipMetrics(t: Telemetry, membership: Membership): () => void {
  const flapWindowMs = 60_000;
  const lastFailed = new Map<string, number>();
  const off = membership.onMember((e) => {
    const serf = SERF_EVENT[e.type];
    if (serf) t.incrCounter(['serf', 'member', serf]);
    const msg = MEMBERLIST_MSG[e.type];
    if (msg) t.incrCounter(['memberlist', 'msg', msg]);
    const name = e.member.name;
    if (e.type === 'failed') lastFailed.set(name, Date.now());
    // Serf's flap: a member that failed and is back soon after.
    if (e.type === 'join') {
      const failedAt = lastFailed.get(name);
      if (failedAt !== undefined && Date.now() - failedAt < flapWindowMs) t.incrCounter(['serf', 'member', 'flap']);
      lastFailed.delete(name);
    }
    if (lastFailed.size > 10_000) lastFailed.clear();
  });
  const g = membership.gossip;
  t.gaugeFrom(['memberlist', 'health', 'score'], () => g.healthScore);
  t.counterFrom(['memberlist', 'udp', 'sent'], () => g.stats.bytesSent);
  t.counterFrom(['memberlist', 'udp', 'received'], () => g.stats.bytesReceived);
  t.counterFrom(['memberlist', 'tcp', 'accept'], () => g.stats.streamsAccepted);
  t.counterFrom(['memberlist', 'tcp', 'connect'], () => g.stats.streamsOpened);
  t.counterFrom(['memberlist', 'push_pull'], () => g.stats.pushPulls);
  const live = () => g.members().filter((m) => m.status === 'alive' || m.status === 'suspect');
  t.gaugeFrom(['members', 'servers'], () => live().filter((m) => m.tags.role === 'consul').length);
  t.gaugeFrom(['members', 'clients'], () => live().filter((m) => m.tags.role !== 'consul').length);
  return off;
}
