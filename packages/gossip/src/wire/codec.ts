import { copyCoordinate, isCoordinate } from '../core/coordinate.js';
import { MAX_INCARNATION } from '../core/incarnation.js';
import type { PacketMessage, PushPullState, Tags } from '../core/messages.js';
import type { UserEventsAtTime, UserEventsState } from '../core/user-events.js';
import { GossipDecodeError } from '../errors.js';

/**
 * Wire format: a UDP packet is the JSON array of its messages; a TCP frame is a
 * 4-byte big-endian length followed by one JSON `StreamMessage`. Encryption, when
 * on, wraps each packet and each frame body (see `keyring.ts`). Not wire
 * compatible with memberlist's msgpack format.
 */
export type StreamMessage =
  | { readonly t: 'push-pull'; readonly join: boolean; readonly states: readonly PushPullState[]; readonly events?: WireUserEvents }
  | { readonly t: 'push-pull-reply'; readonly states: readonly PushPullState[]; readonly events?: WireUserEvents }
  | { readonly t: 'stream-ping'; readonly seq: number; readonly node: string }
  | { readonly t: 'stream-ack'; readonly seq: number; readonly ok: boolean };

/** User events in a push-pull: the sender's event clock and its recent events, payloads in base64. */
export interface WireUserEvents {
  readonly ltime: number;
  readonly recent: readonly { readonly ltime: number; readonly events: readonly { readonly name: string; readonly payload: string }[] }[];
}

