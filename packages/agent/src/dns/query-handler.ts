/**
 * One query in, one reply out (or nothing, for packets to drop). The hot path reads the
 * question with the cheap parser and serves a cached encoded answer; a miss builds the answer
 * from the catalog; unusual packets go through the bounds-checked dns2 parse first.
 */

import { type DnsAnswer, Resolver } from './answer.js';
import { AnswerCache } from './answer-cache.js';
import { ReplyMemo } from './reply-memo.js';
import { type EncodedAnswer, type ReplyOptions, assembleReply, encodeAnswer, finishEncoded, permutation } from './assemble.js';
import type { DnsCatalog, RemoteDnsCatalogs } from './catalog.js';
import type { DnsConfig } from './config.js';
import { readEdns } from './full-parse.js';
import type { RecursorRelay } from './recursor.js';
import { HEADER_SIZE, type ParsedQuery, RCODE, WireError, encodeBadVersReply, encodeErrorReply, encodeOpt, parseQuery, questionLabels } from './wire.js';

export interface DnsLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface QueryHandlerOptions {
  catalog: DnsCatalog;
  remote?: RemoteDnsCatalogs | undefined;
  config: DnsConfig;
  /** Configured domains, lower-case without the trailing dot; the first is the primary one. */
  domains: string[];
  datacenter: string;
  /** `translate_wan_addrs`: answers about other datacenters use their WAN addresses. */
  translateWanAddrs?: boolean | undefined;
  relay: RecursorRelay;
  logger?: DnsLogger | undefined;
}

const MAX_UDP_REPLY = 65507;

const REFUSED: EncodedAnswer = finishEncoded({
  rcode: RCODE.REFUSED,
  authoritative: false,
  answers: [],
  answerExtras: [],
  answerTailExtras: [],
  syncedExtra: [],
  extras: [],
  baseExtras: [],
  authority: [],
  shuffle: false,
  answerLimit: 0,
  clock: false,
});

export type Reply = Buffer | null;

export class QueryHandler {
  readonly #o: QueryHandlerOptions;
  readonly #resolver: Resolver;
  readonly cache = new AnswerCache();
  /** Replies kept for repeated queries, over UDP and over TCP (their size limits differ). */
  readonly #replies = { udp: new ReplyMemo(), tcp: new ReplyMemo() };

  constructor(options: QueryHandlerOptions) {
    this.#o = options;
    this.#resolver = new Resolver(options);
  }

  /**
   * Answers a raw query from `clientIp` (prepared queries with `Near: "_ip"` sort by it). Never
   * throws; returns null when the packet must be dropped.
   */
  handle(packet: Buffer, tcp: boolean, clientIp?: string): Reply | Promise<Reply> {
    const index = this.#o.catalog.index;
    const now = Date.now();
    const memoKey = ReplyMemo.key(packet);
    const memo = this.#memoFor(tcp).get(memoKey, packet, index, now);
    if (memo) return memo;
    let q: ParsedQuery | null;
    try {
      q = parseQuery(packet);
    } catch (err) {
      if (err instanceof WireError && err.id !== undefined) return this.#error(packet, RCODE.FORMERR, undefined);
      return null;
    }
    if (!q) return null;
    if (q.opcode !== 0) return this.#error(packet, RCODE.NOTIMP, q.questionEnd);
    let ednsSize = q.ednsSize;
    let opt: Buffer | null = ednsSize ? encodeOpt(packet.readUInt16BE(q.questionEnd + 3)) : null;
    if (q.unusual) {
      const edns = readEdns(packet, q.questionEnd);
      if (!edns) return this.#error(packet, RCODE.FORMERR, q.questionEnd);
      ednsSize = edns.ednsSize ? Math.max(512, edns.ednsSize) : 0;
      if (edns.version > 0) return encodeBadVersReply(packet, q.questionEnd, 4096, { ra: this.#o.relay.enabled });
      opt = edns.opt;
    }
    const reply: ReplyOptions = {
      tcp,
      ednsSize,
      opt,
      qtype: q.qtype,
      recursionAvailable: this.#o.relay.enabled,
      enableTruncate: this.#o.config.enableTruncate,
      udpAnswerLimit: this.#o.config.udpAnswerLimit,
    };
    const key = AnswerCache.key(q.key, q.qtype, q.qclass);
    // Queries with EDNS options or extra records are rarely repeated byte for byte: not kept.
    const memoable = q.unusual ? undefined : memoKey;
    const hit = this.cache.get(key, index, now);
    if (hit) {
      return this.#assemble(hit.entry, packet, q, reply, memoable === undefined ? undefined : { key: memoable, index, at: hit.at });
    }
    return this.#miss(packet, q, reply, key, index, now, memoable, clientIp).catch((err: unknown) => {
      this.#o.logger?.warn({ err, question: q?.key }, 'DNS query failed');
      return this.#error(packet, RCODE.SERVFAIL, q?.questionEnd);
    });
  }

