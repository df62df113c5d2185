/** Messages of the protocol. The wire codec (`wire/codec.ts`) encodes these as JSON. */

import type { Coordinate } from './coordinate.js';

export type Tags = Readonly<Record<string, string>>;

export type MemberStatus = 'alive' | 'suspect' | 'failed' | 'left';

/** Where a member listens for UDP and TCP gossip. */
export interface Endpoint {
  readonly addr: string;
  readonly port: number;
}

export interface PingMessage {
  readonly t: 'ping';
  readonly seq: number;
  /** Name of the member the ping is for; a member ignores pings meant for another name. */
  readonly node: string;
}

export interface IndirectPingMessage {
  readonly t: 'indirect-ping';
  readonly seq: number;
  readonly node: string;
  readonly addr: string;
  readonly port: number;
  /** Whether the relay should answer with a nack when the target stays silent. */
  readonly nack: boolean;
}

export interface AckMessage {
  readonly t: 'ack';
  readonly seq: number;
  /** The responder's network coordinate; only on an ack to a direct ping. */
  readonly coord?: Coordinate;
}

export interface NackMessage {
  readonly t: 'nack';
  readonly seq: number;
}

export interface AliveMessage {
  readonly t: 'alive';
  readonly node: string;
  readonly inc: number;
  readonly addr: string;
  readonly port: number;
  readonly tags: Tags;
}

export interface SuspectMessage {
  readonly t: 'suspect';
  readonly node: string;
  readonly inc: number;
  readonly from: string;
}

/** `from === node` means the member left on purpose. */
export interface DeadMessage {
  readonly t: 'dead';
  readonly node: string;
  readonly inc: number;
  readonly from: string;
  /** Force-leave with prune: every member drops the node from its list at once. */
  readonly prune?: true;
}

/** Serf's user event: a name and opaque payload at an event Lamport time. */
export interface UserEventMessage {
  readonly t: 'user-event';
  readonly ltime: number;
  readonly name: string;
  /** The payload in base64. */
  readonly payload: string;
  /** Serf's coalesce flag; omitted when false. */
  readonly cc?: true;
}

export type PacketMessage = UserEventMessage | PingMessage | IndirectPingMessage | AckMessage | NackMessage | AliveMessage | SuspectMessage | DeadMessage;

export type BroadcastMessage = AliveMessage | SuspectMessage | DeadMessage;

/** One member as exchanged in a push-pull. */
export interface PushPullState {
  readonly name: string;
  readonly addr: string;
  readonly port: number;
  readonly inc: number;
  readonly status: MemberStatus;
  readonly tags: Tags;
}

/** Bytes a compound packet spends on framing, and per message inside it. */
export const COMPOUND_HEADER_BYTES = 2;
export const COMPOUND_PER_MESSAGE_BYTES = 2;

/** UTF-8 length of a string, without allocating. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Encoded size of one message as the wire codec writes it. */
export function encodedSize(msg: PacketMessage): number {
  return utf8Length(JSON.stringify(msg));
}

export function tagsSize(tags: Tags): number {
  return utf8Length(JSON.stringify(tags));
}

export function endpointKey(e: Endpoint): string {
  return `${e.addr}:${e.port}`;
}
