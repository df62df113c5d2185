/**
 * Protobuf encoding of `proto/raft.proto`'s Batch, SnapshotChunk and SnapshotAck straight from and
 * to raft-ts's own types, for the framed TCP transport. The bytes are the ones the gRPC transport
 * sends for the same messages (checked against the descriptor in the tests); going without the
 * generated object layer saves one object per message and entry on both sides. 64-bit fields are
 * read as numbers and refused above 2^53.
 */
import protobuf from 'protobufjs/minimal.js';
import type { Entry, Message, MessageType, Snapshot, SnapshotMeta } from '../core/types.js';
import { message } from '../core/types.js';

const { Writer, Reader } = protobuf;
type Writer = protobuf.Writer;
type Reader = protobuf.Reader;

/** The wire's MessageType numbers (raft.proto). */
const TYPE_NUMBER: Readonly<Partial<Record<MessageType, number>>> = {
  app: 1,
  appResp: 2,
  vote: 3,
  voteResp: 4,
  preVote: 5,
  preVoteResp: 6,
  snap: 7,
  heartbeat: 8,
  heartbeatResp: 9,
  timeoutNow: 10,
  readIndex: 11,
  readIndexResp: 12,
};
const TYPE_OF_NUMBER: readonly (MessageType | undefined)[] = (() => {
  const out: (MessageType | undefined)[] = [];
  for (const [k, v] of Object.entries(TYPE_NUMBER)) out[v] = k as MessageType;
  return out;
})();

/** Wire type bits of a field key. */
const VARINT = 0;
const LEN = 2;

function key(field: number, wire: number): number {
  return (field << 3) | wire;
}

/** A message the peer sent that does not decode as raft.proto says. */
export class WireFormatError extends Error {
  readonly code = 'RAFT_WIRE_FORMAT';
}

function writeEntry(w: Writer, e: Entry): void {
  w.uint32(key(7, LEN)).fork();
  if (e.term !== 0) w.uint32(key(1, VARINT)).uint64(e.term);
  if (e.index !== 0) w.uint32(key(2, VARINT)).uint64(e.index);
  if (e.type === 'conf') w.uint32(key(3, VARINT)).int32(1);
  if (e.data.byteLength > 0) w.uint32(key(4, LEN)).bytes(e.data);
  w.ldelim();
}

function writeMessageFields(w: Writer, m: Message): void {
  const type = TYPE_NUMBER[m.type];
  if (type === undefined) throw new TypeError(`message type ${m.type} is local and never sent`);
  w.uint32(key(1, VARINT)).int32(type);
  if (m.from !== '') w.uint32(key(2, LEN)).string(m.from);
  if (m.to !== '') w.uint32(key(3, LEN)).string(m.to);
  if (m.term !== 0) w.uint32(key(4, VARINT)).uint64(m.term);
  if (m.logTerm !== 0) w.uint32(key(5, VARINT)).uint64(m.logTerm);
  if (m.index !== 0) w.uint32(key(6, VARINT)).uint64(m.index);
  for (const e of m.entries) writeEntry(w, e);
  if (m.commit !== 0) w.uint32(key(8, VARINT)).uint64(m.commit);
  if (m.reject) w.uint32(key(9, VARINT)).bool(true);
  if (m.rejectHint !== 0) w.uint32(key(10, VARINT)).uint64(m.rejectHint);
  if (m.context !== '') w.uint32(key(11, LEN)).string(m.context);
}

/** `Batch { repeated Message messages = 1; }` (snapshot data never travels in a batch). */
export function encodeBatch(messages: readonly Message[]): Uint8Array {
  const w = Writer.create();
  for (const m of messages) {
    w.uint32(key(1, LEN)).fork();
    writeMessageFields(w, m);
    w.ldelim();
  }
  return w.finish();
}

/** Reads an unsigned varint of up to 64 bits as a number; refuses values above 2^53. */
function readU64(r: Reader): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (r.pos >= r.len) throw new WireFormatError('varint runs past the end of its message');
    const b = r.buf[r.pos++] as number;
    result += (b & 0x7f) * scale;
    if (b < 0x80) {
      if (!Number.isSafeInteger(result)) throw new WireFormatError(`64-bit value exceeds 2^53`);
      return result;
    }
    scale *= 128;
  }
  throw new WireFormatError('varint longer than 10 bytes');
}

/** Runs `field` for each field of the message that ends at `end`; skips unknown fields. */
function readFields(r: Reader, end: number, field: (id: number, wire: number) => boolean): void {
  while (r.pos < end) {
    const k = r.uint32();
    const id = k >>> 3;
    const wire = k & 7;
    if (id === 0) throw new WireFormatError('field number 0');
    if (!field(id, wire)) r.skipType(wire);
  }
  if (r.pos !== end) throw new WireFormatError('a field runs past the end of its message');
}

function subEnd(r: Reader): number {
  const n = r.uint32();
  const end = r.pos + n;
  if (end > r.len) throw new WireFormatError('a length runs past the end of the frame');
  return end;
}

function readEntry(r: Reader, end: number): Entry {
  let term = 0;
  let index = 0;
  let type: Entry['type'] = 'normal';
  let data: Uint8Array = new Uint8Array(0);
  readFields(r, end, (id, wire) => {
    if (id === 1 && wire === VARINT) term = readU64(r);
    else if (id === 2 && wire === VARINT) index = readU64(r);
    else if (id === 3 && wire === VARINT) type = r.int32() === 1 ? 'conf' : 'normal';
    else if (id === 4 && wire === LEN) data = r.bytes();
    else return false;
    return true;
  });
  return { term, index, type, data };
}

