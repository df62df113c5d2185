import { randomInt } from 'node:crypto';
import type { Socket as UdpSocket } from 'node:dgram';
import { createSocket } from 'node:dgram';
import type { Server, Socket } from 'node:net';
import { createServer, isIPv6 } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { GossipConfig } from '../core/config.js';
import type { Coordinate } from '../core/coordinate.js';
import { resolveConfig } from '../core/config.js';
import type { Endpoint, Tags } from '../core/messages.js';
import { createPrng } from '@concord/simkit';
import type { CoreOutput, MemberInfo } from '../core/swim.js';
import { SwimCore } from '../core/swim.js';
import { GossipDecodeError, GossipDecryptError, GossipError, GossipJoinError, GossipStateError } from '../errors.js';
import type { StreamMessage } from '../wire/codec.js';
import { decodePacket, decodeStream, decodeUserEvents, encodePacket, encodeStream, encodeUserEvents } from '../wire/codec.js';
import { DEFAULT_GOSSIP_PORT, defaultAdvertiseAddr, parseAddress } from './address.js';
import type { Keyring } from './keyring.js';
import { ENCRYPTION_OVERHEAD, looksSealed } from './keyring.js';
import { frame, inboundFrameLimit, readFrame, request, userEventsAllowance } from './stream.js';

import { TypedEmitter } from './typed-emitter.js';
import type { GossipEvents, GossipOptions, GossipStats } from './gossip-options.js';
import { zeroStats } from './gossip-options.js';

export type { GossipEvents, GossipOptions, GossipStats } from './gossip-options.js';

/** Every stream message is a JSON object. */
const OPEN_BRACE = 0x7b;

type State = 'new' | 'running' | 'leaving' | 'stopped';

/**
 * The gossip driver: binds a `SwimCore` to UDP and TCP sockets on one port and to
 * real timers. Create with `createGossip`, then `start()` and `join()`.
 */
export class Gossip {
  readonly name: string;
  readonly config: GossipConfig;
  readonly keyring: Keyring | undefined;
  readonly #opts: GossipOptions;
  readonly #events: TypedEmitter<GossipEvents>;
  readonly #stats: GossipStats = zeroStats();
  readonly #sockets = new Set<Socket>();
  #inbound = 0;
  readonly #verifyIncoming: boolean;
  readonly #verifyOutgoing: boolean;
  #core: SwimCore | undefined;
  #udp: UdpSocket | undefined;
  #tcp: Server | undefined;
  #port = 0;
  #timer: NodeJS.Timeout | undefined;
  #armedAt = Number.POSITIVE_INFINITY;
  #state: State = 'new';

  /** Same as `createGossip(opts)`. */
  static create(opts: GossipOptions): Gossip {
    return new Gossip(opts);
  }

