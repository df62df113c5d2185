import type { GossipConfig } from '../core/config.js';
import type { Endpoint, PacketMessage, PushPullState, Tags } from '../core/messages.js';
import { endpointKey } from '../core/messages.js';
import type { Prng } from '../core/prng.js';
import { createPrng } from '../core/prng.js';
import type { MemberEvent } from '../core/swim.js';
import { SwimCore } from '../core/swim.js';
import type { UserEvent, UserEventsState } from '../core/user-events.js';
import { GossipConfigError } from '../errors.js';
import { EventQueue } from './event-queue.js';
import type { NetworkOptions } from './sim-network.js';
import { SimNetwork } from './sim-network.js';

type SimEvent =
  | { readonly kind: 'wake'; readonly node: SimNode }
  | { readonly kind: 'packet'; readonly to: SimNode; readonly from: SimNode; readonly msgs: readonly PacketMessage[] }
  | { readonly kind: 'stream-ping'; readonly to: SimNode; readonly from: SimNode; readonly node: string; readonly seq: number }
  | { readonly kind: 'stream-ack'; readonly to: SimNode; readonly seq: number }
  | {
      readonly kind: 'push-pull';
      readonly to: SimNode;
      readonly from: SimNode;
      readonly states: readonly PushPullState[];
      readonly events: UserEventsState;
      readonly join: boolean;
    }
  | {
      readonly kind: 'push-pull-reply';
      readonly to: SimNode;
      readonly states: readonly PushPullState[];
      readonly events: UserEventsState;
      readonly ignoreOld: boolean;
    }
  | { readonly kind: 'action'; readonly run: () => void };

interface SimNode {
  readonly name: string;
  readonly endpoint: Endpoint;
  readonly core: SwimCore;
  killed: boolean;
  paused: boolean;
  wakeAt: number;
}

export interface SimulationOptions extends Partial<NetworkOptions> {
  readonly seed: number;
  readonly config: GossipConfig;
}

/** Called for every member event any simulated member emits. */
export type SimListener = (observer: string, event: MemberEvent) => void;

/** Called for every user event a simulated member delivers (once per member and event). */
export type SimUserEventListener = (observer: string, event: UserEvent) => void;

/**
 * Many `SwimCore`s on a simulated clock and network, all randomness from one seed.
 * Time only moves through the event queue, so long quiet stretches cost nothing.
 */
export class Simulation {
  readonly config: GossipConfig;
  readonly network: SimNetwork;
  readonly #queue = new EventQueue<SimEvent>();
  readonly #nodes = new Map<string, SimNode>();
  readonly #byEndpoint = new Map<string, SimNode>();
  readonly #seedRng: Prng;
  readonly #listeners: SimListener[] = [];
  readonly #userEventListeners: SimUserEventListener[] = [];
  /** Members whose pending join asked to skip old user events. */
  readonly #ignoreOld = new Set<SimNode>();
  #now = 0;
  #events = 0;
  #nextAddr = 0;
  /** UDP packets handed to the network, and those it dropped. */
  packetsSent = 0;
  packetsDropped = 0;

  constructor(opts: SimulationOptions) {
    this.config = opts.config;
    this.#seedRng = createPrng(opts.seed);
    this.network = new SimNetwork(createPrng(opts.seed ^ 0x5eed), {
      loss: opts.loss ?? 0,
      minLatencyMs: opts.minLatencyMs ?? 1,
      jitterMs: opts.jitterMs ?? 4,
    });
  }

  get now(): number {
    return this.#now;
  }

  get eventsProcessed(): number {
    return this.#events;
  }

  onEvent(listener: SimListener): void {
    this.#listeners.push(listener);
  }

  onUserEvent(listener: SimUserEventListener): void {
    this.#userEventListeners.push(listener);
  }