const STATUSES = new Set(['alive', 'suspect', 'failed', 'left']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function str(o: Obj, k: string): string {
  const v = o[k];
  if (typeof v !== 'string') throw new GossipDecodeError(`field ${k} must be a string`);
  return v;
}
function num(o: Obj, k: string): number {
  const v = o[k];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new GossipDecodeError(`field ${k} must be a non-negative integer`);
  return v;
}
/** An incarnation: an unsigned 32-bit integer, as memberlist's. */
function inc(o: Obj): number {
  const v = num(o, 'inc');
  if (v > MAX_INCARNATION) throw new GossipDecodeError(`incarnation ${v} is beyond ${MAX_INCARNATION}`);
  return v;
}
function bool(o: Obj, k: string): boolean {
  const v = o[k];
  if (typeof v !== 'boolean') throw new GossipDecodeError(`field ${k} must be a boolean`);
  return v;
}
function tags(o: Obj, k: string): Tags {
  const v = o[k];
  if (!isObj(v)) throw new GossipDecodeError(`field ${k} must be an object`);
  const out: Record<string, string> = {};
  for (const [key, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw new GossipDecodeError(`tag ${key} must be a string`);
    if (key === '__proto__') throw new GossipDecodeError('tag name __proto__ is not allowed');
    out[key] = val;
  }
  return out;
}

function base64(o: Obj, k: string): string {
  const v = str(o, k);
  if (!BASE64.test(v) || v.length % 4 !== 0) throw new GossipDecodeError(`field ${k} must be base64`);
  return v;
}

function parseJson(buf: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8'));
  } catch (err) {
    throw new GossipDecodeError('not valid JSON', { cause: err });
  }
}

export function decodeMessage(v: unknown): PacketMessage {
  if (!isObj(v)) throw new GossipDecodeError('message must be an object');
  switch (v.t) {
    case 'ping':
      return { t: 'ping', seq: num(v, 'seq'), node: str(v, 'node') };
    case 'indirect-ping':
      return {
        t: 'indirect-ping',
        seq: num(v, 'seq'),
        node: str(v, 'node'),
        addr: str(v, 'addr'),
        port: num(v, 'port'),
        nack: bool(v, 'nack'),
      };
    case 'ack':
      // The coordinate is optional: an ack without one, or with a malformed one, still counts.
      return { t: 'ack', seq: num(v, 'seq'), ...(isCoordinate(v.coord) ? { coord: copyCoordinate(v.coord) } : {}) };
    case 'nack':
      return { t: 'nack', seq: num(v, 'seq') };
    case 'alive':
      return {
        t: 'alive',
        node: str(v, 'node'),
        inc: inc(v),
        addr: str(v, 'addr'),
        port: num(v, 'port'),
        tags: tags(v, 'tags'),
      };
    case 'suspect':
      return { t: 'suspect', node: str(v, 'node'), inc: inc(v), from: str(v, 'from') };
    case 'dead':
      return { t: 'dead', node: str(v, 'node'), inc: inc(v), from: str(v, 'from'), ...(v.prune === true ? { prune: true as const } : {}) };
    case 'user-event':
      return {
        t: 'user-event',
        ltime: num(v, 'ltime'),
        name: str(v, 'name'),
        payload: base64(v, 'payload'),
        ...(v.cc === true ? { cc: true as const } : {}),
      };
    default:
      throw new GossipDecodeError(`unknown message type ${String(v.t)}`);
  }
}

function decodeState(v: unknown): PushPullState {
  if (!isObj(v)) throw new GossipDecodeError('state must be an object');
  const status = str(v, 'status');
  if (!STATUSES.has(status)) throw new GossipDecodeError(`unknown status ${status}`);
  return {
    name: str(v, 'name'),
    addr: str(v, 'addr'),
    port: num(v, 'port'),
    inc: inc(v),
    status: status as PushPullState['status'],
    tags: tags(v, 'tags'),
  };
}

/** Our user events as a push-pull carries them. */
export function encodeUserEvents(state: UserEventsState): WireUserEvents {
  return {
    ltime: state.ltime,
    recent: state.recent.map((at) => ({
      ltime: at.ltime,
      events: at.events.map((e) => ({ name: e.name, payload: Buffer.from(e.payload).toString('base64') })),
    })),
  };
}

/** A peer's user events from a push-pull, payloads decoded. */
export function decodeUserEvents(wire: WireUserEvents): UserEventsState {
  return {
    ltime: wire.ltime,
    recent: wire.recent.map((at): UserEventsAtTime => ({ ltime: at.ltime, events: at.events.map((e) => ({ name: e.name, payload: Buffer.from(e.payload, 'base64') })) })),
  };
}

/** Bounds on a push-pull's user events, checked before they are decoded (Serf sends at most 512 times). */
export const MAX_PUSH_PULL_EVENT_TIMES = 4096;
export const MAX_PUSH_PULL_EVENTS_PER_TIME = 256;

function decodeWireUserEvents(v: unknown): WireUserEvents | undefined {
  if (v === undefined) return undefined;
  if (!isObj(v) || !Array.isArray(v.recent)) throw new GossipDecodeError('events must be an object with a recent list');
  if (v.recent.length > MAX_PUSH_PULL_EVENT_TIMES) throw new GossipDecodeError(`more than ${MAX_PUSH_PULL_EVENT_TIMES} event times`);
  return {
    ltime: num(v, 'ltime'),
    recent: v.recent.map((at: unknown) => {
      if (!isObj(at) || !Array.isArray(at.events)) throw new GossipDecodeError('recent events must be objects with an events list');
      if (at.events.length > MAX_PUSH_PULL_EVENTS_PER_TIME) {
        throw new GossipDecodeError(`more than ${MAX_PUSH_PULL_EVENTS_PER_TIME} events at one time`);
      }
      return {
        ltime: num(at, 'ltime'),
        events: at.events.map((e: unknown) => {
          if (!isObj(e)) throw new GossipDecodeError('a recent event must be an object');
          return { name: str(e, 'name'), payload: base64(e, 'payload') };
        }),
      };
    }),
  };
}

export function encodePacket(msgs: readonly PacketMessage[]): Buffer {
  return Buffer.from(JSON.stringify(msgs), 'utf8');
}

export function decodePacket(buf: Uint8Array): PacketMessage[] {
  const v = parseJson(buf);
  if (!Array.isArray(v)) throw new GossipDecodeError('packet must be an array of messages');
  return v.map(decodeMessage);
}

export function encodeStream(msg: StreamMessage): Buffer {
  return Buffer.from(JSON.stringify(msg), 'utf8');
}

export function decodeStream(buf: Uint8Array): StreamMessage {
  const v = parseJson(buf);
  if (!isObj(v)) throw new GossipDecodeError('stream message must be an object');
  const states = (): PushPullState[] => {
    if (!Array.isArray(v.states)) throw new GossipDecodeError('states must be an array');
    return v.states.map(decodeState);
  };
  switch (v.t) {
    case 'push-pull': {
      const events = decodeWireUserEvents(v.events);
      return { t: 'push-pull', join: bool(v, 'join'), states: states(), ...(events ? { events } : {}) };
    }
    case 'push-pull-reply': {
      const events = decodeWireUserEvents(v.events);
      return { t: 'push-pull-reply', states: states(), ...(events ? { events } : {}) };
    }
    case 'stream-ping':
      return { t: 'stream-ping', seq: num(v, 'seq'), node: str(v, 'node') };
    case 'stream-ack':
      return { t: 'stream-ack', seq: num(v, 'seq'), ok: bool(v, 'ok') };
    default:
      throw new GossipDecodeError(`unknown stream message type ${String(v.t)}`);
  }
}
