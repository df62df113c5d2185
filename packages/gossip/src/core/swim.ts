import { Awareness } from './awareness.js';
import type { Coordinate } from './coordinate.js';
import { BroadcastQueue } from './broadcast-queue.js';
import type { GossipConfig } from './config.js';
import type {
  AliveMessage,
  BroadcastMessage,
  DeadMessage,
  Endpoint,
  IndirectPingMessage,
  MemberStatus,
  PacketMessage,
  PushPullState,
  SuspectMessage,
  Tags,
  UserEventMessage,
} from './messages.js';
import { COMPOUND_HEADER_BYTES, COMPOUND_PER_MESSAGE_BYTES, encodedSize, tagsSize, utf8Length } from './messages.js';
import type { Prng } from '@concord/simkit';
import { shuffle } from '@concord/simkit';
import { GossipTagsTooLargeError, GossipUserEventTooLargeError } from '../errors.js';
import {
  USER_EVENT_BUFFER_SIZE,
  USER_EVENT_SANE_LIMIT,
  USER_EVENT_SIZE_LIMIT,
  type UserEvent,
  UserEventLog,
  type UserEventsState,
} from './user-events.js';
import { Suspicion } from './suspicion.js';
import { expectedConfirmations, pushPullScale, suspicionTimeout } from './timing.js';
import { MemberCoordinates } from './member-coordinates.js';
import { accusationBelievable, incNewer, nextIncarnation, refutingIncarnation } from './incarnation.js';

/** A member as the local node sees it. */
export interface MemberInfo {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly tags: Tags;
  readonly status: MemberStatus;
  readonly incarnation: number;
}

export type MemberEventType = 'join' | 'update' | 'suspect' | 'failed' | 'leave' | 'reap';

export interface MemberEvent {
  readonly type: MemberEventType;
  readonly member: MemberInfo;
  /** Time of the change, in the caller's clock. */
  readonly at: number;
}

/** What the core asks its driver to do. */
export type CoreOutput =
  /** Send one compound UDP packet. */
  | { readonly kind: 'packet'; readonly to: Endpoint; readonly msgs: readonly PacketMessage[] }
  /** TCP fallback probe; report the outcome with `streamPingResult(seq, ok)`. */
  | { readonly kind: 'stream-ping'; readonly to: Endpoint; readonly node: string; readonly seq: number }
  /** Exchange full state over TCP: send `localState()`, merge the reply with `mergeRemoteState`. */
  | { readonly kind: 'push-pull'; readonly to: Endpoint; readonly join: boolean }
  | { readonly kind: 'event'; readonly event: MemberEvent }
  /** A user event seen for the first time (our own included), to hand to the application. */
  | { readonly kind: 'user-event'; readonly event: UserEvent };

export interface SwimCoreOptions {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly tags?: Tags;
  readonly config: GossipConfig;
  readonly rng: Prng;
  /** Current time in ms, in whatever clock the caller uses for every later call. */
  readonly now: number;
  /** Bytes the driver adds to each UDP packet (encryption), taken off the packet budget. */
  readonly packetOverhead?: number;
}

interface MemberState {
  readonly name: string;
  addr: string;
  port: number;
  tags: Tags;
  status: MemberStatus;
  inc: number;
  changedAt: number;
  /**
   * Force-left with prune: hidden from `members()` at once, but kept as a `left` tombstone until
   * reaped, so a stale `alive` about it cannot bring it back (a restart refutes with a newer
   * incarnation and clears it).
   */
  pruned?: boolean;
}

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

/** Read-only counters, for metrics and tests. */
export interface CoreStats {
  readonly probes: number;
  readonly probeFailures: number;
  readonly indirectProbes: number;
  readonly refutations: number;
  readonly addressConflicts: number;
  /** Coordinates from acks that the Vivaldi client refused (bad coordinate or RTT). */
  readonly coordinateRejects: number;
}

function sameTags(a: Tags, b: Tags): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * The SWIM/Lifeguard state machine of one member: probing, suspicion, refutation,
 * dissemination and push-pull merge rules, after memberlist's `state.go` plus
 * Serf's tags, reaper and reconnect. No I/O, no clock and no randomness of its own:
 * the driver passes `now` into every call, feeds packets with `step`, calls `tick`
 * at `nextDeadline()`, and carries out what `drain()` returns.
 */
