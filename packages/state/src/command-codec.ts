/**
 * The bytes a command travels and persists as (raft log entries). A `kv` command (one KV verb:
 * set, cas, lock, unlock, delete, ...) is a compact binary record; every other command, and a
 * `kv` command with a field of a type the record cannot hold exactly, is UTF-8 JSON (values
 * inside are already base64). Decoding takes both, so logs written before the binary record
 * existed are still read.
 *
 * The binary record is exact: decoding gives back a command that every apply reads the same
 * as the one encoded (each field of the same type and value, numbers bit for bit), which is what
 * lets the proposer apply its own object without decoding (`encodesExactly`). JSON is not
 * exact (it drops `undefined`, turns NaN into null, calls `toJSON`), so a JSON-coded command is
 * always applied from its decoded bytes.
 *
 * Record layout (integers little-endian):
 *   u8 KV_RECORD (0x01; a JSON command starts with '{')
 *   u8 verb (index into KV_VERBS)
 *   u8 fields present (HAS_* bits)
 *   f64 time, f64 Index, f64 Flags (each only when present and a number)
 *   then Key, Value, Flags (when a string) and Session (when present), each u32 byte length + UTF-8
 */
import { StateError } from './errors.js';
import type { Command, KvOp, KvVerb } from './types.js';

const KV_RECORD = 0x01;

/** Every KV verb, in record order: a verb's code is its index here, so entries are only ever appended. */
export const KV_VERBS: readonly KvVerb[] = [
  'set',
  'cas',
  'lock',
  'unlock',
  'delete',
  'delete-tree',
  'delete-cas',
  'get',
  'get-or-empty',
  'get-tree',
  'check-index',
  'check-session',
  'check-not-exists',
];
const VERB_CODES = new Map<string, number>(KV_VERBS.map((v, i) => [v, i]));

const HAS_TIME = 1;
const HAS_VALUE = 2;
const VALUE_NULL = 4;
const FLAGS_NUMBER = 8;
const FLAGS_STRING = 16;
const HAS_INDEX = 32;
const HAS_SESSION = 64;

/**
 * The UTF-8 length of a string UTF-8 holds exactly, or -1 (a lone surrogate, which UTF-8 would
 * replace). A string whose UTF-8 length is its length is ASCII, and so also well-formed.
 */
function exactLength(s: string): number {
  const n = Buffer.byteLength(s);
  if (n === s.length) return n;
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed() ? n : -1;
}

const optionalNumber = (v: unknown) => v === undefined || typeof v === 'number';

/**
 * Buffer's own Latin-1 writer, which `buf.write(s, at, n, 'latin1')` reaches after checking its
 * arguments (the checks cost as much as the copy of a short string); `write` where it is missing.
 */
type Latin1Writer = (this: Buffer, s: string, at: number, length: number) => number;
const latin1Write: Latin1Writer =
  (Buffer.prototype as unknown as { latin1Write?: Latin1Writer }).latin1Write ??
  function (this: Buffer, s: string, at: number, length: number) {
    return this.write(s, at, length, 'latin1');
  };

/** Writes a string whose UTF-8 length is `bytes` (ASCII, the common case, copied as Latin-1). */
function writeString(buf: Buffer, at: number, s: string, bytes: number): number {
  buf.writeUInt32LE(bytes, at);
  if (bytes > 0) {
    if (bytes === s.length) latin1Write.call(buf, s, at + 4, bytes);
    else buf.write(s, at + 4, bytes, 'utf8');
  }
  return at + 4 + bytes;
}

/** Records are cut from slabs of this size (fewer, larger allocations than one buffer each). */
const SLAB_BYTES = 64 * 1024;
/** A record larger than this gets a buffer of its own. */
const SLAB_MAX_RECORD = 4 * 1024;
let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
let slabUsed = 0;

/**
 * `size` bytes for one record, cut from the current slab. A slab is kept alive by any record cut
 * from it (as Node's own pool of small buffers is), and every record is written in full before
 * it is handed out, so none shows another's bytes.
 */
function recordBuffer(size: number): Buffer {
  if (size > SLAB_MAX_RECORD) return Buffer.allocUnsafe(size);
  if (slabUsed + size > SLAB_BYTES) {
    slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
    slabUsed = 0;
  }
  const buf = slab.subarray(slabUsed, slabUsed + size);
  // the next record starts 8-byte aligned
  slabUsed = (slabUsed + size + 7) & ~7;
  return buf;
}

