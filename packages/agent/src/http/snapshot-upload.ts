/**
 * Receiving a snapshot for `PUT /v1/snapshot` without trusting its size: the upload is streamed to
 * a private temp file (never buffered whole), refused on `Content-Length` or as soon as it passes
 * the limit; then it is inflated as a stream, off the request path, and refused as soon as its
 * output passes the same limit, so a gzip bomb costs at most the limit and is answered at once.
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { HttpError, badRequest } from './http-error.js';

const CONFIG_HINT = 'raise limits.snapshot_restore_max_bytes to allow it';

/** Streams the request body to `path` (mode 0600); rejects with 413 past `max` bytes. */
function uploadToFile(req: IncomingMessage, path: string, max: number): Promise<void> {
  const declared = Number(req.headers['content-length'] ?? -1);
  if (declared > max) {
    req.resume();
    return Promise.reject(new HttpError(413, `Snapshot too large: ${declared} bytes, max size: ${max} bytes; ${CONFIG_HINT}`));
  }
  return new Promise((resolve, reject) => {
    const out = createWriteStream(path, { mode: 0o600 });
    let size = 0;
    let done = false;
    const fail = (err: Error): void => {
      if (done) return;
      done = true;
      out.destroy();
      req.resume();
      reject(err);
    };
    out.on('error', fail);
    req.on('error', fail);
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > max) return fail(new HttpError(413, `Snapshot too large: more than ${max} bytes; ${CONFIG_HINT}`));
      if (!out.write(chunk)) {
        req.pause();
        out.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (done) return;
      out.end(() => {
        if (done) return;
        done = true;
        resolve();
      });
    });
  });
}

/** Inflates the gzip file at `path`; rejects with 413 as soon as the output passes `max` bytes. */
async function inflateFile(path: string, max: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  const tooBig = new HttpError(413, `Snapshot inflates to more than ${max} bytes; ${CONFIG_HINT}`);
  try {
    await pipeline(createReadStream(path), createGunzip(), async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) {
        size += chunk.length;
        if (size > max) throw tooBig;
        chunks.push(chunk);
      }
    });
  } catch (err) {
    if (size > max) throw tooBig;
    throw badRequest(`Invalid snapshot: ${(err as Error).message}`);
  }
  return Buffer.concat(chunks, size);
}

/**
 * The inflated snapshot document of the request, at most `max` bytes whether compressed or not.
 * The temp file lives in `tmpDir` and is removed in every case.
 */
export async function receiveSnapshot(req: IncomingMessage, tmpDir: string, max: number): Promise<Buffer> {
  const path = join(tmpDir, `snapshot-upload-${randomUUID()}.tmp`);
  try {
    await uploadToFile(req, path, max);
    return await inflateFile(path, max);
  } finally {
    await unlink(path).catch(() => undefined);
  }
}