export class SwimCore {
  readonly name: string;
  readonly config: GossipConfig;
  readonly #rng: Prng;
  readonly #members = new Map<string, MemberState>();
  readonly #queue: BroadcastQueue;
  /** Serf keeps user events in a queue of their own, sent after membership broadcasts. */
  readonly #eventQueue: BroadcastQueue<UserEventMessage>;
  readonly #userEvents: UserEventLog;
  #nextEventKey = 0;
  readonly #awareness: Awareness;
  readonly #suspicions = new Map<string, Suspicion>();
  readonly #relays = new Map<number, RelayState>();
  readonly #packetOverhead: number;
  readonly #coordinates: MemberCoordinates;
  #order: string[] = [];
  #probeIndex = 0;
  #probe: ProbeState | undefined;
  #seq = 0;
  #outputs: CoreOutput[] = [];
  #now: number;
  #nextProbeAt: number;
  #nextGossipAt: number;
  #nextPushPullAt: number;
  #nextReapAt: number;
  #nextReconnectAt: number;
  #liveCount = 1;
  #failedCount = 0;
  #leaving = false;
  #stats = { probes: 0, probeFailures: 0, indirectProbes: 0, refutations: 0, addressConflicts: 0 };

  constructor(opts: SwimCoreOptions) {
    this.name = opts.name;
    this.config = opts.config;
    this.#rng = opts.rng;
    this.#now = opts.now;
    this.#packetOverhead = opts.packetOverhead ?? 0;
    this.#coordinates = new MemberCoordinates(opts.name);
    this.#queue = new BroadcastQueue(opts.config.retransmitMult, opts.config.maxQueueDepth);
    this.#eventQueue = new BroadcastQueue<UserEventMessage>(opts.config.retransmitMult, opts.config.maxQueueDepth);
    this.#userEvents = new UserEventLog(opts.config.userEventBufferSize ?? USER_EVENT_BUFFER_SIZE);
    this.#awareness = new Awareness(opts.config.awarenessMaxMultiplier);
    const tags = opts.tags ?? {};
    this.#checkTags(tags);
    const self: MemberState = {
      name: opts.name,
      addr: opts.addr,
      port: opts.port,
      tags: { ...tags },
      status: 'alive',
      inc: 1,
      changedAt: opts.now,
    };
    this.#members.set(self.name, self);
    this.#order.push(self.name);
    // Announce ourselves: after a join this reaches the members the seed did not tell.
    this.#queue.queue(self.name, this.#aliveOf(self));
    const c = opts.config;
    // Stagger the periodic work like memberlist's randomized tickers.
    this.#nextProbeAt = opts.now + this.#rng.int(c.probeIntervalMs);
    this.#nextGossipAt = opts.now + this.#rng.int(c.gossipIntervalMs);
    this.#nextPushPullAt = opts.now + this.#rng.int(c.pushPullIntervalMs);
    this.#nextReapAt = opts.now + c.reapIntervalMs;
    this.#nextReconnectAt = opts.now + c.reconnectIntervalMs + this.#rng.int(c.reconnectIntervalMs);
  }

  // ---------------------------------------------------------------- queries

  /** The local member's own view of itself. */
  get self(): MemberInfo {
    return this.#info(this.#self());
  }

  get leaving(): boolean {
    return this.#leaving;
  }

  get awarenessScore(): number {
    return this.#awareness.score;
  }

  /** Alive and suspect members, the local one included: the `N` of the timing formulas. */
  get liveCount(): number {
    return this.#liveCount;
  }

  get pendingBroadcasts(): number {
    return this.#queue.length + this.#eventQueue.length;
  }

  /** The user-event Lamport clock: the time the next event fired here will carry. */
  get eventTime(): number {
    return this.#userEvents.clock.time;
  }

  /** User events waiting to be gossiped (Serf's `event_queue`). */
  get pendingUserEvents(): number {
    return this.#eventQueue.length;
  }

  /** User events dropped as older than the duplicate-suppression window or a join's ignore point. */
  get staleUserEvents(): number {
    return this.#userEvents.dropped;
  }

