/**
 * Pre-encoded answers and per-reply assembly: shuffle, answer limits and trimming to the UDP
 * (512 bytes or the EDNS size) or TCP budget, the way Consul's trimUDPResponse and
 * trimTCPResponse do it, with the TC bit only when `enable_truncate` is on.
 */

import type { DnsAnswer } from './answer.js';
import { type EncodedRecord, HEADER_SIZE, QTYPE, RecordEncoder } from './wire.js';

export interface EncodedAnswer {
  rcode: number;
  authoritative: boolean;
  answers: EncodedRecord[];
  /** Per answer: indexes into `extras` of the address records supporting it (an SRV target's). */
  answerExtras: number[][];
  /** Per answer: its other supporting extras (node meta TXT), written after every address record. */
  answerTailExtras: number[][];
  /** Per answer: the one extra kept once the reply is trimmed (the SRV target's address), or -1. */
  syncedExtra: number[];
  extras: EncodedRecord[];
  /** Extras not tied to an answer. */
  baseExtras: number[];
  authority: EncodedRecord[];
  shuffle: boolean;
  answerLimit: number;
  /**
   * The answer carries the clock (an SOA record, whose serial is the time in seconds): it is kept
   * for a bounded time only. Other answers change only with the catalog index.
   */
  clock: boolean;
  /**
   * Precomputed for untrimmed replies: every answer's size; per answer, its extras in one buffer
   * and their count; the extras not tied to an answer; all extras in answer order; the authority.
   */
  answersLength: number;
  answerExtrasBuf: Buffer[];
  answerTailBuf: Buffer[];
  answerExtrasCount: number[];
  baseExtrasBuf: Buffer;
  allExtras: Buffer;
  allExtrasCount: number;
  authorityBuf: Buffer;
}

type Precomputed = 'answersLength' | 'answerExtrasBuf' | 'answerTailBuf' | 'answerExtrasCount' | 'baseExtrasBuf' | 'allExtras' | 'allExtrasCount' | 'authorityBuf';

/**
 * Fills in the precomputed parts of an encoded answer. As in Consul, every answer carries its
 * own extras (an SRV answer its target's address record, even when another answer has the same
 * target): they are deduplicated only when a reply is trimmed. The address records of all
 * answers come first and the node meta TXT records after them: HAProxy's resolver (2.x) stops
 * reading address records correctly after the first additional record of another type.
 */
const EMPTY = Buffer.alloc(0);

/** Buffers end to end: none is the shared empty buffer and one is itself (all are only read). */
function joined(list: readonly Buffer[]): Buffer {
  if (list.length === 0) return EMPTY;
  if (list.length === 1) return list[0] as Buffer;
  return Buffer.concat(list);
}

export function finishEncoded(e: Omit<EncodedAnswer, Precomputed>): EncodedAnswer {
  const bufOf = (list: readonly number[]) => (list.length === 0 ? EMPTY : joined(list.map((j) => (e.extras[j] as EncodedRecord).buf)));
  const answerExtrasBuf = e.answerExtras.map(bufOf);
  const answerTailBuf = e.answerTailExtras.map(bufOf);
  const answerExtrasCount = e.answerExtras.map((list, i) => list.length + (e.answerTailExtras[i]?.length ?? 0));
  const baseExtrasBuf = bufOf(e.baseExtras);
  return {
    ...e,
    answersLength: e.answers.reduce((n, r) => n + r.buf.length, 0),
    answerExtrasBuf,
    answerTailBuf,
    answerExtrasCount,
    baseExtrasBuf,
    allExtras: joined([...answerExtrasBuf, ...answerTailBuf, baseExtrasBuf].filter((b) => b.length > 0)),
    allExtrasCount: answerExtrasCount.reduce((n, c) => n + c, 0) + e.baseExtras.length,
    authorityBuf: joined(e.authority.map((r) => r.buf)),
  };
}

