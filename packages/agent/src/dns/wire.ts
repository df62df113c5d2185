/**
 * The small part of the DNS wire format the server needs on its hot path: a strict parser for
 * the header and the single question of a query, and an encoder for the record types Concord
 * answers with. Names in records are compressed only against the question (always at offset
 * 12), so every encoded record is position-independent and can be reordered or dropped freely.
 */

import { isIPv4, isIPv6 } from 'node:net';

export const QTYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  AXFR: 252,
  ANY: 255,
} as const;

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;

export const HEADER_SIZE = 12;
const MAX_NAME_WIRE = 255;

/** A resource record, before encoding. Names are absolute and written without the trailing dot. */
export type DnsRecord =
  | { type: 'A' | 'AAAA'; name: string; ttl: number; address: string }
  | { type: 'SRV'; name: string; ttl: number; priority: number; weight: number; port: number; target: string }
  | { type: 'TXT'; name: string; ttl: number; text: string[] }
  | { type: 'NS' | 'CNAME' | 'PTR'; name: string; ttl: number; host: string }
  | {
      type: 'SOA';
      name: string;
      ttl: number;
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    };

/** What the cheap parser learned about a query. */
export interface ParsedQuery {
  id: number;
  /** Header flags word as received (opcode, RD, CD, ...). */
  flags: number;
  opcode: number;
  /** The question name in wire form, lower-cased (a cache key; see questionLabels for labels). */
  key: string;
  qtype: number;
  qclass: number;
  /** Offset just past the question section. */
  questionEnd: number;
  /** EDNS UDP payload size advertised by the client, or 0 without an OPT record. */
  ednsSize: number;
  /** True when the packet holds records beyond a plain OPT (EDNS options, extra sections). */
  unusual: boolean;
}

export class WireError extends Error {
  /** The query ID, when the header could be read (so a FORMERR can be addressed). */
  readonly id: number | undefined;
  constructor(message: string, id?: number) {
    super(message);
    this.name = 'WireError';
    this.id = id;
  }
}

/**
 * Parses the header and question of a query. Throws WireError for anything malformed:
 * bad counts, label lengths, pointers in the question, names over 255 bytes, overruns.
 * Returns null for packets that must be dropped silently (too short, or responses).
 */
export function parseQuery(buf: Buffer): ParsedQuery | null {
  if (buf.length < HEADER_SIZE) return null;
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) return null; // a response: never answer it
  const opcode = (flags >> 11) & 0xf;
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  // The same acceptance rule as miekg/dns: one question, at most one record in the answer and
  // authority sections and two in the additional one. Anything else is refused before parsing.
  if (qd !== 1 || an > 1 || ns > 1 || ar > 2) throw new WireError('bad section counts', id);
  let off = HEADER_SIZE;
  let wire = 1;
  for (;;) {
    if (off >= buf.length) throw new WireError('question overruns the packet', id);
    const len = buf[off] as number;
    if (len === 0) {
      off += 1;
      break;
    }
    if (len > 63) throw new WireError('bad label length in question', id);
    wire += len + 1;
    if (wire > MAX_NAME_WIRE) throw new WireError('question name too long', id);
    if (off + 1 + len > buf.length) throw new WireError('label overruns the packet', id);
    off += 1 + len;
  }
  if (off + 4 > buf.length) throw new WireError('question overruns the packet', id);
  const qtype = buf.readUInt16BE(off);
  const qclass = buf.readUInt16BE(off + 2);
  const questionEnd = off + 4;
  let ednsSize = 0;
  let unusual = an !== 0 || ns !== 0 || ar > 1;
  if (!unusual && ar === 1) {
    // The common EDNS query: a root-named OPT of version 0 without options (RDLENGTH 0), ending
    // the packet. Anything else (another version, a length that does not match) takes the full parse.
    if (
      buf.length === questionEnd + 11 &&
      buf[questionEnd] === 0 &&
      buf.readUInt16BE(questionEnd + 1) === QTYPE.OPT &&
      buf[questionEnd + 6] === 0 &&
      buf.readUInt16BE(questionEnd + 9) === 0
    ) {
      ednsSize = Math.max(512, buf.readUInt16BE(questionEnd + 3));
    } else {
      unusual = true;
    }
  } else if (!unusual && buf.length !== questionEnd) {
    unusual = true;
  }
  return {
    id,
    flags,
    opcode,
    // label lengths are at most 63, below 'A', so lower-casing the wire form only touches letters
    key: buf.toString('latin1', HEADER_SIZE, off).toLowerCase(),
    qtype,
    qclass,
    questionEnd,
    ednsSize,
    unusual,
  };
}

