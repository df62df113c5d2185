import type { Socket } from 'node:net';
import { connect } from 'node:net';
import { GossipDecodeError, GossipError } from '../errors.js';

/** Largest TCP frame accepted: a full member list of a large cluster fits easily. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** `[u32 length][body]`. */
export function frame(body: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** Read one length-prefixed frame from `socket`, or reject on close, error, oversize or timeout. */
export function readFrame(socket: Socket, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    let need = -1;
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
        if (need > MAX_FRAME_BYTES) return finish(new GossipDecodeError(`frame of ${need} bytes is too large`));
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