  /** Fire a user event from `member` (Serf's `UserEvent`); returns its Lamport time. */
  userEvent(member: string, name: string, payload: Uint8Array): number {
    const node = this.#node(member);
    const ltime = node.core.userEvent(name, payload, this.#now);
    this.#flush(node);
    return ltime;
  }

  names(): string[] {
    return [...this.#nodes.keys()];
  }

  /** Members neither killed nor paused. */
  liveNames(): string[] {
    const out: string[] = [];
    for (const n of this.#nodes.values()) if (!n.killed && !n.paused) out.push(n.name);
    return out;
  }

  core(name: string): SwimCore {
    return this.#node(name).core;
  }

  isKilled(name: string): boolean {
    return this.#node(name).killed;
  }

  /**
   * Restart a killed member as a fresh process (incarnation 1, new address) under
   * the same name, and join it through `seed`.
   */
  restart(name: string, seed: string): Endpoint {
    const old = this.#node(name);
    if (!old.killed) throw new GossipConfigError(`member ${name} is still running`);
    this.#nodes.delete(name);
    const e = this.addMember(name);
    this.join(name, seed);
    return e;
  }

  /** Add a member. Without `known`, it knows only itself until it joins. */
  addMember(name: string, opts: { tags?: Tags; known?: readonly PushPullState[] } = {}): Endpoint {
    if (this.#nodes.has(name)) throw new GossipConfigError(`member ${name} already exists`);
    const i = this.#nextAddr++;
    const endpoint: Endpoint = { addr: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, port: 7946 };
    const core = new SwimCore({
      name,
      ...endpoint,
      tags: opts.tags ?? {},
      config: this.config,
      rng: createPrng(this.#seedRng.int(0x7fffffff)),
      now: this.#now,
    });
    if (opts.known !== undefined) core.restore(opts.known, this.#now);
    const node: SimNode = { name, endpoint, core, killed: false, paused: false, wakeAt: Number.POSITIVE_INFINITY };
    this.#nodes.set(name, node);
    this.#byEndpoint.set(endpointKey(endpoint), node);
    this.#reschedule(node);
    return endpoint;
  }

  /** Start `n` members that already know each other (a converged cluster). */
  bootstrap(names: readonly string[]): void {
    const states: PushPullState[] = [];
    for (const name of names) {
      const e = this.addMember(name);
      states.push({ name, ...e, inc: 1, status: 'alive', tags: {} });
    }
    for (const name of names) this.core(name).restore(states, this.#now);
  }

  /**
   * Join `name` to the cluster through a push-pull with `seed`; with `ignoreOld` it skips the
   * user events fired before the join (as Consul's agents join).
   */
  join(name: string, seed: string, opts: { ignoreOld?: boolean } = {}): void {
    const node = this.#node(name);
    this.#pushPull(node, this.#node(seed).endpoint, true, opts.ignoreOld ?? false);
  }

  /** Stop a member abruptly: it never sends or answers again. */
  kill(name: string): void {
    this.#node(name).killed = true;
  }

  /** Freeze a member (a long GC pause, a stopped VM): it drops what it receives. */
  pause(name: string): void {
    this.#node(name).paused = true;
  }

  resume(name: string): void {
    const node = this.#node(name);
    node.paused = false;
    node.wakeAt = Number.POSITIVE_INFINITY;
    this.#reschedule(node);
  }

  /** Graceful leave: broadcast `left`, keep gossiping for the propagate delay, then stop. */
  leave(name: string): void {
    const node = this.#node(name);
    node.core.leave(this.#now);
    this.#flush(node);
    this.at(this.#now + this.config.leavePropagateDelayMs, () => {
      node.killed = true;
    });
  }

  /** Run `fn` at simulated time `t`. */
  at(t: number, fn: () => void): void {
    this.#queue.push(Math.max(t, this.#now), { kind: 'action', run: fn });
  }

  /** Process events up to time `t`, or until `stop()` returns true after an event. */
  runUntil(t: number, stop?: () => boolean): void {
    while (this.#queue.peekTime() <= t) {
      const ev = this.#queue.pop();
      if (ev === undefined) break;
      this.#now = ev.at;
      this.#events++;
      this.#dispatch(ev.value);
      if (stop !== undefined && stop()) return;
    }
    this.#now = Math.max(this.#now, t);
  }

  #dispatch(ev: SimEvent): void {
    switch (ev.kind) {
      case 'action':
        ev.run();
        return;
      case 'wake': {
        const node = ev.node;
        if (node.wakeAt !== this.#now || node.killed || node.paused) return;
        node.wakeAt = Number.POSITIVE_INFINITY;
        node.core.tick(this.#now);
        this.#flush(node);
        return;
      }
      case 'packet':
        if (!this.#up(ev.to)) return;
        ev.to.core.step(ev.from.endpoint, ev.msgs, this.#now);
        this.#flush(ev.to);
        return;
      case 'stream-ping': {
        if (!this.#up(ev.to)) return;
        const ok = ev.to.core.acceptsStreamPing(ev.node);
        if (ok) this.#queue.push(this.#now + this.network.streamLatency(), { kind: 'stream-ack', to: ev.from, seq: ev.seq });
        return;
      }
      case 'stream-ack':
        if (!this.#up(ev.to)) return;
        ev.to.core.streamPingResult(ev.seq, true, this.#now);
        this.#flush(ev.to);
        return;
      case 'push-pull': {
        if (!this.#up(ev.to)) return;
        const reply = ev.to.core.localState();
        const events = ev.to.core.localUserEvents();
        ev.to.core.mergeRemoteState(ev.states, this.#now);
        ev.to.core.mergeRemoteUserEvents(ev.events, false, this.#now);
        this.#flush(ev.to);
        if (this.network.connected(ev.to.name, ev.from.name)) {
          this.#queue.push(this.#now + this.network.streamLatency(), {
            kind: 'push-pull-reply',
            to: ev.from,
            states: reply,
            events,
            ignoreOld: ev.join && this.#ignoreOld.has(ev.from),
          });
        }
        return;
      }
      case 'push-pull-reply':
        if (!this.#up(ev.to)) return;
        ev.to.core.mergeRemoteState(ev.states, this.#now);
        ev.to.core.mergeRemoteUserEvents(ev.events, ev.ignoreOld, this.#now);
        this.#flush(ev.to);
        return;
    }
  }

  #up(node: SimNode): boolean {
    return !node.killed && !node.paused;
  }

  #flush(node: SimNode): void {
    for (const out of node.core.drain()) {
      switch (out.kind) {
        case 'packet': {
          const to = this.#byEndpoint.get(endpointKey(out.to));
          this.packetsSent++;
          if (to === undefined || !this.network.deliversPacket(node.name, to.name)) {
            this.packetsDropped++;
            break;
          }
          this.#queue.push(this.#now + this.network.latency(), { kind: 'packet', to, from: node, msgs: out.msgs });
          break;
        }
        case 'stream-ping': {
          const to = this.#byEndpoint.get(endpointKey(out.to));
          if (to === undefined || !this.network.connected(node.name, to.name)) break;
          this.#queue.push(this.#now + this.network.streamLatency(), {
            kind: 'stream-ping',
            to,
            from: node,
            node: out.node,
            seq: out.seq,
          });
          break;
        }
        case 'push-pull':
          this.#pushPull(node, out.to, out.join, false);
          break;
        case 'event':
          for (const l of this.#listeners) l(node.name, out.event);
          break;
        case 'user-event':
          for (const l of this.#userEventListeners) l(node.name, out.event);
          break;
      }
    }
    this.#reschedule(node);
  }

  #pushPull(from: SimNode, toEndpoint: Endpoint, join: boolean, ignoreOld: boolean): void {
    const to = this.#byEndpoint.get(endpointKey(toEndpoint));
    if (to === undefined || !this.network.connected(from.name, to.name)) return;
    if (ignoreOld) this.#ignoreOld.add(from);
    else if (join) this.#ignoreOld.delete(from);
    this.#queue.push(this.#now + this.network.streamLatency(), {
      kind: 'push-pull',
      to,
      from,
      states: from.core.localState(),
      events: from.core.localUserEvents(),
      join,
    });
  }

  #reschedule(node: SimNode): void {
    if (node.killed || node.paused) return;
    const d = Math.max(this.#now, node.core.nextDeadline());
    if (d < node.wakeAt) {
      node.wakeAt = d;
      this.#queue.push(d, { kind: 'wake', node });
    }
  }

  #node(name: string): SimNode {
    const n = this.#nodes.get(name);
    if (n === undefined) throw new GossipConfigError(`no simulated member ${name}`);
    return n;
  }
}