/** The labels of a question already checked by parseQuery, lower-cased. */
export function questionLabels(buf: Buffer): string[] {
  const labels: string[] = [];
  let off = HEADER_SIZE;
  for (let len = buf[off] as number; len !== 0; len = buf[off] as number) {
    labels.push(buf.toString('latin1', off + 1, off + 1 + len).toLowerCase());
    off += 1 + len;
  }
  return labels;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** An encoded record with its compressed and uncompressed sizes. */
export interface EncodedRecord {
  buf: Buffer;
  /** Size with every name written in full (Consul measures 512-byte answers this way). */
  fullLength: number;
}

/**
 * Encodes records for answers to one question. Names that share a suffix with the question
 * are written as a pointer into the question, which sits at offset 12 in every reply.
 */
export class RecordEncoder {
  readonly #suffixOffsets = new Map<string, number>();
  readonly #compress: boolean;

  constructor(questionLabels: readonly string[], compress = true) {
    this.#compress = compress;
    let off = HEADER_SIZE;
    for (let i = 0; i < questionLabels.length; i++) {
      this.#suffixOffsets.set(questionLabels.slice(i).join('.'), off);
      off += 1 + Buffer.byteLength(questionLabels[i] as string, 'latin1');
    }
  }

  encode(rr: DnsRecord): EncodedRecord {
    const parts: Buffer[] = [];
    let full = 0;
    const name = this.#name(rr.name, true);
    parts.push(name.buf);
    full += name.full;
    const fixed = Buffer.allocUnsafe(10);
    fixed.writeUInt16BE(QTYPE[rr.type], 0);
    fixed.writeUInt16BE(1, 2); // class IN
    fixed.writeUInt32BE(Math.max(0, Math.min(rr.ttl, 0x7fffffff)) >>> 0, 4);
    parts.push(fixed);
    full += 10;
    const rdata = this.#rdata(rr);
    fixed.writeUInt16BE(rdata.buf.length, 8);
    parts.push(rdata.buf);
    full += rdata.full;
    return { buf: Buffer.concat(parts), fullLength: full };
  }

  #rdata(rr: DnsRecord): { buf: Buffer; full: number } {
    switch (rr.type) {
      case 'A': {
        const b = ipv4Bytes(rr.address);
        return { buf: b, full: b.length };
      }
      case 'AAAA': {
        const b = ipv6Bytes(rr.address);
        return { buf: b, full: b.length };
      }
      case 'SRV': {
        const head = Buffer.allocUnsafe(6);
        head.writeUInt16BE(rr.priority & 0xffff, 0);
        head.writeUInt16BE(rr.weight & 0xffff, 2);
        head.writeUInt16BE(rr.port & 0xffff, 4);
        // RFC 2782: the target is never compressed.
        const target = this.#name(rr.target, false);
        return { buf: Buffer.concat([head, target.buf]), full: 6 + target.full };
      }
      case 'TXT': {
        const chunks: Buffer[] = [];
        for (const s of rr.text.length ? rr.text : ['']) {
          const bytes = Buffer.from(s, 'utf8');
          if (bytes.length === 0) chunks.push(Buffer.from([0]));
          for (let i = 0; i < bytes.length; i += 255) {
            const part = bytes.subarray(i, i + 255);
            chunks.push(Buffer.from([part.length]), part);
          }
        }
        const b = Buffer.concat(chunks);
        return { buf: b, full: b.length };
      }
      case 'NS':
      case 'CNAME':
      case 'PTR': {
        const host = this.#name(rr.host, true);
        return { buf: host.buf, full: host.full };
      }
      case 'SOA': {
        const m = this.#name(rr.mname, true);
        const r = this.#name(rr.rname, true);
        const nums = Buffer.allocUnsafe(20);
        nums.writeUInt32BE(rr.serial >>> 0, 0);
        nums.writeUInt32BE(rr.refresh >>> 0, 4);
        nums.writeUInt32BE(rr.retry >>> 0, 8);
        nums.writeUInt32BE(rr.expire >>> 0, 12);
        nums.writeUInt32BE(rr.minimum >>> 0, 16);
        return { buf: Buffer.concat([m.buf, r.buf, nums]), full: m.full + r.full + 20 };
      }
    }
  }

  #name(name: string, compressible: boolean): { buf: Buffer; full: number } {
    const labels = splitName(name);
    let full = 1;
    for (const l of labels) full += 1 + Buffer.byteLength(l, 'utf8');
    const out: Buffer[] = [];
    for (let i = 0; i < labels.length; i++) {
      if (compressible && this.#compress) {
        const ptr = this.#suffixOffsets.get(labels.slice(i).join('.').toLowerCase());
        if (ptr !== undefined) {
          out.push(Buffer.from([0xc0 | (ptr >> 8), ptr & 0xff]));
          return { buf: Buffer.concat(out), full };
        }
      }
      const bytes = Buffer.from(labels[i] as string, 'utf8');
      if (bytes.length === 0 || bytes.length > 63) throw new Error(`invalid DNS label in ${JSON.stringify(name)}`);
      out.push(Buffer.from([bytes.length]), bytes);
    }
    if (full > MAX_NAME_WIRE) throw new Error(`DNS name too long: ${name}`);
    out.push(Buffer.from([0]));
    return { buf: Buffer.concat(out), full };
  }
}

