import type { ConfigName, GossipConfig } from '../core/config.js';
import type { Tags } from '../core/messages.js';
import type { MemberEvent } from '../core/swim.js';
import type { UserEvent } from '../core/user-events.js';
import type { GossipError } from '../errors.js';
import type { Keyring } from './keyring.js';

export interface GossipOptions {
  /** Unique member name (Consul uses the node name). */
  readonly name: string;
  /** IP to bind UDP and TCP to. Default `0.0.0.0`. */
  readonly bindAddr?: string;
  /** Port for both UDP and TCP; 0 picks a free one. Default 8301. */
  readonly bindPort?: number;
  /** IP others should use to reach us. Default: the bind address, or a local IPv4 for a wildcard. */
  readonly advertiseAddr?: string;
  readonly advertisePort?: number;
  readonly tags?: Tags;
  /** `lan` (memberlist's DefaultLANConfig) or `local` (faster, for tests), or a full config. */
  readonly config?: ConfigName | GossipConfig;
  /** Field-by-field overrides on top of `config`. */
  readonly overrides?: Partial<GossipConfig>;
  /** Encrypt every UDP packet and TCP frame with the primary key; accept any installed key. */
  readonly keyring?: Keyring;
  /**
   * With a keyring: refuse plaintext packets and streams (Consul's `encrypt_verify_incoming`).
   * Turned off only while encryption is rolled out on a live cluster. Default true.
   */
  readonly verifyIncoming?: boolean;
  /**
   * With a keyring: encrypt what we send (Consul's `encrypt_verify_outgoing`). Turned off only
   * while encryption is rolled out, so members without the key still understand us. Default true.
   */
  readonly verifyOutgoing?: boolean;
  /** Seed of the protocol's PRNG; random by default. */
  readonly seed?: number;
}

/** Typed events: one per member change, plus `error` for problems that never stop the driver. */
export interface GossipEvents extends Record<string, unknown> {
  join: MemberEvent;
  update: MemberEvent;
  suspect: MemberEvent;
  failed: MemberEvent;
  leave: MemberEvent;
  reap: MemberEvent;
  /** Every member event, whatever its type. */
  member: MemberEvent;
  /** A user event seen for the first time (each one once per member, ours included). */
  'user-event': UserEvent;
  error: GossipError;
}

/** Counters of the driver's traffic and of what it dropped. */
export interface GossipStats {
  packetsSent: number;
  packetsReceived: number;
  bytesSent: number;
  bytesReceived: number;
  streamsOpened: number;
  streamsAccepted: number;
  /** Messages no installed key could decrypt (or plaintext while encryption is on). */
  decryptFailures: number;
  /** Messages that decrypted (or were plaintext) but did not parse. */
  decodeFailures: number;
  /** Inbound streams closed at once because `maxInboundStreams` were being served. */
  streamsRefused: number;
  /** Inbound frames refused before their body was read: too long, or not in the expected format. */
  framesRefused: number;
  pushPulls: number;
  /** TCP exchanges (push-pull, fallback pings) that failed or timed out. */
  streamErrors: number;
  /** UDP sends the operating system refused. */
  sendErrors: number;
}

/** A fresh set of counters, every one at zero. */
export function zeroStats(): GossipStats {
  return {
    packetsSent: 0,
    packetsReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    streamsOpened: 0,
    streamsAccepted: 0,
    decryptFailures: 0,
    decodeFailures: 0,
    streamsRefused: 0,
    framesRefused: 0,
    pushPulls: 0,
    streamErrors: 0,
    sendErrors: 0,
  };
}
