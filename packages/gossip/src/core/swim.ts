import type { Prng } from '@concord/simkit';
import { GossipTagsTooLargeError } from '../errors.js';
import { Awareness } from './awareness.js';
import type { GossipConfig } from './config.js';
import type { Coordinate } from './coordinate.js';
import { type CoreContext, type CoreCounters, type CoreOutput, type MemberEventType, type MemberInfo, aliveMessage, memberInfo } from './core-context.js';
import { Dissemination } from './dissemination.js';
import { MemberCoordinates } from './member-coordinates.js';
import { type MemberState, MemberTable } from './member-table.js';
import { MemberUpdates } from './member-updates.js';
import type { Endpoint, PacketMessage, PushPullState, Tags } from './messages.js';
import { tagsSize } from './messages.js';
import { nextIncarnation } from './incarnation.js';
import { Prober } from './prober.js';
import { SerfUpkeep } from './serf-upkeep.js';
import { StateSync } from './state-sync.js';
import { UserEventChannel } from './user-event-channel.js';
import type { UserEventsState } from './user-events.js';

export type { CoreOutput, MemberEvent, MemberEventType, MemberInfo } from './core-context.js';

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

function checkTags(tags: Tags, config: GossipConfig): void {
  const size = tagsSize(tags);
  if (size > config.maxTagBytes) throw new GossipTagsTooLargeError(size, config.maxTagBytes);
}

/**
 * The SWIM/Lifeguard state machine of one member, after memberlist's `state.go` plus Serf's
 * tags, user events, reaper and reconnect. No I/O, no clock and no randomness of its own: the
 * driver passes `now` into every call, feeds packets with `step`, calls `tick` at
 * `nextDeadline()`, and carries out what `drain()` returns. The work is done by its parts:
 * `Prober` (failure detection), `MemberUpdates` (alive, suspect and dead rules, incarnations,
 * refutation), `Dissemination` (broadcast queues and gossip rounds), `StateSync` (push-pull),
 * `UserEventChannel` (Serf's user events) and `SerfUpkeep` (reconnect and reap), over one
 * `MemberTable`.
 */
export class SwimCore {
  readonly name: string;
  readonly config: GossipConfig;
  readonly #ctx: CoreContext;
  readonly #members: MemberTable;
  readonly #coordinates: MemberCoordinates;
  readonly #news: Dissemination;
  readonly #updates: MemberUpdates;
  readonly #prober: Prober;
  readonly #sync: StateSync;
  readonly #events: UserEventChannel;
  readonly #upkeep: SerfUpkeep;
  readonly #counters: CoreCounters = { probes: 0, probeFailures: 0, indirectProbes: 0, refutations: 0, addressConflicts: 0 };
  #outputs: CoreOutput[] = [];