export function splitName(name: string): string[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed === '' ? [] : trimmed.split('.');
}

function ipv4Bytes(address: string): Buffer {
  if (!isIPv4(address)) throw new Error(`not an IPv4 address: ${address}`);
  return Buffer.from(address.split('.').map(Number));
}

/** IPv6 text → 16 bytes (handles `::` and an embedded dotted IPv4 tail). */
export function ipv6Bytes(address: string): Buffer {
  const bare = address.replace(/%.*$/, '');
  if (!isIPv6(bare)) throw new Error(`not an IPv6 address: ${address}`);
  let text = bare;
  const out = Buffer.alloc(16);
  const dotted = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  let tail: number[] = [];
  if (dotted) {
    tail = (dotted[1] as string).split('.').map(Number);
    text = `${text.slice(0, -(dotted[1] as string).length)}0:0`;
  }
  const [head, rest] = text.includes('::') ? (text.split('::') as [string, string]) : [text, undefined];
  const h = head ? head.split(':') : [];
  const r = rest === undefined ? [] : rest ? rest.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - r.length).fill('0'), ...r];
  for (let i = 0; i < 8; i++) out.writeUInt16BE(Number.parseInt(groups[i] as string, 16), i * 2);
  if (tail.length) for (let i = 0; i < 4; i++) out[12 + i] = tail[i] as number;
  return out;
}

export function ipFamily(address: string): 4 | 6 | 0 {
  if (isIPv4(address)) return 4;
  if (isIPv6(address.replace(/%.*$/, ''))) return 6;
  return 0;
}

/** An OPT pseudo-record echoing the client's UDP size, optionally with encoded options. */
export function encodeOpt(udpSize: number, options: Buffer = Buffer.alloc(0)): Buffer {
  const b = Buffer.alloc(11 + options.length);
  b[0] = 0;
  b.writeUInt16BE(QTYPE.OPT, 1);
  b.writeUInt16BE(udpSize & 0xffff, 3);
  b.writeUInt32BE(0, 5);
  b.writeUInt16BE(options.length, 9);
  options.copy(b, 11);
  return b;
}

/** RCODE 16 (BADVERS) is the extended RCODE 1 in the OPT record with header RCODE 0 (RFC 6891 §6.1.3). */
export const EXTENDED_RCODE_BADVERS = 1;

/**
 * The answer to a query whose EDNS version this server does not speak: BADVERS, with the question
 * echoed and an OPT record saying version 0 (RFC 6891 §6.1.3).
 */
export function encodeBadVersReply(request: Buffer, questionEnd: number, udpSize: number, flags: { ra: boolean }): Buffer {
  const head = encodeErrorReply(request, RCODE.NOERROR, questionEnd, flags);
  const opt = encodeOpt(udpSize);
  opt[5] = EXTENDED_RCODE_BADVERS;
  const out = Buffer.concat([head, opt]);
  out.writeUInt16BE(1, 10);
  return out;
}

/** A header-only (or header plus echoed question) reply, for errors and refusals. */
export function encodeErrorReply(request: Buffer, rcode: number, questionEnd: number | undefined, flags: { ra: boolean }): Buffer {
  const qlen = questionEnd === undefined ? 0 : questionEnd - HEADER_SIZE;
  const out = Buffer.alloc(HEADER_SIZE + qlen);
  out.writeUInt16BE(request.readUInt16BE(0), 0);
  const reqFlags = request.readUInt16BE(2);
  out.writeUInt16BE(0x8000 | (reqFlags & 0x7900) | (flags.ra ? 0x80 : 0) | (rcode & 0xf), 2);
  out.writeUInt16BE(qlen ? 1 : 0, 4);
  if (qlen) request.copy(out, HEADER_SIZE, HEADER_SIZE, questionEnd);
  return out;
}
