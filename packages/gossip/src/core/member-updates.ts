import type { CoreContext } from './core-context.js';
import { aliveMessage } from './core-context.js';
import type { Dissemination } from './dissemination.js';
import { accusationBelievable, incNewer, refutingIncarnation } from './incarnation.js';
import type { MemberState } from './member-table.js';
import type { AliveMessage, DeadMessage, SuspectMessage, Tags } from './messages.js';
import { Suspicion } from './suspicion.js';
import { expectedConfirmations, suspicionTimeout } from './timing.js';

function sameTags(a: Tags, b: Tags): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * memberlist's `aliveNode`, `suspectNode` and `deadNode`: how an alive, suspect or dead message
 * changes a member, with incarnation numbers deciding what is news, Lifeguard suspicion timers
 * that shrink with independent confirmations, refutation of accusations about ourselves, Serf's
 * left state, and the re-broadcast of every change.
 */
export class MemberUpdates {
  readonly #ctx: CoreContext;
  readonly #news: Dissemination;
  readonly #suspicions = new Map<string, Suspicion>();
  /** Set by a graceful leave: we stop refuting and ignore alive messages about ourselves. */
  leaving = false;

  constructor(ctx: CoreContext, news: Dissemination) {
    this.#ctx = ctx;
    this.#news = news;
  }

  /** Deadline of the suspicion timer on `name`, if one runs. */
  suspicionDeadline(name: string): number | undefined {
    return this.#suspicions.get(name)?.deadline;
  }

  /** The earliest suspicion deadline; +∞ when none runs. */
  nextDeadline(): number {
    let t = Number.POSITIVE_INFINITY;
    for (const s of this.#suspicions.values()) if (s.deadline < t) t = s.deadline;
    return t;
  }

  /** A suspect whose timer ran out is declared dead. */
  expireSuspicions(now: number): void {
    for (const [name, s] of this.#suspicions) {
      if (now < s.deadline) continue;
      this.#suspicions.delete(name);
      const m = this.#ctx.members.get(name);
      if (m !== undefined && m.status === 'suspect') {
        this.dead({ t: 'dead', node: name, inc: m.inc, from: this.#ctx.name });
      }
    }
  }

  alive(msg: AliveMessage): void {
    const c = this.#ctx;
    if (this.leaving && msg.node === c.name) return;
    const m = c.members.get(msg.node);
    if (m === undefined) {
      const added: MemberState = {
        name: msg.node,
        addr: msg.addr,
        port: msg.port,
        tags: { ...msg.tags },
        status: 'alive',
        inc: msg.inc,
        changedAt: c.now,
      };
      c.members.insert(added);
      this.#news.queueMember(msg.node, msg);
      c.emit('join', added);
      return;
    }
    let moved = false;
    if (m.addr !== msg.addr || m.port !== msg.port) {
      // A name at a new address: allowed only once the old holder left or failed.
      if (m.status !== 'left' && m.status !== 'failed') {
        c.counters.addressConflicts += 1;
        return;
      }
      moved = true;
    }
    const isLocal = m.name === c.name;
    if (!isLocal && !moved && !incNewer(msg.inc, m.inc)) return;
    if (isLocal && !accusationBelievable(msg.inc, m.inc)) return;
    this.#suspicions.delete(m.name);
    if (isLocal) {
      if (msg.inc === m.inc && sameTags(msg.tags, m.tags)) return;
      this.#refute(m, msg.inc);
      return;
    }
    const oldStatus = m.status;
    const tagsChanged = !sameTags(msg.tags, m.tags);
    this.#news.queueMember(m.name, msg);
    m.inc = msg.inc;
    m.tags = { ...msg.tags };
    m.addr = msg.addr;
    m.port = msg.port;
    m.pruned = false;
    if (oldStatus !== 'alive') c.members.setStatus(m, 'alive', c.now);
    if (oldStatus === 'failed' || oldStatus === 'left') c.emit('join', m);
    else if (tagsChanged || moved || oldStatus === 'suspect') c.emit('update', m);
  }

  suspect(msg: SuspectMessage): void {
    const c = this.#ctx;
    const m = c.members.get(msg.node);
    if (m === undefined || !accusationBelievable(msg.inc, m.inc)) return;
    const running = this.#suspicions.get(msg.node);
    if (running !== undefined) {
      // An independent confirmation shortens the timer and is worth re-gossiping.
      if (running.confirm(msg.from, c.now)) this.#news.queueMember(msg.node, msg);
      return;
    }
    if (m.status !== 'alive') return;
    if (m.name === c.name) {
      this.#refute(m, msg.inc);
      return;
    }
    this.#news.queueMember(msg.node, msg);
    m.inc = msg.inc;
    c.members.setStatus(m, 'suspect', c.now);
    const cfg = c.config;
    const n = c.members.liveCount;
    const min = suspicionTimeout(cfg.suspicionMult, n, cfg.probeIntervalMs);
    const k = expectedConfirmations(cfg.suspicionMult, n);
    this.#suspicions.set(m.name, new Suspicion(msg.from, k, min, cfg.suspicionMaxTimeoutMult * min, c.now));
    c.emit('suspect', m);
  }

  dead(msg: DeadMessage): void {
    const c = this.#ctx;
    const m = c.members.get(msg.node);
    if (m === undefined || !accusationBelievable(msg.inc, m.inc)) return;
    const leaving = msg.from === msg.node;
    if (m.status === 'failed' || m.status === 'left') {
      // Serf: a leave about a member we saw fail turns it into `left`.
      if (m.status === 'failed' && leaving) {
        this.#news.queueMember(m.name, msg);
        m.inc = msg.inc;
        c.members.setStatus(m, 'left', c.now);
        c.emit('leave', m);
      }
      this.#maybePrune(m, msg);
      return;
    }
    this.#suspicions.delete(m.name);
    if (m.name === c.name && !this.leaving) {
      this.#refute(m, msg.inc);
      return;
    }
    this.#news.queueMember(m.name, msg);
    m.inc = msg.inc;
    c.members.setStatus(m, leaving ? 'left' : 'failed', c.now);
    if (m.name !== c.name) c.emit(leaving ? 'leave' : 'failed', m);
    this.#maybePrune(m, msg);
  }

  /** A pruning force-leave hides the left member at once (see `MemberState.pruned`). */
  #maybePrune(m: MemberState, msg: DeadMessage): void {
    if (!msg.prune || msg.from !== msg.node || m.status !== 'left' || m.name === this.#ctx.name || m.pruned) return;
    this.#news.queueMember(m.name, msg);
    m.pruned = true;
    this.#ctx.emit('reap', m);
  }

  #refute(self: MemberState, accusedInc: number): void {
    self.inc = refutingIncarnation(self.inc, accusedInc);
    this.#ctx.counters.refutations += 1;
    this.#ctx.awareness.applyDelta(1);
    this.#news.queueMember(self.name, aliveMessage(self));
  }
}