  constructor(opts: GossipOptions) {
    this.name = opts.name;
    this.#opts = opts;
    this.config = resolveConfig(opts.config ?? 'lan', opts.overrides ?? {});
    this.keyring = opts.keyring;
    this.#verifyIncoming = opts.verifyIncoming ?? true;
    this.#verifyOutgoing = opts.verifyOutgoing ?? true;
    this.#events = new TypedEmitter<GossipEvents>((err) => {
      queueMicrotask(() => {
        throw err;
      });
    });
  }

  /** The port UDP and TCP are bound to (known after `start`). */
  get port(): number {
    return this.#port;
  }

  /** Where peers reach this member. */
  get advertised(): Endpoint {
    const self = this.#requireCore().self;
    return { addr: self.addr, port: self.port };
  }

  get stats(): Readonly<GossipStats> {
    return { ...this.#stats };
  }

  /** Lifeguard's local health score, 0 (healthy) to AwarenessMaxMultiplier − 1. */
  get healthScore(): number {
    return this.#core?.awarenessScore ?? 0;
  }

  on<E extends keyof GossipEvents>(event: E, listener: (payload: GossipEvents[E]) => void): () => void {
    return this.#events.on(event, listener);
  }

  off<E extends keyof GossipEvents>(event: E, listener: (payload: GossipEvents[E]) => void): void {
    this.#events.off(event, listener);
  }

  /** Bind the sockets and start probing and gossiping. */
  async start(): Promise<void> {
    if (this.#state !== 'new') throw new GossipStateError('start() may be called once');
    const bindAddr = this.#opts.bindAddr ?? '0.0.0.0';
    await this.#bind(bindAddr, this.#opts.bindPort ?? DEFAULT_GOSSIP_PORT);
    const advertiseAddr = this.#opts.advertiseAddr ?? defaultAdvertiseAddr(bindAddr);
    this.#core = new SwimCore({
      name: this.name,
      addr: advertiseAddr,
      port: this.#opts.advertisePort ?? this.#port,
      tags: this.#opts.tags ?? {},
      config: this.config,
      rng: createPrng(this.#opts.seed ?? randomInt(0, 2 ** 47)),
      now: performance.now(),
      packetOverhead: this.keyring === undefined ? 0 : ENCRYPTION_OVERHEAD,
    });
    this.#state = 'running';
    this.#arm();
  }

  /**
   * Join a cluster through any of `addrs` (`ip` or `ip:port`): a full state exchange
   * with each. Resolves to how many answered; rejects with `GossipJoinError` if none did.
   * With `ignoreOld` (Serf's join flag, which Consul's agents set) the user events the
   * cluster fired before the join are not delivered here.
   */
  async join(addrs: readonly string[], opts: { ignoreOld?: boolean } = {}): Promise<number> {
    this.#requireRunning();
    const endpoints = addrs.map((a) => parseAddress(a));
    const results = await Promise.allSettled(endpoints.map((e) => this.#pushPull(e, true, opts.ignoreOld ?? false)));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    if (ok === 0 && endpoints.length > 0) {
      const reasons = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      throw new GossipJoinError(`could not join through any of ${addrs.join(', ')}`, {
        cause: new AggregateError(reasons),
      });
    }
    return ok;
  }

  /**
   * `join`, retried: each round tries every address; rounds repeat every `intervalMs`
   * until one succeeds or `attempts` rounds failed (Consul's `retry_join`).
   */
  async joinWithRetry(addrs: readonly string[], opts: { attempts?: number; intervalMs?: number; signal?: AbortSignal; ignoreOld?: boolean } = {}): Promise<number> {
    const attempts = opts.attempts ?? Number.POSITIVE_INFINITY;
    const interval = opts.intervalMs ?? 30_000;
    for (let round = 1; ; round++) {
      try {
        return await this.join(addrs, { ignoreOld: opts.ignoreOld ?? false });
      } catch (err) {
        if (!(err instanceof GossipJoinError) || round >= attempts || opts.signal?.aborted) throw err;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, interval);
        opts.signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (this.#state !== 'running') throw new GossipStateError('stopped while retrying to join');
    }
  }

  /** Every known member, this one included. */
  members(): MemberInfo[] {
    return this.#core?.members() ?? [];
  }

  localMember(): MemberInfo {
    return this.#requireCore().self;
  }

  /** This member's network coordinate (seconds), updated from the RTTs of direct probes. */
  coordinate(): Coordinate {
    return this.#requireCore().coordinate;
  }

  /**
   * The coordinate of member `name` (this member's own for its name), as last received
   * in an ack to a direct probe; undefined when none has come yet or the member was reaped.
   */
  memberCoordinate(name: string): Coordinate | undefined {
    return this.#requireCore().memberCoordinate(name);
  }

  /**
   * Serf's `UserEvent`: fire `name` with an opaque payload to every member. Throws
   * `GossipUserEventTooLargeError` past `userEventSizeLimit` (name plus payload, 512 bytes by
   * default) or when the encoded event would not fit one packet. Every member, this one
   * included, emits `user-event` once. Resolves to the event's Lamport time.
   */
  userEvent(name: string, payload: Uint8Array = new Uint8Array(0), options: { coalesce?: boolean } = {}): number {
    this.#requireRunning();
    const ltime = this.#requireCore().userEvent(name, payload, performance.now(), options.coalesce ?? false);
    this.#flush();
    return ltime;
  }

  /** The user-event Lamport clock (the time the next event fired here will carry). */
  get eventTime(): number {
    return this.#requireCore().eventTime;
  }

  /** User events waiting in the broadcast queue. */
  get pendingUserEvents(): number {
    return this.#requireCore().pendingUserEvents;
  }

  /** Replace this member's tags; peers see a `member-update`. */
  setTags(tags: Tags): void {
    this.#requireRunning();
    const core = this.#requireCore();
    core.setTags(tags, performance.now());
    this.#flush();
  }

  /**
   * Mark a failed member as left cluster-wide (Serf's force-leave). With `prune`, every member
   * also drops it from its list at once (a left member can be pruned too). False if the member
   * is unknown, or not failed (nor left, with `prune`).
   */
  forceLeave(name: string, options: { prune?: boolean } = {}): boolean {
    this.#requireRunning();
    const ok = this.#requireCore().forceLeave(name, performance.now(), options.prune ?? false);
    this.#flush();
    return ok;
  }

  /**
   * Leave gracefully: broadcast `left`, keep gossiping for LeavePropagateDelay so it
   * spreads, then shut down.
   */
  async leave(): Promise<void> {
    if (this.#state !== 'running') return;
    this.#state = 'leaving';
    this.#requireCore().leave(performance.now());
    this.#flush();
    await new Promise<void>((resolve) => setTimeout(resolve, this.config.leavePropagateDelayMs));
    await this.shutdown();
  }

  /** Close the sockets at once, without telling anyone (peers will detect a failure). */
  async shutdown(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopped';
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    const udp = this.#udp;
    const tcp = this.#tcp;
    await Promise.all([
      udp === undefined ? undefined : new Promise<void>((resolve) => udp.close(() => resolve())),
      tcp === undefined ? undefined : new Promise<void>((resolve) => tcp.close(() => resolve())),
    ]);
  }

  // ---------------------------------------------------------------- sockets

  async #bind(addr: string, port: number): Promise<void> {
    // TCP first; then UDP on the same port number. With port 0 the kernel's pick for
    // TCP may be taken for UDP, so retry a few times.
    for (let attempt = 0; ; attempt++) {
      const tcp = createServer((s) => this.#onStream(s));
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, addr, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      const address = tcp.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      const udp = createSocket({ type: isIPv6(addr) ? 'udp6' : 'udp4' });
      try {
        await new Promise<void>((resolve, reject) => {
          udp.once('error', reject);
          udp.bind(bound, addr, () => {
            udp.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        udp.close();
        await new Promise<void>((resolve) => tcp.close(() => resolve()));
        if (port === 0 && attempt < 10) continue;
        throw new GossipError('GOSSIP_BIND', `could not bind UDP ${addr}:${bound}`, { cause: err });
      }
      tcp.on('error', (err) => this.#report(new GossipError('GOSSIP_SOCKET', 'TCP listener error', { cause: err })));
      udp.on('error', (err) => this.#report(new GossipError('GOSSIP_SOCKET', 'UDP socket error', { cause: err })));
      udp.on('message', (msg, rinfo) => this.#onPacket(msg, { addr: rinfo.address, port: rinfo.port }));
      this.#tcp = tcp;
      this.#udp = udp;
      this.#port = bound;
      return;
    }
  }

  #onPacket(msg: Buffer, from: Endpoint): void {
    if (this.#state === 'stopped' || this.#core === undefined) return;
    this.#stats.packetsReceived++;
    this.#stats.bytesReceived += msg.length;
    const plain = this.#open(msg);
    if (plain === undefined) return;
    let msgs;
    try {
      msgs = decodePacket(plain);
    } catch {
      this.#stats.decodeFailures++;
      return;
    }
    try {
      this.#core.step(from, msgs, performance.now());
    } catch (err) {
      this.#report(new GossipError('GOSSIP_INTERNAL', 'a packet could not be processed', { cause: err }));
    }
    this.#flush();
  }

  #onStream(socket: Socket): void {
    if (this.#state === 'stopped') {
      socket.destroy();
      return;
    }
    if (this.#inbound >= this.config.maxInboundStreams) {
      this.#stats.streamsRefused++;
      socket.destroy();
      return;
    }
    this.#inbound++;
    this.#stats.streamsAccepted++;
    this.#sockets.add(socket);
    socket.on('error', () => {
      this.#stats.streamErrors++;
    });
    socket.on('close', () => {
      this.#inbound--;
      this.#sockets.delete(socket);
    });
    const events = userEventsAllowance(this.config.userEventBufferSize ?? 512, this.config.userEventSizeLimit ?? 512);
    const limits = { maxBytes: inboundFrameLimit(this.#core?.liveCount ?? 1, events), checkHead: (b: number, n: number) => this.#refuseHead(b, n) };
    readFrame(socket, this.config.tcpTimeoutMs, limits)
      .then((body) => {
        this.#stats.bytesReceived += body.length + 4;
        const plain = this.#open(body);
        if (plain === undefined) return socket.destroy();
        let msg: StreamMessage;
        try {
          msg = decodeStream(plain);
        } catch {
          this.#stats.decodeFailures++;
          return socket.destroy();
        }
        const reply = this.#answerStream(msg);
        if (reply === undefined) return socket.destroy();
        const out = frame(this.#seal(encodeStream(reply)));
        this.#stats.bytesSent += out.length;
        socket.end(out);
      })
      .catch((err: unknown) => {
        if (err instanceof GossipDecodeError) this.#stats.framesRefused++;
        else this.#stats.streamErrors++;
        socket.destroy();
      });
  }

  /**
   * Why an inbound frame must be refused on its first byte: with a keyring, anything that is not
   * sealed (unless plaintext is still accepted during a rollout); without one, anything that is
   * not a JSON object.
   */
  #refuseHead(firstByte: number, length: number): string | undefined {
    if (this.keyring !== undefined && looksSealed(firstByte)) {
      return length < ENCRYPTION_OVERHEAD ? 'sealed frame shorter than its envelope' : undefined;
    }
    if (firstByte !== OPEN_BRACE) return 'frame is not a gossip message';
    if (this.keyring !== undefined && this.#verifyIncoming) return 'plaintext frame while encryption is required';
    return undefined;
  }

  #answerStream(msg: StreamMessage): StreamMessage | undefined {
    const core = this.#core;
    if (core === undefined || this.#state === 'stopped') return undefined;
    switch (msg.t) {
      case 'push-pull': {
        const states = core.localState();
        const events = encodeUserEvents(core.localUserEvents());
        const now = performance.now();
        core.mergeRemoteState(msg.states, now);
        if (msg.events !== undefined) core.mergeRemoteUserEvents(decodeUserEvents(msg.events), false, now);
        this.#stats.pushPulls++;
        this.#flush();
        return { t: 'push-pull-reply', states, events };
      }
      case 'stream-ping':
        return { t: 'stream-ack', seq: msg.seq, ok: core.acceptsStreamPing(msg.node) };
      default:
        return undefined;
    }
  }

  /** Decrypt when a keyring is set; counts and swallows failures. */
  #open(msg: Buffer): Buffer | undefined {
    try {
      return this.#openOrThrow(msg);
    } catch (err) {
      if (err instanceof GossipDecryptError) this.#stats.decryptFailures++;
      else this.#stats.decodeFailures++;
      return undefined;
    }
  }

  /**
   * With a keyring, a sealed message is decrypted; a plaintext one passes only while
   * `verifyIncoming` is off (encryption being rolled out), as memberlist's GossipVerifyIncoming.
   */
  #openOrThrow(msg: Buffer): Buffer {
    if (this.keyring === undefined) return msg;
    if (looksSealed(msg[0])) return this.keyring.decrypt(msg);
    if (!this.#verifyIncoming) return msg;
    throw new GossipDecryptError('plaintext message while encryption is required');
  }

  /** Encrypt when a keyring is set, unless `verifyOutgoing` is off (encryption being rolled out). */
  #seal(plain: Buffer): Buffer {
    return this.keyring === undefined || !this.#verifyOutgoing ? plain : this.keyring.encrypt(plain);
  }

  async #streamRequest(to: Endpoint, msg: StreamMessage, timeoutMs: number): Promise<StreamMessage> {
    this.#stats.streamsOpened++;
    const body = this.#seal(encodeStream(msg));
    this.#stats.bytesSent += body.length + 4;
    const reply = await request(to.addr, to.port, body, timeoutMs);
    this.#stats.bytesReceived += reply.length + 4;
    return decodeStream(this.#openOrThrow(reply));
  }

  async #pushPull(to: Endpoint, join: boolean, ignoreOld = false): Promise<void> {
    const core = this.#requireCore();
    const request: StreamMessage = { t: 'push-pull', join, states: core.localState(), events: encodeUserEvents(core.localUserEvents()) };
    const reply = await this.#streamRequest(to, request, this.config.tcpTimeoutMs);
    if (reply.t !== 'push-pull-reply') throw new GossipDecodeError(`expected a push-pull reply, got ${reply.t}`);
    if (this.#state === 'stopped') return;
    this.#stats.pushPulls++;
    const now = performance.now();
    core.mergeRemoteState(reply.states, now);
    if (reply.events !== undefined) core.mergeRemoteUserEvents(decodeUserEvents(reply.events), join && ignoreOld, now);
    this.#flush();
  }

  // ---------------------------------------------------------------- core plumbing

  #arm(): void {
    const core = this.#core;
    if (core === undefined || this.#state === 'stopped') return;
    const deadline = core.nextDeadline();
    if (this.#timer !== undefined && deadline >= this.#armedAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedAt = deadline;
    const delay = Math.max(0, Math.ceil(deadline - performance.now()));
    this.#timer = setTimeout(() => this.#onTimer(), delay);
    this.#timer.unref?.();
  }

  #onTimer(): void {
    this.#timer = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
    // Tick after the event loop's I/O phase, so an ack already waiting in the socket
    // is seen before its deadline is judged (it matters when the loop runs late).
    setImmediate(() => {
      const core = this.#core;
      if (core === undefined || this.#state === 'stopped') return;
      core.tick(performance.now());
      this.#flush();
    });
  }

  #flush(): void {
    const core = this.#core;
    if (core === undefined) return;
    for (const out of core.drain()) this.#perform(out);
    this.#arm();
  }

  #perform(out: CoreOutput): void {
    switch (out.kind) {
      case 'packet': {
        if (this.#state === 'stopped' || this.#udp === undefined) return;
        const buf = this.#seal(encodePacket(out.msgs));
        this.#stats.packetsSent++;
        this.#stats.bytesSent += buf.length;
        this.#udp.send(buf, out.to.port, out.to.addr, (err) => {
          if (err !== null && err !== undefined) this.#stats.sendErrors++;
        });
        return;
      }
      case 'stream-ping': {
        if (this.#state === 'stopped') return;
        const timeout = Math.max(1, this.config.probeIntervalMs - this.config.probeTimeoutMs);
        this.#streamRequest(out.to, { t: 'stream-ping', seq: out.seq, node: out.node }, timeout)
          .then((reply) => {
            if (reply.t !== 'stream-ack' || this.#core === undefined) return;
            this.#core.streamPingResult(reply.seq, reply.ok, performance.now());
            this.#flush();
          })
          .catch(() => {
            this.#stats.streamErrors++;
          });
        return;
      }
      case 'push-pull':
        if (this.#state === 'stopped') return;
        this.#pushPull(out.to, out.join).catch(() => {
          this.#stats.streamErrors++;
        });
        return;
      case 'event':
        this.#events.emit(out.event.type, out.event);
        this.#events.emit('member', out.event);
        return;
      case 'user-event':
        this.#events.emit('user-event', out.event);
        return;
    }
  }

  #report(err: GossipError): void {
    this.#events.emit('error', err);
  }

  #requireCore(): SwimCore {
    if (this.#core === undefined) throw new GossipStateError('not started');
    return this.#core;
  }

  #requireRunning(): void {
    if (this.#state !== 'running') throw new GossipStateError(`cannot do that while ${this.#state}`);
  }
}

/** Create a gossip member; call `start()` to bind and run it. */
export function createGossip(opts: GossipOptions): Gossip {
  return new Gossip(opts);
}