/** Encodes a built answer once, for the question whose labels are given. */
export function encodeAnswer(answer: DnsAnswer, questionLabels: readonly string[], compress: boolean): EncodedAnswer {
  const enc = new RecordEncoder(questionLabels, compress);
  const extras: EncodedRecord[] = [];
  const extraIndex = new Map<string, number>();
  const addExtra = (rr: Parameters<RecordEncoder['encode']>[0]): number => {
    const e = tryEncode(enc, rr);
    if (!e) return -1;
    const key = e.buf.toString('latin1');
    let i = extraIndex.get(key);
    if (i === undefined) {
      i = extras.length;
      extras.push(e);
      extraIndex.set(key, i);
    }
    return i;
  };
  const out: Omit<EncodedAnswer, Precomputed> = {
    rcode: answer.rcode,
    authoritative: answer.authoritative,
    answers: [],
    answerExtras: [],
    answerTailExtras: [],
    syncedExtra: [],
    extras,
    baseExtras: [],
    authority: [],
    shuffle: answer.shuffle,
    answerLimit: answer.answerLimit,
    clock: [answer.answers, answer.authority, answer.additional].some((list) => list.some((rr) => rr.type === 'SOA')),
  };
  answer.answers.forEach((rr, i) => {
    const e = tryEncode(enc, rr);
    if (!e) return;
    const supporting = answer.answerExtras[i] ?? [];
    const idx: number[] = [];
    const tail: number[] = [];
    let synced = -1;
    for (const x of supporting) {
      const j = addExtra(x);
      if (j < 0) continue;
      if (x.type === 'A' || x.type === 'AAAA' || x.type === 'CNAME') idx.push(j);
      else tail.push(j);
      if (synced < 0 && rr.type === 'SRV' && x.name.toLowerCase() === rr.target.toLowerCase()) synced = j;
    }
    out.answers.push(e);
    out.answerExtras.push(idx);
    out.answerTailExtras.push(tail);
    out.syncedExtra.push(synced);
  });
  for (const rr of answer.additional) {
    const j = addExtra(rr);
    if (j >= 0 && !out.baseExtras.includes(j)) out.baseExtras.push(j);
  }
  for (const rr of answer.authority) {
    const e = tryEncode(enc, rr);
    if (e) out.authority.push(e);
  }
  return finishEncoded(out);
}

function tryEncode(enc: RecordEncoder, rr: Parameters<RecordEncoder['encode']>[0]): EncodedRecord | undefined {
  try {
    return enc.encode(rr);
  } catch {
    return undefined; // a catalog name that is not a valid DNS name: leave the record out
  }
}

export interface ReplyOptions {
  tcp: boolean;
  /** EDNS UDP size from the query, or 0 without EDNS. */
  ednsSize: number;
  /** The OPT record to append, or null. */
  opt: Buffer | null;
  qtype: number;
  recursionAvailable: boolean;
  enableTruncate: boolean;
  udpAnswerLimit: number;
}

const MAX_UDP_ANSWER_LIMIT = 8;
const MAX_UDP_SIZE = 65535 - 68;
const MAX_TCP_SIZE = 65523;

/**
 * The `k`-th of the `n!` orders of `n` records (`k` in [0, n!)), by its factorial digits: drawing
 * `k` uniformly gives every order the same chance, as a shuffle does.
 */
export function permutation(n: number, k: number): number[] {
  const left = Array.from({ length: n }, (_, i) => i);
  const order: number[] = [];
  let rest = k;
  for (let m = n; m > 0; m--) {
    const i = rest % m;
    rest = Math.floor(rest / m);
    order.push(left.splice(i, 1)[0] as number);
  }
  return order;
}

function shuffled(n: number): number[] {
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const t = order[i] as number;
    order[i] = order[j] as number;
    order[j] = t;
  }
  return order;
}

