import type { CoreContext } from './core-context.js';
import type { Dissemination } from './dissemination.js';
import type { MemberCoordinates } from './member-coordinates.js';
import type { MemberUpdates } from './member-updates.js';
import type { Endpoint, IndirectPingMessage, PacketMessage } from './messages.js';

interface ProbeState {
  readonly target: string;
  readonly seq: number;
  readonly startedAt: number;
  readonly ackDeadline: number;
  endAt: number;
  indirect: boolean;
  expectedNacks: number;
  nacks: number;
  fallbackOk: boolean;
}

interface RelayState {
  readonly replyTo: Endpoint;
  readonly origSeq: number;
  readonly deadline: number;
  readonly nack: boolean;
}

/** The probe messages the prober answers. */
type ProbeMessage = Extract<PacketMessage, { t: 'ping' | 'indirect-ping' | 'ack' | 'nack' }>;

/**
 * SWIM's failure detector with Lifeguard: one probe per probe interval of the next member in a
 * shuffled round-robin, a direct ping, then indirect pings through `IndirectChecks` members (with
 * nacks) and a TCP ping through the driver; a failed probe makes the target suspect. Local health
 * (awareness) stretches the interval and timeout. It also relays other members' indirect pings
 * and answers pings with an ack carrying our coordinate.
 */
export class Prober {
  readonly #ctx: CoreContext;
  readonly #news: Dissemination;
  readonly #updates: MemberUpdates;
  readonly #coordinates: MemberCoordinates;
  readonly #relays = new Map<number, RelayState>();
  #probe: ProbeState | undefined;
  #seq = 0;
  #nextProbeAt: number;

  constructor(ctx: CoreContext, news: Dissemination, updates: MemberUpdates, coordinates: MemberCoordinates, firstProbeAt: number) {
    this.#ctx = ctx;
    this.#news = news;
    this.#updates = updates;
    this.#coordinates = coordinates;
    this.#nextProbeAt = firstProbeAt;
  }