function readMessage(r: Reader, end: number): Message {
  let type: MessageType | undefined;
  let from = '';
  let to = '';
  let term = 0;
  let logTerm = 0;
  let index = 0;
  const entries: Entry[] = [];
  let commit = 0;
  let reject = false;
  let rejectHint = 0;
  let context = '';
  readFields(r, end, (id, wire) => {
    if (wire === VARINT) {
      if (id === 1) {
        const n = r.int32();
        type = TYPE_OF_NUMBER[n];
        if (type === undefined) throw new WireFormatError(`unknown message type ${n}`);
      } else if (id === 4) term = readU64(r);
      else if (id === 5) logTerm = readU64(r);
      else if (id === 6) index = readU64(r);
      else if (id === 8) commit = readU64(r);
      else if (id === 9) reject = r.bool();
      else if (id === 10) rejectHint = readU64(r);
      else return false;
      return true;
    }
    if (wire !== LEN) return false;
    if (id === 2) from = r.string();
    else if (id === 3) to = r.string();
    else if (id === 7) entries.push(readEntry(r, subEnd(r)));
    else if (id === 11) context = r.string();
    else return false;
    return true;
  });
  if (type === undefined) throw new WireFormatError('message without a type');
  return message({ type, from, to, term, logTerm, index, entries, commit, reject, rejectHint, context });
}

function reader(bytes: Uint8Array): Reader {
  return Reader.create(bytes);
}

/** Decodes a Batch; throws WireFormatError on anything raft.proto does not allow. */
export function decodeBatch(bytes: Uint8Array): Message[] {
  const r = reader(bytes);
  const out: Message[] = [];
  try {
    readFields(r, r.len, (id, wire) => {
      if (id !== 1 || wire !== LEN) return false;
      out.push(readMessage(r, subEnd(r)));
      return true;
    });
  } catch (err) {
    throw asWireError(err);
  }
  return out;
}

function asWireError(err: unknown): Error {
  if (err instanceof WireFormatError) return err;
  // protobufjs's reader throws RangeError (index out of range) or Error (invalid wire type).
  return new WireFormatError(err instanceof Error ? err.message : String(err));
}

/** One InstallSnapshot frame: the first carries the message header and the metadata. */
export interface SnapshotChunkFrame {
  readonly header?: Message;
  readonly meta?: SnapshotMeta;
  readonly data: Uint8Array;
  readonly last: boolean;
}

export function encodeSnapshotChunk(c: SnapshotChunkFrame): Uint8Array {
  const w = Writer.create();
  if (c.header) {
    w.uint32(key(1, LEN)).fork();
    writeMessageFields(w, c.header);
    w.ldelim();
  }
  if (c.meta) {
    w.uint32(key(2, LEN)).fork();
    if (c.meta.index !== 0) w.uint32(key(1, VARINT)).uint64(c.meta.index);
    if (c.meta.term !== 0) w.uint32(key(2, VARINT)).uint64(c.meta.term);
    w.uint32(key(3, LEN)).fork();
    for (const v of c.meta.conf.voters) w.uint32(key(1, LEN)).string(v);
    for (const l of c.meta.conf.learners) w.uint32(key(2, LEN)).string(l);
    w.ldelim();
    w.ldelim();
  }
  if (c.data.byteLength > 0) w.uint32(key(3, LEN)).bytes(c.data);
  if (c.last) w.uint32(key(4, VARINT)).bool(true);
  return w.finish();
}

function readMeta(r: Reader, end: number): SnapshotMeta {
  let index = 0;
  let term = 0;
  const voters: string[] = [];
  const learners: string[] = [];
  readFields(r, end, (id, wire) => {
    if (id === 1 && wire === VARINT) index = readU64(r);
    else if (id === 2 && wire === VARINT) term = readU64(r);
    else if (id === 3 && wire === LEN) {
      readFields(r, subEnd(r), (cid, cwire) => {
        if (cwire !== LEN || (cid !== 1 && cid !== 2)) return false;
        (cid === 1 ? voters : learners).push(r.string());
        return true;
      });
    } else return false;
    return true;
  });
  return { index, term, conf: { voters, learners } };
}

/** Decodes a SnapshotChunk; the header message's snapshot is attached by the receiver. */
export function decodeSnapshotChunk(bytes: Uint8Array): SnapshotChunkFrame {
  const r = reader(bytes);
  let header: Message | undefined;
  let meta: SnapshotMeta | undefined;
  let data: Uint8Array = new Uint8Array(0);
  let last = false;
  try {
    readFields(r, r.len, (id, wire) => {
      if (id === 1 && wire === LEN) {
        header = readMessage(r, subEnd(r));
      } else if (id === 2 && wire === LEN) meta = readMeta(r, subEnd(r));
      else if (id === 3 && wire === LEN) data = r.bytes();
      else if (id === 4 && wire === VARINT) last = r.bool();
      else return false;
      return true;
    });
  } catch (err) {
    throw asWireError(err);
  }
  return { ...(header ? { header } : {}), ...(meta ? { meta } : {}), data, last };
}

/** A chunk's header message with the assembled snapshot attached. */
export function withSnapshot(header: Message, snapshot: Snapshot): Message {
  return { ...header, snapshot };
}

/** `SnapshotAck { bool ok = 1; }` */
export function encodeSnapshotAck(ok: boolean): Uint8Array {
  return ok ? Uint8Array.of(key(1, VARINT), 1) : new Uint8Array(0);
}

export function decodeSnapshotAck(bytes: Uint8Array): boolean {
  const r = reader(bytes);
  let ok = false;
  try {
    readFields(r, r.len, (id, wire) => {
      if (id !== 1 || wire !== VARINT) return false;
      ok = r.bool();
      return true;
    });
  } catch (err) {
    throw asWireError(err);
  }
  return ok;
}
