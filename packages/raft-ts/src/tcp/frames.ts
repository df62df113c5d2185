/**
 * Length-prefixed frames on a byte stream: a 4-byte big-endian length (of what follows), one byte
 * of frame kind, then the payload. The decoder checks every length against its bound before it
 * holds more than the 5 header bytes of a frame, so a peer cannot make it allocate more than the
 * bound however it lies.
 */

/** Kinds of frame on a Raft connection. */
export const FrameKind = {
  /** `Batch` (raft.proto): Raft messages queued together. */
  batch: 1,
  /** `SnapshotChunk`: part of a snapshot, on a connection of its own. */
  snapshotChunk: 2,
  /** `SnapshotAck`: the receiver's answer on a snapshot's connection. */
  snapshotAck: 3,
  /** `Request`: an application request between servers (e.g. a write forwarded to the leader), see requests.ts. */
  request: 4,
  /** `Reply`: the answer to a request, on the connection the request came in on. */
  reply: 5,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

const KINDS = new Set<number>(Object.values(FrameKind));

export const FRAME_HEADER_BYTES = 5;

/** A stream that broke the framing: too long, empty, or of an unknown kind. */
export class FrameError extends Error {
  readonly code = 'RAFT_FRAME';
}

/** The 5-byte header of a frame whose payload is `payloadBytes` long. */
export function frameHeader(kind: FrameKind, payloadBytes: number): Uint8Array {
  const h = Buffer.allocUnsafe(FRAME_HEADER_BYTES);
  h.writeUInt32BE(payloadBytes + 1, 0);
  h[4] = kind;
  return h;
}

/** One frame as a single buffer (tests and one-off writes; streams write header and payload with cork). */
export function encodeFrame(kind: FrameKind, payload: Uint8Array): Buffer {
  return Buffer.concat([frameHeader(kind, payload.byteLength), payload]);
}

export interface Frame {
  readonly kind: FrameKind;
  readonly payload: Uint8Array;
}

/**
 * Splits a byte stream into frames. `push` returns the frames the new bytes completed and throws
 * FrameError at the first header that breaks the rules (the caller closes the connection).
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  /** Length of the frame being read (kind + payload), once its header arrived. */
  #need = -1;

  /** `maxFrameBytes`: the largest payload accepted (the kind byte not counted). */
  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** Bytes held for a frame not yet complete. */
  get buffered(): number {
    return this.#buffered;
  }

  push(bytes: Buffer): Frame[] {
    const out: Frame[] = [];
    if (bytes.byteLength > 0) {
      this.#chunks.push(bytes);
      this.#buffered += bytes.byteLength;
    }
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < 4) return out;
        const len = this.#peekLength();
        if (len === 0) throw new FrameError('empty frame (no kind byte)');
        if (len - 1 > this.#maxFrameBytes) throw new FrameError(`frame of ${len - 1} bytes exceeds the limit of ${this.#maxFrameBytes}`);
        this.#consume(4);
        this.#need = len;
      }
      if (this.#buffered < this.#need) return out;
      const body = this.#consume(this.#need);
      this.#need = -1;
      const kind = body[0] as number;
      if (!KINDS.has(kind)) throw new FrameError(`unknown frame kind ${kind}`);
      out.push({ kind: kind as FrameKind, payload: body.subarray(1) });
    }
  }

  #peekLength(): number {
    const first = this.#chunks[0] as Buffer;
    if (first.byteLength >= 4) return first.readUInt32BE(0);
    const head = Buffer.concat(this.#chunks, 4);
    return head.readUInt32BE(0);
  }

  /** Removes `n` buffered bytes from the front and returns them as one buffer. */
  #consume(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0] as Buffer;
    if (first.byteLength === n) {
      this.#chunks.shift();
      return first;
    }
    if (first.byteLength > n) {
      this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0] as Buffer;
      const take = Math.min(c.byteLength, n - at);
      c.copy(out, at, 0, take);
      at += take;
      if (take === c.byteLength) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(take);
    }
    return out;
  }
}