  /** The earliest time the prober has work: the running probe's next step or the next probe, and relay timeouts. */
  nextDeadline(): number {
    const p = this.#probe;
    let t = p === undefined ? this.#nextProbeAt : p.indirect ? p.endAt : p.ackDeadline;
    for (const r of this.#relays.values()) if (r.deadline < t) t = r.deadline;
    return t;
  }

  /** Move the running probe on, start the next one when due, and nack relays that timed out. */
  tick(now: number): void {
    const p = this.#probe;
    if (p !== undefined) {
      if (!p.indirect && now >= p.ackDeadline) this.#startIndirect(p);
      if (now >= p.endAt) this.#finishProbe(p);
    }
    if (this.#probe === undefined && now >= this.#nextProbeAt) {
      const iv = this.#ctx.config.probeIntervalMs;
      this.#nextProbeAt += iv;
      if (this.#nextProbeAt <= now) this.#nextProbeAt = now + iv;
      this.#startProbe();
    }
    for (const [seq, r] of this.#relays) {
      if (now < r.deadline) continue;
      this.#relays.delete(seq);
      if (r.nack) this.#news.send(r.replyTo, [{ t: 'nack', seq: r.origSeq }]);
    }
  }

  /** Outcome of the TCP ping of the running probe. */
  streamPingResult(seq: number, ok: boolean): void {
    const p = this.#probe;
    if (ok && p !== undefined && p.seq === seq) p.fallbackOk = true;
  }

  handle(from: Endpoint, msg: ProbeMessage): void {
    const c = this.#ctx;
    switch (msg.t) {
      case 'ping':
        if (msg.node !== c.name) return;
        this.#news.send(from, [{ t: 'ack', seq: msg.seq, coord: this.#coordinates.own }]);
        return;
      case 'indirect-ping': {
        const seq = ++this.#seq;
        this.#relays.set(seq, {
          replyTo: from,
          origSeq: msg.seq,
          deadline: c.now + c.config.probeTimeoutMs,
          nack: msg.nack,
        });
        this.#news.send({ addr: msg.addr, port: msg.port }, [{ t: 'ping', seq, node: msg.node }]);
        return;
      }
      case 'ack': {
        const p = this.#probe;
        if (p !== undefined && p.seq === msg.seq) {
          // Serf measures RTTs on direct probes only; a relayed ack carries no coordinate.
          if (!p.indirect && msg.coord !== undefined) this.#coordinates.observe(p.target, msg.coord, c.now - p.startedAt);
          this.#probeSucceeded();
          return;
        }
        const relay = this.#relays.get(msg.seq);
        if (relay !== undefined) {
          this.#relays.delete(msg.seq);
          this.#news.send(relay.replyTo, [{ t: 'ack', seq: relay.origSeq }]);
        }
        return;
      }
      case 'nack':
        if (this.#probe !== undefined && this.#probe.seq === msg.seq) this.#probe.nacks += 1;
        return;
    }
  }

  #startProbe(): void {
    const c = this.#ctx;
    const target = c.members.nextProbeTarget();
    if (target === undefined) return;
    const now = c.now;
    const seq = ++this.#seq;
    // Lifeguard (LHA-Probe): a member in poor local health waits longer for acks and
    // probes less often. memberlist scales only the interval; the paper scales both.
    const interval = c.awareness.scaleTimeout(c.config.probeIntervalMs);
    const timeout = Math.min(c.awareness.scaleTimeout(c.config.probeTimeoutMs), interval / 2);
    this.#probe = {
      target: target.name,
      seq,
      startedAt: now,
      ackDeadline: now + Math.max(c.config.probeTimeoutMs, timeout),
      endAt: now + interval,
      indirect: false,
      expectedNacks: 0,
      nacks: 0,
      fallbackOk: false,
    };
    c.counters.probes += 1;
    const msgs: PacketMessage[] = [{ t: 'ping', seq, node: target.name }];
    // Buddy system: tell a suspect member it is suspected so it can refute at once.
    if (target.status === 'suspect') msgs.push({ t: 'suspect', node: target.name, inc: target.inc, from: c.name });
    this.#news.send(target, msgs);
  }

  #startIndirect(p: ProbeState): void {
    const c = this.#ctx;
    p.indirect = true;
    // If the caller ticked late, still give the indirect probes their full window.
    const late = c.now - p.ackDeadline;
    if (late > 0) p.endAt += late;
    const target = c.members.get(p.target);
    if (target === undefined) return;
    const relays = c.members.randomMembers(c.config.indirectChecks, (m) => m.status === 'alive' && m.name !== p.target);
    const req: IndirectPingMessage = {
      t: 'indirect-ping',
      seq: p.seq,
      node: target.name,
      addr: target.addr,
      port: target.port,
      nack: true,
    };
    for (const r of relays) this.#news.send(r, [req]);
    p.expectedNacks = relays.length;
    if (relays.length > 0) c.counters.indirectProbes += 1;
    if (c.config.tcpPings) {
      c.output({ kind: 'stream-ping', to: { addr: target.addr, port: target.port }, node: target.name, seq: p.seq });
    }
  }

  #finishProbe(p: ProbeState): void {
    const c = this.#ctx;
    this.#probe = undefined;
    this.#nextProbeAt = Math.max(this.#nextProbeAt, c.now);
    if (p.fallbackOk) return;
    c.counters.probeFailures += 1;
    // Lifeguard: each expected nack that never came suggests the problem is ours.
    const delta = p.expectedNacks > 0 ? Math.max(0, p.expectedNacks - p.nacks) : 1;
    c.awareness.applyDelta(delta);
    const m = c.members.get(p.target);
    if (m !== undefined) this.#updates.suspect({ t: 'suspect', node: m.name, inc: m.inc, from: c.name });
  }

  #probeSucceeded(): void {
    if (this.#probe === undefined) return;
    this.#probe = undefined;
    this.#ctx.awareness.applyDelta(-1);
    this.#nextProbeAt = Math.max(this.#nextProbeAt, this.#ctx.now);
  }
}
