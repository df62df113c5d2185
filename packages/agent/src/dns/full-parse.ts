/**
 * The slow path for queries the cheap parser does not take whole (EDNS options such as client
 * subnet, records in the answer or authority sections): a bounds check of every record, then
 * dns2's full parser, whose output gives the EDNS size and options to echo.
 */

import dns2 from 'dns2';

import { QTYPE, encodeOpt } from './wire.js';

const { Packet } = dns2;

export interface EdnsInfo {
  /** The client's advertised UDP size (0 without OPT). */
  ednsSize: number;
  /** The OPT record for the reply, or null. */
  opt: Buffer | null;
  /** The EDNS version the client speaks (0 without OPT). */
  version: number;
}

/** Walks a (possibly compressed) name; returns the offset after it, or -1 if malformed. */
function skipName(buf: Buffer, start: number): number {
  let off = start;
  let total = 1;
  for (;;) {
    if (off >= buf.length) return -1;
    const len = buf[off] as number;
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) {
      if (off + 2 > buf.length) return -1;
      const target = ((len & 0x3f) << 8) | (buf[off + 1] as number);
      // a pointer must go backwards, which also rules out loops
      if (target >= start) return -1;
      return skipPointed(buf, target, total) ? off + 2 : -1;
    }
    if (len > 63) return -1;
    total += len + 1;
    if (total > 255) return -1;
    off += 1 + len;
  }
}

function skipPointed(buf: Buffer, start: number, total: number): boolean {
  let off = start;
  let hops = 0;
  let sum = total;
  for (;;) {
    if (off >= buf.length) return false;
    const len = buf[off] as number;
    if (len === 0) return true;
    if ((len & 0xc0) === 0xc0) {
      if (off + 2 > buf.length || ++hops > 64) return false;
      const target = ((len & 0x3f) << 8) | (buf[off + 1] as number);
      if (target >= off) return false;
      off = target;
      continue;
    }
    if (len > 63) return false;
    sum += len + 1;
    if (sum > 255) return false;
    off += 1 + len;
  }
}

/**
 * Checks that every record after the question lies within the packet and that an OPT record's
 * options add up, then reads EDNS through dns2. Returns undefined for a malformed packet.
 */
export function readEdns(buf: Buffer, questionEnd: number): EdnsInfo | undefined {
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  let off = questionEnd;
  let optSeen = 0;
  let version = 0;
  for (let i = 0; i < an + ns + ar; i++) {
    const nameStart = off;
    off = skipName(buf, off);
    if (off < 0 || off + 10 > buf.length) return undefined;
    const type = buf.readUInt16BE(off);
    const rdlen = buf.readUInt16BE(off + 8);
    const rdata = off + 10;
    if (rdata + rdlen > buf.length) return undefined;
    if (type === QTYPE.OPT) {
      if (i < an + ns || buf[nameStart] !== 0 || ++optSeen > 1) return undefined;
      version = buf[off + 5] as number;
      let o = rdata;
      while (o < rdata + rdlen) {
        if (o + 4 > rdata + rdlen) return undefined;
        o += 4 + buf.readUInt16BE(o + 2);
      }
      if (o !== rdata + rdlen) return undefined;
    }
    off = rdata + rdlen;
  }
  if (optSeen === 0) return { ednsSize: 0, opt: null, version: 0 };
  // A version we do not speak is answered BADVERS without looking further.
  if (version > 0) return { ednsSize: 0, opt: null, version };
  let packet: InstanceType<typeof Packet>;
  try {
    packet = Packet.parse(buf);
  } catch {
    return undefined;
  }
  const opt = (packet.additionals as unknown as { type: number; class: number; rdata?: unknown[] }[]).find((r) => r && r.type === QTYPE.OPT);
  if (!opt) return undefined;
  const size = opt.class;
  const options: Buffer[] = [];
  for (const o of opt.rdata ?? []) {
    const ecs = o as { ednsCode?: number; family?: number; sourcePrefixLength?: number; ip?: string };
    if (ecs.ednsCode !== 8 || (ecs.family !== 1 && ecs.family !== 2)) continue;
    options.push(encodeEcs(ecs.family, ecs.sourcePrefixLength ?? 0, ecs.ip ?? ''));
  }
  return { ednsSize: size, opt: encodeOpt(size, Buffer.concat(options)), version };
}

/** A client-subnet option echoed with scope 0 (every Concord answer is valid for any subnet). */
function encodeEcs(family: number, source: number, ip: string): Buffer {
  const bytes =
    family === 1
      ? ip.split('.').map((x) => Number(x) || 0)
      : ip.split(':').flatMap((g) => {
          const v = Number.parseInt(g || '0', 16) || 0;
          return [v >> 8, v & 0xff];
        });
  const octets = Math.min(Math.ceil(source / 8), bytes.length);
  const b = Buffer.alloc(8 + octets);
  b.writeUInt16BE(8, 0);
  b.writeUInt16BE(4 + octets, 2);
  b.writeUInt16BE(family, 4);
  b[6] = source;
  b[7] = 0;
  for (let i = 0; i < octets; i++) b[8 + i] = bytes[i] as number;
  return b;
}