  get stats(): CoreStats {
    return { ...this.#stats, coordinateRejects: this.#coordinates.rejects };
  }

  /** Our own network coordinate. */
  get coordinate(): Coordinate {
    return this.#coordinates.own;
  }

  /** Our coordinate for our own name, else the last one `name` sent in an ack to a direct probe. */
  memberCoordinate(name: string): Coordinate | undefined {
    return this.#coordinates.of(name);
  }

  members(): MemberInfo[] {
    const out: MemberInfo[] = [];
    for (const m of this.#members.values()) if (!m.pruned) out.push(this.#info(m));
    return out;
  }

  member(name: string): MemberInfo | undefined {
    const m = this.#members.get(name);
    return m === undefined || m.pruned ? undefined : this.#info(m);
  }

  /** Deadline of the suspicion timer on `name`, if one runs. */
  suspicionDeadline(name: string): number | undefined {
    return this.#suspicions.get(name)?.deadline;
  }

  /** The earliest time at which `tick` has work to do. */
  nextDeadline(): number {
    let t = this.#nextPushPullAt;
    if (this.#nextReapAt < t) t = this.#nextReapAt;
    if (this.#nextReconnectAt < t) t = this.#nextReconnectAt;
    const p = this.#probe;
    if (p === undefined) {
      if (this.#nextProbeAt < t) t = this.#nextProbeAt;
    } else {
      const pd = p.indirect ? p.endAt : p.ackDeadline;
      if (pd < t) t = pd;
    }
    if (this.pendingBroadcasts > 0) {
      const g = this.#alignGossip(this.#now);
      if (g < t) t = g;
    }
    for (const r of this.#relays.values()) if (r.deadline < t) t = r.deadline;
    for (const s of this.#suspicions.values()) if (s.deadline < t) t = s.deadline;
    return t;
  }

  /** Everything the driver has to do since the last call. */
  drain(): CoreOutput[] {
    const out = this.#outputs;
    this.#outputs = [];
    return out;
  }

  /** Our user-event clock and recent events, for a push-pull exchange. */
  localUserEvents(): UserEventsState {
    return this.#userEvents.state();
  }

  /**
   * Serf's merge of a peer's user events after a push-pull: with `ignoreOld` (a join that skips
   * the cluster's history, as Consul's agents join) every event before the peer's clock is
   * ignored; the rest are delivered if new, without re-broadcasting them.
   */
  mergeRemoteUserEvents(state: UserEventsState, ignoreOld: boolean, now: number): void {
    this.#now = now;
    if (ignoreOld) this.#userEvents.ignoreBefore(state.ltime);
    for (const at of state.recent) {
      for (const e of at.events) this.#receiveUserEvent({ ltime: at.ltime, name: e.name, payload: e.payload, coalesce: false }, false);
    }
  }

  /**
   * Serf's `UserEvent`: checks the size limits (name plus payload within `userEventSizeLimit`,
   * the encoded message within one packet), takes the next event time, delivers the event
   * locally and queues it for broadcast. Returns the Lamport time it was given.
   */
  userEvent(name: string, payload: Uint8Array, now: number, coalesce = false): number {
    this.#now = now;
    const limit = this.config.userEventSizeLimit ?? USER_EVENT_SIZE_LIMIT;
    const before = utf8Length(name) + payload.length;
    if (before > limit) throw new GossipUserEventTooLargeError(`user event exceeds configured limit of ${limit} bytes before encoding`);
    if (before > USER_EVENT_SANE_LIMIT) {
      throw new GossipUserEventTooLargeError(`user event exceeds sane limit of ${USER_EVENT_SANE_LIMIT} bytes before encoding`);
    }
    const msg: UserEventMessage = {
      t: 'user-event',
      ltime: this.#userEvents.clock.time,
      name,
      payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64'),
      ...(coalesce ? { cc: true as const } : {}),
    };
    const wireLimit = this.config.udpBufferSize - COMPOUND_HEADER_BYTES - COMPOUND_PER_MESSAGE_BYTES - this.#packetOverhead;
    if (encodedSize(msg) > wireLimit) {
      throw new GossipUserEventTooLargeError(`encoded user event exceeds sane limit of ${wireLimit} bytes after encoding`);
    }
    this.#userEvents.clock.increment();
    this.#receiveUserEvent({ ltime: msg.ltime, name, payload, coalesce }, false);
    this.#queueUserEvent(msg);
    return msg.ltime;
  }

  /** Full state for a push-pull exchange. */
  localState(): PushPullState[] {
    const out: PushPullState[] = [];
    for (const m of this.#members.values()) {
      out.push({ name: m.name, addr: m.addr, port: m.port, inc: m.inc, status: m.status, tags: m.tags });
    }
    return out;
  }

  // ---------------------------------------------------------------- inputs

  /** Advance time and run whatever is due. */
  tick(now: number): void {
    this.#now = now;
    const p = this.#probe;
    if (p !== undefined) {
      if (!p.indirect && now >= p.ackDeadline) this.#startIndirect(p);
      if (now >= p.endAt) this.#finishProbe(p);
    }
    if (this.#probe === undefined && now >= this.#nextProbeAt) {
      this.#nextProbeAt += this.config.probeIntervalMs;
      if (this.#nextProbeAt <= now) this.#nextProbeAt = now + this.config.probeIntervalMs;
      this.#startProbe();
    }
    for (const [seq, r] of this.#relays) {
      if (now < r.deadline) continue;
      this.#relays.delete(seq);
      if (r.nack) this.#send(r.replyTo, [{ t: 'nack', seq: r.origSeq }]);
    }
    for (const [name, s] of this.#suspicions) {
      if (now < s.deadline) continue;
      this.#suspicions.delete(name);
      const m = this.#members.get(name);
      if (m !== undefined && m.status === 'suspect') {
        this.#deadNode({ t: 'dead', node: name, inc: m.inc, from: this.name });
      }
    }
    if (now >= this.#nextGossipAt) {
      this.#nextGossipAt = this.#alignGossip(now + 1);
      this.#gossip();
    }
    if (now >= this.#nextPushPullAt) {
      this.#nextPushPullAt = now + pushPullScale(this.config.pushPullIntervalMs, this.#liveCount);
      const peer = this.#randomMembers(1, (m) => m.status === 'alive')[0];
      if (peer !== undefined) this.#outputs.push({ kind: 'push-pull', to: { addr: peer.addr, port: peer.port }, join: false });
    }
    if (now >= this.#nextReconnectAt) {
      this.#nextReconnectAt = now + this.config.reconnectIntervalMs;
      this.#reconnect();
    }
    if (now >= this.#nextReapAt) {
      this.#nextReapAt = now + this.config.reapIntervalMs;
      this.#reap();
    }
  }

  /** Feed the messages of one received UDP packet. */
  step(from: Endpoint, msgs: readonly PacketMessage[], now: number): void {
    this.#now = now;
    for (const msg of msgs) this.#handle(from, msg);
  }

  /** Outcome of a `stream-ping` output (TCP fallback probe). */
  streamPingResult(seq: number, ok: boolean, now: number): void {
    this.#now = now;
    const p = this.#probe;
    if (ok && p !== undefined && p.seq === seq) p.fallbackOk = true;
  }

  /**
   * Answer a TCP ping addressed to `node`: true when it names this member. The
   * driver replies with an ack on the same stream.
   */
  acceptsStreamPing(node: string): boolean {
    return node === this.name;
  }

  /** Merge a remote member list received by push-pull or join, as memberlist's `mergeState`. */
  mergeRemoteState(states: readonly PushPullState[], now: number): void {
    this.#now = now;
    for (const r of states) {
      switch (r.status) {
        case 'alive':
          this.#aliveNode({ t: 'alive', node: r.name, inc: r.inc, addr: r.addr, port: r.port, tags: r.tags });
          break;
        case 'left':
          this.#deadNode({ t: 'dead', node: r.name, inc: r.inc, from: r.name });
          break;
        case 'failed':
        case 'suspect':
          // A remote "dead" only makes us suspect: we check for ourselves.
          this.#suspectNode({ t: 'suspect', node: r.name, inc: r.inc, from: this.name });
          break;
      }
    }
  }

  /**
   * Add members without broadcasting or emitting events (a converged start for
   * simulators, or a restore from a saved member list).
   */
  restore(states: readonly PushPullState[], now: number): void {
    this.#now = now;
    for (const r of states) {
      if (r.name === this.name || this.#members.has(r.name)) continue;
      // A restored suspect has no timer to resolve it; probing will find out.
      const status = r.status === 'suspect' ? 'alive' : r.status;
      const m: MemberState = { ...r, status, tags: { ...r.tags }, changedAt: now };
      this.#insert(m);
    }
  }

  /** Change the local member's tags; peers see a `member-update`. */
  setTags(tags: Tags, now: number): void {
    this.#now = now;
    this.#checkTags(tags);
    const self = this.#self();
    self.inc = nextIncarnation(self.inc);
    self.tags = { ...tags };
    this.#queue.queue(self.name, this.#aliveOf(self));
  }

  /** Start a graceful leave: broadcast `left` about ourselves and stop refuting. */
  leave(now: number): void {
    this.#now = now;
    if (this.#leaving) return;
    this.#leaving = true;
    const self = this.#self();
    this.#deadNode({ t: 'dead', node: self.name, inc: self.inc, from: self.name });
  }

  /**
   * Serf's force-leave: mark a failed member as left for everyone, so it is reaped
   * after the tombstone window. False if the member is unknown or not failed.
   */
  forceLeave(name: string, now: number, prune = false): boolean {
    this.#now = now;
    const m = this.#members.get(name);
    if (m === undefined || name === this.name) return false;
    if (m.status !== 'failed' && !(prune && m.status === 'left')) return false;
    this.#deadNode({ t: 'dead', node: name, inc: m.inc, from: name, ...(prune ? { prune: true as const } : {}) });
    return true;
  }

  // ---------------------------------------------------------------- probing

  #startProbe(): void {
    const target = this.#nextProbeTarget();
    if (target === undefined) return;
    const now = this.#now;
    const seq = ++this.#seq;
    // Lifeguard (LHA-Probe): a member in poor local health waits longer for acks and
    // probes less often. memberlist scales only the interval; the paper scales both.
    const interval = this.#awareness.scaleTimeout(this.config.probeIntervalMs);
    const timeout = Math.min(this.#awareness.scaleTimeout(this.config.probeTimeoutMs), interval / 2);
    this.#probe = {
      target: target.name,
      seq,
      startedAt: now,
      ackDeadline: now + Math.max(this.config.probeTimeoutMs, timeout),
      endAt: now + interval,
      indirect: false,
      expectedNacks: 0,
      nacks: 0,
      fallbackOk: false,
    };
    this.#stats.probes += 1;
    const msgs: PacketMessage[] = [{ t: 'ping', seq, node: target.name }];
    // Buddy system: tell a suspect member it is suspected so it can refute at once.
    if (target.status === 'suspect') msgs.push({ t: 'suspect', node: target.name, inc: target.inc, from: this.name });
    this.#send(target, msgs);
  }

  #nextProbeTarget(): MemberState | undefined {
    for (let checked = 0; checked <= this.#order.length; checked++) {
      if (this.#probeIndex >= this.#order.length) {
        this.#order = [...new Set(this.#order)].filter((n) => this.#members.has(n));
        shuffle(this.#order, this.#rng);
        this.#probeIndex = 0;
      }
      const name = this.#order[this.#probeIndex++];
      if (name === undefined || name === this.name) continue;
      const m = this.#members.get(name);
      if (m === undefined || m.status === 'failed' || m.status === 'left') continue;
      return m;
    }
    return undefined;
  }

  #startIndirect(p: ProbeState): void {
    p.indirect = true;
    // If the caller ticked late, still give the indirect probes their full window.
    const late = this.#now - p.ackDeadline;
    if (late > 0) p.endAt += late;
    const target = this.#members.get(p.target);
    if (target === undefined) return;
    const relays = this.#randomMembers(
      this.config.indirectChecks,
      (m) => m.status === 'alive' && m.name !== p.target,
    );
    const req: IndirectPingMessage = {
      t: 'indirect-ping',
      seq: p.seq,
      node: target.name,
      addr: target.addr,
      port: target.port,
      nack: true,
    };
    for (const r of relays) this.#send(r, [req]);
    p.expectedNacks = relays.length;
    if (relays.length > 0) this.#stats.indirectProbes += 1;
    if (this.config.tcpPings) {
      this.#outputs.push({ kind: 'stream-ping', to: { addr: target.addr, port: target.port }, node: target.name, seq: p.seq });
    }
  }

  #finishProbe(p: ProbeState): void {
    this.#probe = undefined;
    this.#nextProbeAt = Math.max(this.#nextProbeAt, this.#now);
    if (p.fallbackOk) return;
    this.#stats.probeFailures += 1;
    // Lifeguard: each expected nack that never came suggests the problem is ours.
    const delta = p.expectedNacks > 0 ? Math.max(0, p.expectedNacks - p.nacks) : 1;
    this.#awareness.applyDelta(delta);
    const m = this.#members.get(p.target);
    if (m !== undefined) this.#suspectNode({ t: 'suspect', node: m.name, inc: m.inc, from: this.name });
  }

  #probeSucceeded(): void {
    const p = this.#probe;
    if (p === undefined) return;
    this.#probe = undefined;
    this.#awareness.applyDelta(-1);
    this.#nextProbeAt = Math.max(this.#nextProbeAt, this.#now);
  }

  // ---------------------------------------------------------------- messages

  #handle(from: Endpoint, msg: PacketMessage): void {
    switch (msg.t) {
      case 'ping':
        if (msg.node !== this.name) return;
        this.#send(from, [{ t: 'ack', seq: msg.seq, coord: this.#coordinates.own }]);
        return;
      case 'indirect-ping': {
        const seq = ++this.#seq;
        this.#relays.set(seq, {
          replyTo: from,
          origSeq: msg.seq,
          deadline: this.#now + this.config.probeTimeoutMs,
          nack: msg.nack,
        });
        this.#send({ addr: msg.addr, port: msg.port }, [{ t: 'ping', seq, node: msg.node }]);
        return;
      }
      case 'ack': {
        const p = this.#probe;
        if (p !== undefined && p.seq === msg.seq) {
          // Serf measures RTTs on direct probes only; a relayed ack carries no coordinate.
          if (!p.indirect && msg.coord !== undefined) this.#coordinates.observe(p.target, msg.coord, this.#now - p.startedAt);
          this.#probeSucceeded();
          return;
        }
        const relay = this.#relays.get(msg.seq);
        if (relay !== undefined) {
          this.#relays.delete(msg.seq);
          this.#send(relay.replyTo, [{ t: 'ack', seq: relay.origSeq }]);
        }
        return;
      }
      case 'nack':
        if (this.#probe !== undefined && this.#probe.seq === msg.seq) this.#probe.nacks += 1;
        return;
      case 'alive':
        this.#aliveNode(msg);
        return;
      case 'suspect':
        this.#suspectNode(msg);
        return;
      case 'dead':
        this.#deadNode(msg);
        return;
      case 'user-event': {
        const payload = Buffer.from(msg.payload, 'base64');
        if (this.#receiveUserEvent({ ltime: msg.ltime, name: msg.name, payload, coalesce: msg.cc === true }, true)) {
          this.#queueUserEvent(msg);
        }
        return;
      }
    }
  }

  /** Records a user event; a new one is handed to the driver. True when it was new. */
  #receiveUserEvent(event: UserEvent, fromPeer: boolean): boolean {
    if (fromPeer && this.#leaving) return false;
    if (!this.#userEvents.record(event)) return false;
    this.#outputs.push({ kind: 'user-event', event });
    return true;
  }

  #queueUserEvent(msg: UserEventMessage): void {
    // Events never replace one another: each gets its own key.
    this.#eventQueue.queue(`ev:${++this.#nextEventKey}`, msg);
  }

  #aliveNode(msg: AliveMessage): void {
    if (this.#leaving && msg.node === this.name) return;
    const m = this.#members.get(msg.node);
    if (m === undefined) {
      const added: MemberState = {
        name: msg.node,
        addr: msg.addr,
        port: msg.port,
        tags: { ...msg.tags },
        status: 'alive',
        inc: msg.inc,
        changedAt: this.#now,
      };
      this.#insert(added);
      this.#queue.queue(msg.node, msg);
      this.#emit('join', added);
      return;
    }
    let moved = false;
    if (m.addr !== msg.addr || m.port !== msg.port) {
      // A name at a new address: allowed only once the old holder left or failed.
      if (m.status !== 'left' && m.status !== 'failed') {
        this.#stats.addressConflicts += 1;
        return;
      }
      moved = true;
    }
    const isLocal = m.name === this.name;
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
    this.#queue.queue(m.name, msg);
    m.inc = msg.inc;
    m.tags = { ...msg.tags };
    m.addr = msg.addr;
    m.port = msg.port;
    m.pruned = false;
    if (oldStatus !== 'alive') this.#setStatus(m, 'alive');
    if (oldStatus === 'failed' || oldStatus === 'left') this.#emit('join', m);
    else if (tagsChanged || moved || oldStatus === 'suspect') this.#emit('update', m);
  }

  #suspectNode(msg: SuspectMessage): void {
    const m = this.#members.get(msg.node);
    if (m === undefined || !accusationBelievable(msg.inc, m.inc)) return;
    const running = this.#suspicions.get(msg.node);
    if (running !== undefined) {
      // An independent confirmation shortens the timer and is worth re-gossiping.
      if (running.confirm(msg.from, this.#now)) this.#queue.queue(msg.node, msg);
      return;
    }
    if (m.status !== 'alive') return;
    if (m.name === this.name) {
      this.#refute(m, msg.inc);
      return;
    }
    this.#queue.queue(msg.node, msg);
    m.inc = msg.inc;
    this.#setStatus(m, 'suspect');
    const c = this.config;
    const n = this.#liveCount;
    const min = suspicionTimeout(c.suspicionMult, n, c.probeIntervalMs);
    const k = expectedConfirmations(c.suspicionMult, n);
    this.#suspicions.set(m.name, new Suspicion(msg.from, k, min, c.suspicionMaxTimeoutMult * min, this.#now));
    this.#emit('suspect', m);
  }

  #deadNode(msg: DeadMessage): void {
    const m = this.#members.get(msg.node);
    if (m === undefined || !accusationBelievable(msg.inc, m.inc)) return;
    const leaving = msg.from === msg.node;
    if (m.status === 'failed' || m.status === 'left') {
      // Serf: a leave about a member we saw fail turns it into `left`.
      if (m.status === 'failed' && leaving) {
        this.#queue.queue(m.name, msg);
        m.inc = msg.inc;
        this.#setStatus(m, 'left');
        this.#emit('leave', m);
      }
      this.#maybePrune(m, msg);
      return;
    }
    this.#suspicions.delete(m.name);
    if (m.name === this.name && !this.#leaving) {
      this.#refute(m, msg.inc);
      return;
    }
    this.#queue.queue(m.name, msg);
    m.inc = msg.inc;
    this.#setStatus(m, leaving ? 'left' : 'failed');
    if (m.name !== this.name) this.#emit(leaving ? 'leave' : 'failed', m);
    this.#maybePrune(m, msg);
  }

  /** A pruning force-leave hides the left member at once (see `MemberState.pruned`). */
  #maybePrune(m: MemberState, msg: DeadMessage): void {
    if (!msg.prune || msg.from !== msg.node || m.status !== 'left' || m.name === this.name || m.pruned) return;
    this.#queue.queue(m.name, msg);
    m.pruned = true;
    this.#emit('reap', m);
  }

  #refute(self: MemberState, accusedInc: number): void {
    self.inc = refutingIncarnation(self.inc, accusedInc);
    this.#stats.refutations += 1;
    this.#awareness.applyDelta(1);
    this.#queue.queue(self.name, this.#aliveOf(self));
  }

  // ---------------------------------------------------------------- dissemination

  #gossip(): void {
    if (this.pendingBroadcasts === 0) return;
    const now = this.#now;
    const targets = this.#randomMembers(this.config.gossipNodes, (m) => {
      if (m.status === 'alive' || m.status === 'suspect') return true;
      return m.status === 'failed' && now - m.changedAt < this.config.gossipToTheDeadMs;
    });
    const budget = this.config.udpBufferSize - COMPOUND_HEADER_BYTES - this.#packetOverhead;
    for (const t of targets) {
      const msgs = this.#broadcasts(budget);
      if (msgs.length === 0) break;
      this.#outputs.push({ kind: 'packet', to: { addr: t.addr, port: t.port }, msgs });
    }
  }

  /** Send `msgs` in one compound packet, filling the rest of it with broadcasts. */
  #send(to: Endpoint, msgs: PacketMessage[]): void {
    let used = COMPOUND_HEADER_BYTES + this.#packetOverhead;
    for (const m of msgs) used += encodedSize(m) + COMPOUND_PER_MESSAGE_BYTES;
    const extra: readonly PacketMessage[] = this.pendingBroadcasts > 0 ? this.#broadcasts(this.config.udpBufferSize - used) : [];
    const all: PacketMessage[] = extra.length > 0 ? [...msgs, ...extra] : msgs;
    this.#outputs.push({ kind: 'packet', to: { addr: to.addr, port: to.port }, msgs: all });
  }

  /** Up to `limit` bytes of broadcasts: membership first, then user events in what is left. */
  #broadcasts(limit: number): PacketMessage[] {
    const members: PacketMessage[] = this.#queue.length > 0 ? this.#queue.get(COMPOUND_PER_MESSAGE_BYTES, limit, this.#liveCount) : [];
    if (this.#eventQueue.length === 0) return members;
    let used = 0;
    for (const m of members) used += encodedSize(m) + COMPOUND_PER_MESSAGE_BYTES;
    const events = this.#eventQueue.get(COMPOUND_PER_MESSAGE_BYTES, limit - used, this.#liveCount);
    return events.length === 0 ? members : [...members, ...events];
  }

  #alignGossip(now: number): number {
    const iv = this.config.gossipIntervalMs;
    if (this.#nextGossipAt >= now) return this.#nextGossipAt;
    return this.#nextGossipAt + Math.ceil((now - this.#nextGossipAt) / iv) * iv;
  }

  // ---------------------------------------------------------------- serf-level upkeep

  #reconnect(): void {
    if (this.#failedCount === 0) return;
    // Serf: about one attempt per failed member per interval across the cluster.
    const prob = this.#failedCount / Math.max(1, this.#liveCount);
    if (this.#rng.next() > prob) return;
    const failed: MemberState[] = [];
    for (const m of this.#members.values()) if (m.status === 'failed') failed.push(m);
    const pick = failed[this.#rng.int(failed.length)];
    if (pick !== undefined) this.#outputs.push({ kind: 'push-pull', to: { addr: pick.addr, port: pick.port }, join: false });
  }

  #reap(): void {
    const now = this.#now;
    for (const m of [...this.#members.values()]) {
      const limit =
        m.status === 'failed' ? this.config.reconnectTimeoutMs : m.status === 'left' ? this.config.tombstoneTimeoutMs : undefined;
      if (limit === undefined || m.name === this.name || now - m.changedAt < limit) continue;
      this.#members.delete(m.name);
      if (m.status === 'failed') this.#failedCount -= 1;
      this.#emit('reap', m);
    }
  }

  // ---------------------------------------------------------------- helpers

  #self(): MemberState {
    const self = this.#members.get(this.name);
    if (self === undefined) throw new Error('local member missing from its own table');
    return self;
  }

  #aliveOf(m: MemberState): AliveMessage {
    return { t: 'alive', node: m.name, inc: m.inc, addr: m.addr, port: m.port, tags: m.tags };
  }

  #checkTags(tags: Tags): void {
    const size = tagsSize(tags);
    if (size > this.config.maxTagBytes) throw new GossipTagsTooLargeError(size, this.config.maxTagBytes);
  }

  #insert(m: MemberState): void {
    this.#members.set(m.name, m);
    if (m.status === 'alive' || m.status === 'suspect') this.#liveCount += 1;
    else if (m.status === 'failed') this.#failedCount += 1;
    // Insert at a random position so a new member is probed soon but not first by all.
    const pos = this.#rng.int(this.#order.length + 1);
    this.#order.push(m.name);
    const last = this.#order.length - 1;
    const tmp = this.#order[pos] as string;
    this.#order[pos] = this.#order[last] as string;
    this.#order[last] = tmp;
  }

  #setStatus(m: MemberState, status: MemberStatus): void {
    const wasLive = m.status === 'alive' || m.status === 'suspect';
    const isLive = status === 'alive' || status === 'suspect';
    if (wasLive && !isLive) this.#liveCount -= 1;
    else if (!wasLive && isLive) this.#liveCount += 1;
    if (m.status === 'failed') this.#failedCount -= 1;
    if (status === 'failed') this.#failedCount += 1;
    m.status = status;
    m.changedAt = this.#now;
  }

  #randomMembers(k: number, accept: (m: MemberState) => boolean): MemberState[] {
    const out: MemberState[] = [];
    const n = this.#order.length;
    for (let i = 0; i < 3 * n && out.length < k; i++) {
      const name = this.#order[this.#rng.int(n)];
      if (name === undefined || name === this.name) continue;
      const m = this.#members.get(name);
      if (m === undefined || !accept(m) || out.includes(m)) continue;
      out.push(m);
    }
    return out;
  }

  #emit(type: MemberEventType, m: MemberState): void {
    if (type === 'reap') this.#coordinates.forget(m.name);
    this.#outputs.push({ kind: 'event', event: { type, member: this.#info(m), at: this.#now } });
  }

  #info(m: MemberState): MemberInfo {
    return { name: m.name, addr: m.addr, port: m.port, tags: m.tags, status: m.status, incarnation: m.inc };
  }
}