/**
 * Builds one reply to `request` (whose question ends at `questionEnd`) from an encoded answer. A
 * shuffled answer's records take a fresh random order, or `order` when one is given.
 */
export function assembleReply(entry: EncodedAnswer, request: Buffer, questionEnd: number, o: ReplyOptions, given?: readonly number[]): Buffer {
  const fast = assembleUntrimmed(entry, request, questionEnd, o, given);
  if (fast) return fast;
  const total = entry.answers.length;
  const order = entry.shuffle && total > 1 ? (given ?? shuffled(total)) : null;
  const at = (i: number) => (order ? (order[i] as number) : i);
  let n = total;
  if (entry.answerLimit > 0 && n > entry.answerLimit) n = entry.answerLimit;
  const offered = n;

  const qlen = questionEnd - HEADER_SIZE;
  const optLen = o.opt ? o.opt.length : 0;
  let full = false; // measure names uncompressed (Consul does for capped 512-byte replies)
  let synced = false;
  let withAuthority = true;
  let limit: number;
  if (!o.tcp) {
    const max = o.ednsSize > 512 ? Math.min(o.ednsSize, MAX_UDP_SIZE) : 512;
    const cap = Math.min(MAX_UDP_ANSWER_LIMIT, o.udpAnswerLimit);
    if (max === 512 && n > cap) {
      n = cap;
      synced = true;
      full = true;
    }
    limit = max - 8;
  } else {
    const cap = o.qtype === QTYPE.SRV ? 1024 : 4096;
    if (n > cap) n = cap;
    limit = MAX_TCP_SIZE;
  }
  const len = (r: EncodedRecord) => (full ? r.fullLength : r.buf.length);
  let authorityLen = 0;
  for (const r of entry.authority) authorityLen += len(r);

  // Untrimmed: every answer's own extras, duplicates kept. Trimmed (Consul's syncExtra): one
  // address record per distinct SRV target, nothing else.
  const pickExtras = (k: number, sync: boolean): number[] => {
    const seen = new Set<number>();
    const list: number[] = [];
    for (let i = 0; i < k; i++) {
      const a = at(i);
      if (sync) {
        const j = entry.syncedExtra[a] as number;
        if (j >= 0 && !seen.has(j)) {
          seen.add(j);
          list.push(j);
        }
      } else {
        list.push(...(entry.answerExtras[a] as number[]));
      }
    }
    if (!sync) {
      for (let i = 0; i < k; i++) list.push(...(entry.answerTailExtras[at(i)] as number[]));
      list.push(...entry.baseExtras);
    }
    return list;
  };
  const sizeOf = (k: number, extras: number[], auth: boolean): number => {
    let s = HEADER_SIZE + qlen + optLen + (auth ? authorityLen : 0);
    for (let i = 0; i < k; i++) s += len(entry.answers[at(i)] as EncodedRecord);
    for (const j of extras) s += len(entry.extras[j] as EncodedRecord);
    return s;
  };

  let extras = pickExtras(n, synced);
  if (n > 1 && sizeOf(n, extras, true) > limit) {
    withAuthority = false;
    synced = true;
    // keep the longest prefix of the (shuffled) answers that fits, at least one
    let size = HEADER_SIZE + qlen + optLen;
    const seen = new Set<number>();
    let k = 0;
    for (; k < n; k++) {
      const a = at(k);
      let add = len(entry.answers[a] as EncodedRecord);
      const j = entry.syncedExtra[a] as number;
      if (j >= 0 && !seen.has(j)) add += len(entry.extras[j] as EncodedRecord);
      if (k > 0 && size + add > limit) break;
      size += add;
      if (j >= 0) seen.add(j);
    }
    n = k;
    extras = pickExtras(n, true);
  }
  const truncated = n < offered && o.enableTruncate;

  const authority = withAuthority ? entry.authority : [];
  let size = HEADER_SIZE + qlen + optLen;
  for (let i = 0; i < n; i++) size += (entry.answers[at(i)] as EncodedRecord).buf.length;
  for (const r of authority) size += r.buf.length;
  for (const j of extras) size += (entry.extras[j] as EncodedRecord).buf.length;

  const out = Buffer.allocUnsafe(size);
  let off = writeHead(out, request, questionEnd, entry, truncated, o, n, authority.length, extras.length);
  for (let i = 0; i < n; i++) off += (entry.answers[at(i)] as EncodedRecord).buf.copy(out, off);
  for (const r of authority) off += r.buf.copy(out, off);
  for (const j of extras) off += (entry.extras[j] as EncodedRecord).buf.copy(out, off);
  if (o.opt) o.opt.copy(out, off);
  return out;
}

