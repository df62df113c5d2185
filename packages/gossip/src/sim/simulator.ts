import type { Prng, SimNetworkOptions } from '@concord/simkit';
import { createPrng, SimClock, SimNetwork } from '@concord/simkit';
import type { GossipConfig } from '../core/config.js';
import type { Endpoint, PacketMessage, PushPullState, Tags } from '../core/messages.js';
import { endpointKey } from '../core/messages.js';
import type { MemberEvent } from '../core/swim.js';
import { SwimCore } from '../core/swim.js';
import type { UserEvent, UserEventsState } from '../core/user-events.js';
import { GossipConfigError } from '../errors.js';

interface SimNode {
  readonly name: string;
  readonly endpoint: Endpoint;
  readonly core: SwimCore;
  killed: boolean;
  paused: boolean;
  wakeAt: number;
}

export interface SimulationOptions extends SimNetworkOptions {
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
  readonly clock = new SimClock();
  readonly network: SimNetwork;
  readonly #nodes = new Map<string, SimNode>();
  readonly #byEndpoint = new Map<string, SimNode>();
  readonly #seedRng: Prng;
  readonly #listeners: SimListener[] = [];
  readonly #userEventListeners: SimUserEventListener[] = [];
  /** Members whose pending join asked to skip old user events. */
  readonly #ignoreOld = new Set<SimNode>();
  #nextAddr = 0;

  constructor(opts: SimulationOptions) {
    this.config = opts.config;
    this.#seedRng = createPrng(opts.seed);
    this.network = new SimNetwork(this.clock, createPrng(opts.seed ^ 0x5eed), {
      latencyMs: 1,
      jitterMs: 4,
      ...opts,
    });
  }

  get now(): number {
    return this.clock.now;
  }

  get eventsProcessed(): number {
    return this.clock.eventsRun;
  }

  /** UDP packets handed to the network. */
  get packetsSent(): number {
    return this.network.sent;
  }

  /** UDP packets the network lost (loss, partitions, killed or paused receivers). */
  get packetsDropped(): number {
    return this.network.dropped;
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
    const ltime = node.core.userEvent(name, payload, this.now);
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
    this.network.restart(name);
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
      now: this.now,
    });
    if (opts.known !== undefined) core.restore(opts.known, this.now);
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
    for (const name of names) this.core(name).restore(states, this.now);
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
    this.network.crash(name);
  }

  /** Freeze a member (a long GC pause, a stopped VM): it drops what it receives. */
  pause(name: string): void {
    this.#node(name).paused = true;
    this.network.crash(name);
  }

  resume(name: string): void {
    const node = this.#node(name);
    node.paused = false;
    node.wakeAt = Number.POSITIVE_INFINITY;
    this.network.restart(name);
    this.#reschedule(node);
  }

  /** Graceful leave: broadcast `left`, keep gossiping for the propagate delay, then stop. */
  leave(name: string): void {
    const node = this.#node(name);
    node.core.leave(this.now);
    this.#flush(node);
    this.at(this.now + this.config.leavePropagateDelayMs, () => this.kill(name));
  }

  /** Run `fn` at simulated time `t`. */
  at(t: number, fn: () => void): void {
    this.clock.at(t, fn);
  }

  /** Process events up to time `t`, or until `stop()` returns true after an event. */
  runUntil(t: number, stop?: () => boolean): void {
    this.clock.runUntil(t, stop);
  }

  #wake(node: SimNode, at: number): void {
    if (node.wakeAt !== at || !this.#up(node)) return;
    node.wakeAt = Number.POSITIVE_INFINITY;
    node.core.tick(this.now);
    this.#flush(node);
  }

  #packet(to: SimNode, from: SimNode, msgs: readonly PacketMessage[]): void {
    if (!this.#up(to)) return;
    to.core.step(from.endpoint, msgs, this.now);
    this.#flush(to);
  }

  #streamPing(to: SimNode, from: SimNode, member: string, seq: number): void {
    if (!this.#up(to) || !to.core.acceptsStreamPing(member)) return;
    this.clock.schedule(this.network.streamLatency(to.name, from.name), () => {
      if (!this.#up(from)) return;
      from.core.streamPingResult(seq, true, this.now);
      this.#flush(from);
    });
  }

  #acceptPushPull(to: SimNode, from: SimNode, states: readonly PushPullState[], events: UserEventsState, join: boolean): void {
    if (!this.#up(to)) return;
    const reply = to.core.localState();
    const replyEvents = to.core.localUserEvents();
    to.core.mergeRemoteState(states, this.now);
    to.core.mergeRemoteUserEvents(events, false, this.now);
    this.#flush(to);
    if (!this.network.linkUp(to.name, from.name)) return;
    const ignoreOld = join && this.#ignoreOld.has(from);
    this.clock.schedule(this.network.streamLatency(to.name, from.name), () => {
      if (!this.#up(from)) return;
      from.core.mergeRemoteState(reply, this.now);
      from.core.mergeRemoteUserEvents(replyEvents, ignoreOld, this.now);
      this.#flush(from);
    });
  }

  #up(node: SimNode): boolean {
    return !node.killed && !node.paused;
  }

  #flush(node: SimNode): void {
    for (const out of node.core.drain()) {
      switch (out.kind) {
        case 'packet': {
          const to = this.#byEndpoint.get(endpointKey(out.to));
          if (to === undefined) {
            this.network.sent++;
            this.network.dropped++;
            break;
          }
          const msgs = out.msgs;
          this.network.send(node.name, to.name, () => this.#packet(to, node, msgs));
          break;
        }
        case 'stream-ping': {
          const to = this.#byEndpoint.get(endpointKey(out.to));
          if (to === undefined || !this.network.linkUp(node.name, to.name)) break;
          const { node: member, seq } = out;
          this.clock.schedule(this.network.streamLatency(node.name, to.name), () => this.#streamPing(to, node, member, seq));
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
    if (to === undefined || !this.network.linkUp(from.name, to.name)) return;
    if (ignoreOld) this.#ignoreOld.add(from);
    else if (join) this.#ignoreOld.delete(from);
    const states = from.core.localState();
    const events = from.core.localUserEvents();
    this.clock.schedule(this.network.streamLatency(from.name, to.name), () => this.#acceptPushPull(to, from, states, events, join));
  }

  #reschedule(node: SimNode): void {
    if (!this.#up(node)) return;
    const d = Math.max(this.now, node.core.nextDeadline());
    if (d < node.wakeAt) {
      node.wakeAt = d;
      this.clock.at(d, () => this.#wake(node, d));
    }
  }

  #node(name: string): SimNode {
    const n = this.#nodes.get(name);
    if (n === undefined) throw new GossipConfigError(`no simulated member ${name}`);
    return n;
  }
}
