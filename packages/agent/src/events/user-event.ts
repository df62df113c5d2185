/**
 * Consul's user events at the agent level (agent/user_event.go): the event record, the checks
 * made before firing, and how the record travels as the payload of a gossip user event named
 * `consul:event:<name>`.
 */
import { RE2JS } from 're2js';

/** What `/v1/event/fire` answers and `/v1/event/list` lists, in Consul's field order. */
export interface UserEvent {
  ID: string;
  Name: string;
  /** Base64 of the payload, or null when there is none. */
  Payload: string | null;
  NodeFilter: string;
  ServiceFilter: string;
  TagFilter: string;
  Version: number;
  /** The gossip Lamport time; 0 in the answer to a fire (Consul never fills it there). */
  LTime: number;
}

/** The highest event format this agent understands (Consul's `userEventMaxVersion`). */
export const USER_EVENT_VERSION = 1;
/** Gossip events carrying Consul user events are named with this prefix, as Consul's are. */
export const USER_EVENT_PREFIX = 'consul:event:';
/** Consul's remote-exec event; Concord has no `consul exec`, so such events are not listed. */
export const REMOTE_EXEC_NAME = '_rexec';

/** Compiles a filter with Go's regexp syntax and linear-time matching (RE2). */
export function compileFilter(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

/** Go's `regexp.MatchString`: a match anywhere in `s`. */
export function matchesAnywhere(re: RE2JS, s: string): boolean {
  return re.matcher(s).find();
}

/** Consul's `validateUserEventParams`: the reason the event cannot be fired, or undefined. */
export function userEventProblem(e: Pick<UserEvent, 'Name' | 'NodeFilter' | 'ServiceFilter' | 'TagFilter'>): string | undefined {
  if (e.Name === '') return 'User event missing name';
  if (e.TagFilter !== '' && e.ServiceFilter === '') return 'Cannot provide tag filter without service filter';
  const filters: [string, string][] = [
    ['node', e.NodeFilter],
    ['service', e.ServiceFilter],
    ['tag', e.TagFilter],
  ];
  for (const [what, pattern] of filters) {
    if (pattern === '') continue;
    try {
      compileFilter(pattern);
    } catch (err) {
      return `Invalid ${what} filter: ${(err as Error).message}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The payload codec: a format byte, the version, then ID, Name, Payload and the three filters,
// each as a 16-bit big-endian length and its bytes. About the size of Consul's msgpack form, so
// Serf's 512-byte limit admits about the same events.

const FORMAT = 1;
const FIELDS = 6;

/** The bytes the gossip layer carries for `e`. */
export function encodeUserEvent(e: UserEvent): Buffer {
  const payload = e.Payload === null ? Buffer.alloc(0) : Buffer.from(e.Payload, 'base64');
  const parts = [
    Buffer.from(e.ID, 'utf8'),
    Buffer.from(e.Name, 'utf8'),
    payload,
    Buffer.from(e.NodeFilter, 'utf8'),
    Buffer.from(e.ServiceFilter, 'utf8'),
    Buffer.from(e.TagFilter, 'utf8'),
  ];
  const out = Buffer.alloc(2 + parts.reduce((n, p) => n + 2 + p.length, 0));
  out[0] = FORMAT;
  out[1] = e.Version & 0xff;
  let at = 2;
  for (const p of parts) {
    if (p.length > 0xffff) throw new RangeError('user event field over 65535 bytes');
    out.writeUInt16BE(p.length, at);
    p.copy(out, at + 2);
    at += 2 + p.length;
  }
  return out;
}

/** Decodes a gossip payload; undefined when it is not a user event of a format we know. */
export function decodeUserEvent(bytes: Uint8Array, ltime: number): UserEvent | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length < 2 || b[0] !== FORMAT) return undefined;
  const fields: Buffer[] = [];
  let at = 2;
  for (let i = 0; i < FIELDS; i++) {
    if (at + 2 > b.length) return undefined;
    const n = b.readUInt16BE(at);
    if (at + 2 + n > b.length) return undefined;
    fields.push(b.subarray(at + 2, at + 2 + n));
    at += 2 + n;
  }
  if (at !== b.length) return undefined;
  const [id, name, payload, nodeFilter, serviceFilter, tagFilter] = fields as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
  return {
    ID: id.toString('utf8'),
    Name: name.toString('utf8'),
    Payload: payload.length > 0 ? payload.toString('base64') : null,
    NodeFilter: nodeFilter.toString('utf8'),
    ServiceFilter: serviceFilter.toString('utf8'),
    TagFilter: tagFilter.toString('utf8'),
    Version: b[1] as number,
    LTime: ltime,
  };
}

/**
 * Consul's `uuidToUint64`: the UUID's high and low 64 bits XORed, the `X-Consul-Index` of an
 * event list. A decimal string, since it does not fit a JavaScript number.
 */
export function eventIndex(id: string): string {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return '1';
  const v = BigInt(`0x${hex.slice(0, 16)}`) ^ BigInt(`0x${hex.slice(16)}`);
  return v === 0n ? '1' : v.toString();
}
