import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { GossipDecodeError, GossipError } from '../errors.js';

/** Largest TCP frame ever accepted (a reply to our own push-pull): a large cluster's member list fits easily. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** Room for a frame that is not a member list (a stream ping), and for a few members. */
export const INBOUND_FRAME_BASE_BYTES = 64 * 1024;
/** Room per member state in a push-pull: name, address, tags (at most 512 bytes) and JSON. */
export const INBOUND_FRAME_BYTES_PER_MEMBER = 2 * 1024;

/**
 * Room for the recent user events a push-pull carries: each buffered Lamport time (up to
 * `bufferSize`) with up to two events of at most `sizeLimit` bytes, base64 in JSON.
 */
export function userEventsAllowance(bufferSize: number, sizeLimit: number): number {
  return bufferSize * 2 * (Math.ceil((sizeLimit * 4) / 3) + 128);
}

/**
 * Largest frame a peer may send on a stream it opened, before we could authenticate it: enough
 * for a member list twice as long as ours (a peer may know members we have not heard of yet) and
 * `extraBytes` (the recent user events). Replies to our own requests may be up to `MAX_FRAME_BYTES`.
 */
export function inboundFrameLimit(members: number, extraBytes = 0): number {
  return Math.min(MAX_FRAME_BYTES, INBOUND_FRAME_BASE_BYTES + extraBytes + 2 * members * INBOUND_FRAME_BYTES_PER_MEMBER);
}

/** What to check on a frame before its body is buffered. */
export interface FrameLimits {
  /** Largest body accepted; a larger announced length is refused at once. */
  readonly maxBytes: number;
  /**
   * Looks at the first byte of the body as soon as it arrives (with the announced length) and
   * returns why the frame must be refused, or undefined to go on reading.
   */
  readonly checkHead?: (firstByte: number, length: number) => string | undefined;
}

/** `[u32 length][body]`. */
export function frame(body: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/**
 * Read one length-prefixed frame from `socket`, or reject on close, error, timeout, a length
 * beyond `limits.maxBytes`, or a first byte `limits.checkHead` refuses (both decided on the
 * first chunk, before the body is buffered).
 */
export function readFrame(socket: Socket, timeoutMs: number, limits: FrameLimits = { maxBytes: MAX_FRAME_BYTES }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let need = -1;
    let headChecked = false;
    const timer = setTimeout(() => finish(new GossipError('GOSSIP_TIMEOUT', 'stream timed out')), timeoutMs);
    const finish = (err: Error | undefined, value?: Buffer) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (err !== undefined) reject(err);
      else resolve(value as Buffer);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      if (chunks.length > 1) chunks.splice(0, chunks.length, all);
      if (need < 0 && have >= 4) {
        need = all.readUInt32BE(0);
        if (need > limits.maxBytes) return finish(new GossipDecodeError(`frame of ${need} bytes is larger than ${limits.maxBytes}`));
      }
      if (need > 0 && have >= 5 && !headChecked) {
        headChecked = true;
        const why = limits.checkHead?.(all[4] as number, need);
        if (why !== undefined) return finish(new GossipDecodeError(why));
      }
      if (need >= 0 && have >= 4 + need) finish(undefined, all.subarray(4, 4 + need));
    };
    const onError = (err: Error) => finish(err);
    const onClose = () => finish(new GossipError('GOSSIP_STREAM_CLOSED', 'stream closed before a full frame'));
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

/** Connect, send one frame, read one frame back, close. */
export async function request(addr: string, port: number, body: Uint8Array, timeoutMs: number): Promise<Buffer> {
  const socket = connect({ host: addr, port });
  socket.setNoDelay(true);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new GossipError('GOSSIP_TIMEOUT', `connect to ${addr}:${port} timed out`)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const reply = readFrame(socket, timeoutMs);
    socket.write(frame(body));
    return await reply;
  } finally {
    socket.destroy();
  }
}