  constructor(opts: SwimCoreOptions) {
    this.name = opts.name;
    this.config = opts.config;
    const c = opts.config;
    const tags = opts.tags ?? {};
    checkTags(tags, c);
    const self: MemberState = { name: opts.name, addr: opts.addr, port: opts.port, tags: { ...tags }, status: 'alive', inc: 1, changedAt: opts.now };
    this.#members = new MemberTable(self, opts.rng);
    this.#coordinates = new MemberCoordinates(opts.name);
    const coordinates = this.#coordinates;
    const outputs = (): CoreOutput[] => this.#outputs;
    this.#ctx = {
      name: opts.name,
      config: c,
      rng: opts.rng,
      members: this.#members,
      awareness: new Awareness(c.awarenessMaxMultiplier),
      counters: this.#counters,
      packetOverhead: opts.packetOverhead ?? 0,
      now: opts.now,
      output: (o) => void outputs().push(o),
      emit(type: MemberEventType, m: MemberState): void {
        if (type === 'reap') coordinates.forget(m.name);
        outputs().push({ kind: 'event', event: { type, member: memberInfo(m), at: this.now } });
      },
    };
    // Stagger the periodic work like memberlist's randomized tickers.
    const firstProbeAt = opts.now + opts.rng.int(c.probeIntervalMs);
    const firstGossipAt = opts.now + opts.rng.int(c.gossipIntervalMs);
    const firstPushPullAt = opts.now + opts.rng.int(c.pushPullIntervalMs);
    const firstReapAt = opts.now + c.reapIntervalMs;
    const firstReconnectAt = opts.now + c.reconnectIntervalMs + opts.rng.int(c.reconnectIntervalMs);
    this.#news = new Dissemination(this.#ctx, firstGossipAt);
    this.#updates = new MemberUpdates(this.#ctx, this.#news);
    this.#prober = new Prober(this.#ctx, this.#news, this.#updates, this.#coordinates, firstProbeAt);
    this.#sync = new StateSync(this.#ctx, this.#updates, firstPushPullAt);
    this.#events = new UserEventChannel(this.#ctx, this.#news, this.#updates);
    this.#upkeep = new SerfUpkeep(this.#ctx, firstReapAt, firstReconnectAt);
    // Announce ourselves: after a join this reaches the members the seed did not tell.
    this.#news.queueMember(self.name, aliveMessage(self));
  }

  // ---------------------------------------------------------------- queries

  /** The local member's own view of itself. */
  get self(): MemberInfo {
    return memberInfo(this.#members.self());
  }

  get leaving(): boolean {
    return this.#updates.leaving;
  }

  get awarenessScore(): number {
    return this.#ctx.awareness.score;
  }

  /** Alive and suspect members, the local one included: the `N` of the timing formulas. */
  get liveCount(): number {
    return this.#members.liveCount;
  }

  get pendingBroadcasts(): number {
    return this.#news.pending;
  }

  /** The user-event Lamport clock: the time the next event fired here will carry. */
  get eventTime(): number {
    return this.#events.time;
  }

  /** User events waiting to be gossiped (Serf's `event_queue`). */
  get pendingUserEvents(): number {
    return this.#news.pendingUserEvents;
  }

  /** User events dropped as older than the duplicate-suppression window or a join's ignore point. */
  get staleUserEvents(): number {
    return this.#events.stale;
  }

  get stats(): CoreStats {
    return { ...this.#counters, coordinateRejects: this.#coordinates.rejects };
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
    for (const m of this.#members.values()) if (!m.pruned) out.push(memberInfo(m));
    return out;
  }

  member(name: string): MemberInfo | undefined {
    const m = this.#members.get(name);
    return m === undefined || m.pruned ? undefined : memberInfo(m);
  }

  /** Deadline of the suspicion timer on `name`, if one runs. */
  suspicionDeadline(name: string): number | undefined {
    return this.#updates.suspicionDeadline(name);
  }

  /** The earliest time at which `tick` has work to do. */
  nextDeadline(): number {
    return Math.min(this.#sync.nextDeadline(), this.#upkeep.nextDeadline(), this.#prober.nextDeadline(), this.#news.nextDeadline(), this.#updates.nextDeadline());
  }

  /** Everything the driver has to do since the last call. */
  drain(): CoreOutput[] {
    const out = this.#outputs;
    this.#outputs = [];
    return out;
  }

  /** Our user-event clock and recent events, for a push-pull exchange. */
  localUserEvents(): UserEventsState {
    return this.#events.state();
  }

  /**
   * Serf's merge of a peer's user events after a push-pull: with `ignoreOld` (a join that skips
   * the cluster's history, as Consul's agents join) every event before the peer's clock is
   * ignored; the rest are delivered if new, without re-broadcasting them.
   */
  mergeRemoteUserEvents(state: UserEventsState, ignoreOld: boolean, now: number): void {
    this.#ctx.now = now;
    this.#events.merge(state, ignoreOld);
  }

  /**
   * Serf's `UserEvent`: checks the size limits (name plus payload within `userEventSizeLimit`,
   * the encoded message within one packet), takes the next event time, delivers the event
   * locally and queues it for broadcast. Returns the Lamport time it was given.
   */
  userEvent(name: string, payload: Uint8Array, now: number, coalesce = false): number {
    this.#ctx.now = now;
    return this.#events.fire(name, payload, coalesce);
  }

  /** Full state for a push-pull exchange. */
  localState(): PushPullState[] {
    return this.#sync.localState();
  }

  // ---------------------------------------------------------------- inputs

  /** Advance time and run whatever is due. */
  tick(now: number): void {
    this.#ctx.now = now;
    this.#prober.tick(now);
    this.#updates.expireSuspicions(now);
    this.#news.tick(now);
    this.#sync.tick(now);
    this.#upkeep.tick(now);
  }

  /** Feed the messages of one received UDP packet. */
  step(from: Endpoint, msgs: readonly PacketMessage[], now: number): void {
    this.#ctx.now = now;
    for (const msg of msgs) {
      switch (msg.t) {
        case 'ping':
        case 'indirect-ping':
        case 'ack':
        case 'nack':
          this.#prober.handle(from, msg);
          break;
        case 'alive':
          this.#updates.alive(msg);
          break;
        case 'suspect':
          this.#updates.suspect(msg);
          break;
        case 'dead':
          this.#updates.dead(msg);
          break;
        case 'user-event':
          this.#events.handle(msg);
          break;
      }
    }
  }

  /** Outcome of a `stream-ping` output (TCP fallback probe). */
  streamPingResult(seq: number, ok: boolean, now: number): void {
    this.#ctx.now = now;
    this.#prober.streamPingResult(seq, ok);
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
    this.#ctx.now = now;
    this.#sync.merge(states);
  }

  /**
   * Add members without broadcasting or emitting events (a converged start for
   * simulators, or a restore from a saved member list).
   */
  restore(states: readonly PushPullState[], now: number): void {
    this.#ctx.now = now;
    this.#sync.restore(states);
  }

  /** Change the local member's tags; peers see a `member-update`. */
  setTags(tags: Tags, now: number): void {
    this.#ctx.now = now;
    checkTags(tags, this.config);
    const self = this.#members.self();
    self.inc = nextIncarnation(self.inc);
    self.tags = { ...tags };
    this.#news.queueMember(self.name, aliveMessage(self));
  }

  /** Start a graceful leave: broadcast `left` about ourselves and stop refuting. */
  leave(now: number): void {
    this.#ctx.now = now;
    if (this.#updates.leaving) return;
    this.#updates.leaving = true;
    const self = this.#members.self();
    this.#updates.dead({ t: 'dead', node: self.name, inc: self.inc, from: self.name });
  }

  /**
   * Serf's force-leave: mark a failed member as left for everyone, so it is reaped
   * after the tombstone window. False if the member is unknown or not failed.
   */
  forceLeave(name: string, now: number, prune = false): boolean {
    this.#ctx.now = now;
    const m = this.#members.get(name);
    if (m === undefined || name === this.name) return false;
    if (m.status !== 'failed' && !(prune && m.status === 'left')) return false;
    this.#updates.dead({ t: 'dead', node: name, inc: m.inc, from: name, ...(prune ? { prune: true as const } : {}) });
    return true;
  }
}
