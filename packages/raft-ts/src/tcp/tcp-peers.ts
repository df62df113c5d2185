import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Message, NodeId } from '../core/types.js';
import { ReconnectBackoff } from '../driver/reconnect-backoff.js';
import { type FrameKind, frameHeader } from './frames.js';
import { PendingRequests } from './requests.js';

export type Lane = 'control' | 'append';

/** One outbound connection to a peer and the messages queued for it this loop turn. */
export class OutLane {
  socket: Socket | TLSSocket | undefined;
  /** Requests only: the peer answered the connection's hello, so requests are written, not held. */
  connected = false;
  /** Requests only: requests waiting for the hello's answer. */
  held: { id: number; payload: Uint8Array }[] = [];
  queue: Message[] = [];
  scheduled = false;
  readonly backoff: ReconnectBackoff;
  constructor(initialMs: number, maxMs: number) {
    this.backoff = new ReconnectBackoff(initialMs, maxMs);
  }
}

export class Peer {
  readonly lanes: Record<Lane, OutLane>;
  /** The connection that carries requests to this peer (see `request`), and the requests waiting for replies on it. */
  readonly requests: OutLane;
  pending = new PendingRequests();
  constructor(
    readonly id: NodeId,
    readonly address: string,
    backoffInitialMs: number,
    backoffMaxMs: number,
  ) {
    this.lanes = { control: new OutLane(backoffInitialMs, backoffMaxMs), append: new OutLane(backoffInitialMs, backoffMaxMs) };
    this.requests = new OutLane(backoffInitialMs, backoffMaxMs);
  }

  get outLanes(): OutLane[] {
    return [this.lanes.control, this.lanes.append, this.requests];
  }
}

export function laneOf(m: Message): Lane {
  return m.type === 'app' || m.type === 'appResp' ? 'append' : 'control';
}

export function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[|\]$/g, '');
  return { host: host || '127.0.0.1', port: Number(address.slice(i + 1)) };
}

/** Writes one frame as one syscall (header and payload corked together). */
export function writeFrame(socket: Socket, kind: FrameKind, payload: Uint8Array, cb?: (err?: Error | null) => void): void {
  socket.cork();
  socket.write(frameHeader(kind, payload.byteLength));
  socket.write(payload, cb);
  socket.uncork();
}
