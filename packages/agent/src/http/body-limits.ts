/**
 * The largest request body each route accepts, with the words it refuses a larger one with. The
 * handlers enforce these, and so does an agent that forwards a request elsewhere: it refuses on
 * `Content-Length` before reading and stops reading at the same limit, instead of buffering any
 * body it is sent.
 */
import type { AgentConfig } from '../config/config.js';

export interface BodyLimit {
  readonly max: number;
  readonly tooLarge: (size: number) => string;
}

/** Bodies of JSON endpoints without a limit of their own (`readJsonObject`). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** `/v1/session/*` bodies. */
export const SESSION_BODY_LIMIT = 64 * 1024;

export function kvBodyLimit(config: Pick<AgentConfig, 'kvMaxValueSize'>): BodyLimit {
  const max = config.kvMaxValueSize;
  return {
    max,
    tooLarge: (size) => `Request body(${size} bytes) too large, max size: ${max} bytes. See https://developer.hashicorp.com/docs/agent/config/config-files#kv_max_value_size.`,
  };
}

export function txnBodyLimit(config: Pick<AgentConfig, 'kvMaxValueSize' | 'txnMaxReqLen'>): BodyLimit {
  const max = Math.max(config.kvMaxValueSize, config.txnMaxReqLen);
  return { max, tooLarge: () => `Request body too large, max size: ${max} bytes` };
}

/** The limit for a request to `url` (path and query string). */
export function bodyLimitFor(url: string, config: Pick<AgentConfig, 'kvMaxValueSize' | 'txnMaxReqLen' | 'bounds'>): BodyLimit {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path.startsWith('/v1/kv/')) return kvBodyLimit(config);
  if (path === '/v1/txn') return txnBodyLimit(config);
  if (path === '/v1/snapshot') {
    const max = config.bounds.snapshotRestoreMaxBytes;
    return { max, tooLarge: (size) => `Snapshot too large: ${size} bytes, max size: ${max} bytes` };
  }
  if (path.startsWith('/v1/session/')) return { max: SESSION_BODY_LIMIT, tooLarge: () => 'Request body too large' };
  return { max: DEFAULT_BODY_LIMIT, tooLarge: () => 'Request body too large' };
}