function writeHead(out: Buffer, request: Buffer, questionEnd: number, entry: EncodedAnswer, truncated: boolean, o: ReplyOptions, an: number, ns: number, ar: number): number {
  out.writeUInt16BE(request.readUInt16BE(0), 0);
  const reqFlags = request.readUInt16BE(2);
  const flags =
    0x8000 |
    (reqFlags & 0x7900) | // opcode and RD
    (entry.authoritative ? 0x0400 : 0) |
    (truncated ? 0x0200 : 0) |
    (o.recursionAvailable ? 0x0080 : 0) |
    (reqFlags & 0x0010) | // CD
    (entry.rcode & 0xf);
  out.writeUInt16BE(flags, 2);
  out.writeUInt16BE(1, 4);
  out.writeUInt16BE(an, 6);
  out.writeUInt16BE(ns, 8);
  out.writeUInt16BE(ar + (o.opt ? 1 : 0), 10);
  return HEADER_SIZE + request.copy(out, HEADER_SIZE, HEADER_SIZE, questionEnd);
}

/** The common case: everything fits, so no limit or trimming applies. Returns null otherwise. */
function assembleUntrimmed(entry: EncodedAnswer, request: Buffer, questionEnd: number, o: ReplyOptions, given: readonly number[] | undefined): Buffer | null {
  const n = entry.answers.length;
  if (entry.answerLimit > 0 && n > entry.answerLimit) return null;
  let limit: number;
  if (o.tcp) {
    if (n > 1024) return null;
    limit = MAX_TCP_SIZE;
  } else {
    const max = o.ednsSize > 512 ? Math.min(o.ednsSize, MAX_UDP_SIZE) : 512;
    if (max === 512 && n > Math.min(MAX_UDP_ANSWER_LIMIT, o.udpAnswerLimit)) return null;
    limit = max - 8;
  }
  const size = questionEnd + (o.opt ? o.opt.length : 0) + entry.answersLength + entry.authorityBuf.length + entry.allExtras.length;
  if (n > 1 && size > limit) return null;
  const out = Buffer.allocUnsafe(size);
  let off = writeHead(out, request, questionEnd, entry, false, o, n, entry.authority.length, entry.allExtrasCount);
  if (entry.shuffle && n > 1) {
    // the extras follow their answers' order, as Consul builds them
    const order = given ?? shuffled(n);
    for (let i = 0; i < n; i++) off += (entry.answers[order[i] as number] as EncodedRecord).buf.copy(out, off);
    off += entry.authorityBuf.copy(out, off);
    for (let i = 0; i < n; i++) off += (entry.answerExtrasBuf[order[i] as number] as Buffer).copy(out, off);
    for (let i = 0; i < n; i++) off += (entry.answerTailBuf[order[i] as number] as Buffer).copy(out, off);
    off += entry.baseExtrasBuf.copy(out, off);
  } else {
    for (let i = 0; i < n; i++) off += (entry.answers[i] as EncodedRecord).buf.copy(out, off);
    off += entry.authorityBuf.copy(out, off);
    off += entry.allExtras.copy(out, off);
  }
  if (o.opt) o.opt.copy(out, off);
  return out;
}
