/**
 * Speeds up the end of a partition: gossip marks the members across it failed and, like serf,
 * only tries to reconnect to a failed member every 30 s or so. Raft notices much sooner that a
 * peer answers again (the leader hears from it, or a follower from its leader); when a server
 * raft hears from is still failed in gossip, this joins it at once, which exchanges the full
 * member state and lets both sides refute their deaths.
 */
import type { Logger } from 'pino';
import type { Membership } from './membership.js';
import type { RaftLog } from './raft-log.js';

const CHECK_MS = 1000;
/** A member is not joined again within this time of the last attempt. */
const RETRY_MS = 5000;
/** A follower counts its leader as reachable when it heard from it this recently. */
const CONTACT_MS = 2000;

export class GossipHeal {
  readonly #timer: NodeJS.Timeout;
  readonly #tried = new Map<string, number>();

  constructor(
    readonly raft: RaftLog,
    readonly membership: Membership,
    readonly selfId: string,
    readonly logger: Logger,
  ) {
    this.#timer = setInterval(() => this.check(), CHECK_MS);
    this.#timer.unref();
  }

  /** Raft peers heard from recently. */
  #reachable(): string[] {
    const st = this.raft.status();
    if (!st) return [];
    if (this.raft.isLeader()) return [...st.progress].filter(([id, p]) => id !== this.selfId && p.recentActive).map(([id]) => id);
    return st.lead && this.raft.lastContactMs() <= CONTACT_MS ? [st.lead] : [];
  }

  check(now = Date.now()): void {
    const reachable = new Set(this.#reachable());
    if (reachable.size === 0) return;
    for (const m of this.membership.gossip.members()) {
      if (m.status !== 'failed' || !reachable.has(m.tags.id ?? '')) continue;
      if (now - (this.#tried.get(m.name) ?? 0) < RETRY_MS) continue;
      this.#tried.set(m.name, now);
      const addr = `${m.addr.includes(':') ? `[${m.addr}]` : m.addr}:${m.port}`;
      this.logger.info({ member: m.name, addr }, 'gossip: raft reaches a member gossip has as failed; joining it');
      this.membership.join([addr]).catch((err: unknown) => this.logger.debug({ err: String(err), member: m.name }, 'gossip: rejoin failed'));
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