/** The record of a `kv` command, or undefined when a field's type has no exact place in it. */
function encodeKv(verb: number, command: { op: KvOp; time?: number | undefined }): Buffer | undefined {
  const op = command.op;
  if (typeof op !== 'object' || op === null || !optionalNumber(command.time) || !optionalNumber(op.Index)) return undefined;
  const { Key: key, Value: value, Flags: flags, Session: session } = op as { Key: unknown; Value: unknown; Flags: unknown; Session: unknown };
  if (typeof key !== 'string') return undefined;
  let bits = 0;
  let size = 3 + 4;
  if (command.time !== undefined) (bits |= HAS_TIME), (size += 8);
  if (op.Index !== undefined) (bits |= HAS_INDEX), (size += 8);
  const keyBytes = exactLength(key);
  if (keyBytes < 0) return undefined;
  size += keyBytes;
  let valueBytes = 0;
  if (value === null) bits |= VALUE_NULL;
  else if (value !== undefined) {
    if (typeof value !== 'string' || (valueBytes = exactLength(value)) < 0) return undefined;
    bits |= HAS_VALUE;
    size += 4 + valueBytes;
  }
  let flagsBytes = 0;
  if (typeof flags === 'number') (bits |= FLAGS_NUMBER), (size += 8);
  else if (flags !== undefined) {
    if (typeof flags !== 'string' || (flagsBytes = exactLength(flags)) < 0) return undefined;
    bits |= FLAGS_STRING;
    size += 4 + flagsBytes;
  }
  let sessionBytes = 0;
  if (session !== undefined) {
    if (typeof session !== 'string' || (sessionBytes = exactLength(session)) < 0) return undefined;
    bits |= HAS_SESSION;
    size += 4 + sessionBytes;
  }
  const buf = recordBuffer(size);
  buf[0] = KV_RECORD;
  buf[1] = verb;
  buf[2] = bits;
  let at = 3;
  if (bits & HAS_TIME) at = buf.writeDoubleLE(command.time as number, at);
  if (bits & HAS_INDEX) at = buf.writeDoubleLE(op.Index as number, at);
  if (bits & FLAGS_NUMBER) at = buf.writeDoubleLE(flags as number, at);
  at = writeString(buf, at, key, keyBytes);
  if (bits & HAS_VALUE) at = writeString(buf, at, value as string, valueBytes);
  if (bits & FLAGS_STRING) at = writeString(buf, at, flags as string, flagsBytes);
  if (bits & HAS_SESSION) writeString(buf, at, session as string, sessionBytes);
  return buf;
}

/** Commands travel and persist as a binary record (`kv`) or UTF-8 JSON (everything else). */
export function encodeCommand(command: Command): Buffer {
  if (command.type === 'kv') {
    const verb = VERB_CODES.get(command.op?.Verb as string);
    const record = verb === undefined ? undefined : encodeKv(verb, command);
    if (record) return record;
  }
  return Buffer.from(JSON.stringify(command));
}

/**
 * True when `bytes` (from encodeCommand) decode to a command every apply reads exactly as the
 * one encoded, so the proposer may apply its own object; false for JSON, which must be decoded.
 */
export function encodesExactly(bytes: Uint8Array): boolean {
  return bytes[0] === KV_RECORD;
}

export function decodeCommand(bytes: Uint8Array): Command {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === KV_RECORD) return decodeKv(buf);
  let parsed: unknown;
  try {
    parsed = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new StateError('STATE_INVALID_REQUEST', `undecodable command: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') {
    throw new StateError('STATE_INVALID_REQUEST', 'undecodable command: missing type');
  }
  return parsed as Command;
}

const truncated = () => new StateError('STATE_INVALID_REQUEST', 'undecodable command: truncated kv record');

function decodeKv(buf: Buffer): Command {
  if (buf.length < 7) throw truncated();
  const verb = KV_VERBS[buf[1] as number];
  if (verb === undefined) throw new StateError('STATE_INVALID_REQUEST', `undecodable command: unknown kv verb code ${buf[1]}`);
  const bits = buf[2] as number;
  if (bits & 0x80 || (bits & HAS_VALUE && bits & VALUE_NULL) || (bits & FLAGS_NUMBER && bits & FLAGS_STRING)) {
    throw new StateError('STATE_INVALID_REQUEST', `undecodable command: bad kv record fields ${bits}`);
  }
  let at = 3;
  const number = (): number => {
    if (at + 8 > buf.length) throw truncated();
    const n = buf.readDoubleLE(at);
    at += 8;
    return n;
  };
  const string = (): string => {
    if (at + 4 > buf.length) throw truncated();
    const n = buf.readUInt32LE(at);
    const end = at + 4 + n;
    if (end > buf.length) throw truncated();
    const s = buf.toString('utf8', at + 4, end);
    at = end;
    return s;
  };
  const time = bits & HAS_TIME ? number() : undefined;
  const index = bits & HAS_INDEX ? number() : undefined;
  let flags: number | string | undefined = bits & FLAGS_NUMBER ? number() : undefined;
  const op: KvOp = { Verb: verb, Key: string() };
  if (bits & HAS_VALUE) op.Value = string();
  else if (bits & VALUE_NULL) op.Value = null;
  if (bits & FLAGS_STRING) flags = string();
  if (flags !== undefined) op.Flags = flags;
  if (index !== undefined) op.Index = index;
  if (bits & HAS_SESSION) op.Session = string();
  if (at !== buf.length) throw new StateError('STATE_INVALID_REQUEST', `undecodable command: ${buf.length - at} bytes after the kv record`);
  return time === undefined ? { type: 'kv', op } : { type: 'kv', op, time };
}