  async #miss(
    packet: Buffer,
    q: ParsedQuery,
    reply: ReplyOptions,
    key: string,
    index: number,
    now: number,
    memoKey: string | undefined,
    clientIp: string | undefined,
  ): Promise<Reply> {
    const labels = questionLabels(packet);
    const answer: DnsAnswer | undefined = await this.#resolver.resolve(labels, q.qtype, clientIp);
    if (!answer) {
      if (this.#o.relay.enabled) {
        const relayed = await this.#o.relay.relay(packet, reply.tcp);
        return relayed ?? this.#error(packet, RCODE.SERVFAIL, q.questionEnd);
      }
      this.cache.set(key, index, now, REFUSED);
      return this.#assemble(REFUSED, packet, q, reply, memoKey === undefined ? undefined : { key: memoKey, index, at: now });
    }
    const entry = encodeAnswer(answer, labels, !this.#o.config.disableCompression);
    if (!answer.cacheable) return this.#assemble(entry, packet, q, reply);
    this.cache.set(key, index, now, entry);
    return this.#assemble(entry, packet, q, reply, memoKey === undefined ? undefined : { key: memoKey, index, at: now });
  }

  #memoFor(tcp: boolean): ReplyMemo {
    return tcp ? this.#replies.tcp : this.#replies.udp;
  }

  /**
   * The reply for `entry`. With `memo` (the query's memo key, the catalog index and when the answer
   * was built) it is kept for byte-identical queries; a shuffled one as its orders (`ReplyMemo`).
   */
  #assemble(entry: EncodedAnswer, packet: Buffer, q: ParsedQuery, reply: ReplyOptions, memo?: { key: string; index: number; at: number }): Buffer {
    const records = entry.answers.length;
    if (!(entry.shuffle && records > 1)) {
      const out = this.#assembleOnce(entry, packet, q, reply);
      if (memo) this.#memoFor(reply.tcp).set(memo.key, memo.index, memo.at, entry.clock, out);
      return out;
    }
    const orders = ReplyMemo.orders(records);
    if (memo && orders > 0) {
      const replies = this.#memoFor(reply.tcp);
      // the builder keeps its own copy of the query (a TCP frame may be a view of a larger buffer)
      const query = Buffer.from(packet);
      const build = (k: number): Buffer => this.#assembleOnce(entry, query, q, reply, permutation(records, k));
      if (replies.setShuffled(memo.key, memo.index, memo.at, entry.clock, orders, build)) {
        const out = replies.get(memo.key, packet, memo.index, Date.now());
        if (out) return out;
      }
    }
    return this.#assembleOnce(entry, packet, q, reply);
  }

  #assembleOnce(entry: EncodedAnswer, packet: Buffer, q: ParsedQuery, reply: ReplyOptions, order?: readonly number[]): Buffer {
    const out = assembleReply(entry, packet, q.questionEnd, reply, order);
    if (!reply.tcp && out.length > MAX_UDP_REPLY) {
      // one record too large for any datagram: tell the client to retry over TCP
      const tc = encodeErrorReply(packet, entry.rcode, q.questionEnd, { ra: reply.recursionAvailable });
      tc.writeUInt16BE(tc.readUInt16BE(2) | 0x0200 | (entry.authoritative ? 0x0400 : 0), 2);
      return tc;
    }
    return out;
  }

  #error(packet: Buffer, rcode: number, questionEnd: number | undefined): Buffer | null {
    if (packet.length < HEADER_SIZE) return null;
    return encodeErrorReply(packet, rcode, questionEnd, { ra: this.#o.relay.enabled });
  }
}
